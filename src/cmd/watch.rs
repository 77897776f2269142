//! `wirefeed watch`: build, then build again whenever the articles folder changes, until
//! SIGTERM or Ctrl-C.

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;

use wirefeed::build::{BuildOptions, BuildReport, FeedStatus};
use wirefeed::config::{Config, SettingsArgs};
use wirefeed::watch::{self, Backend, Next, WatchOptions, Watcher};
use wirefeed::Error;

use super::report::{print_report, Places, Printer, Verbosity};
use crate::exit;

/// Build the feeds, then again on every change to the articles folder.
///
/// Watches the articles folder (inotify; polling where that is not available) and, once a
/// burst of changes has been quiet for --debounce milliseconds, builds again: only changed
/// files are read again and only changed documents written, under the same lock as `build`.
/// One line per build on stderr. A story that cannot be published is reported and the watch
/// goes on; if the articles folder disappears, the feeds are left as they are and the watch
/// waits for it to come back. SIGTERM or Ctrl-C lets the build in progress finish its writes,
/// then exits 0. The config file is watched too: when it changes (or on SIGHUP) it is read
/// again, and a file that does not load is reported while the watch goes on as it was.
///
/// Examples:
///   wirefeed watch                         # with ./wirefeed.toml
///   wirefeed watch --debounce 200 --quiet  # under systemd: see examples/wirefeed-watch.service
#[derive(Args)]
#[command(verbatim_doc_comment, after_help = WATCH_EXIT_CODES)]
pub struct WatchArgs {
    /// Config file [default: ./wirefeed.toml if present].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(flatten)]
    settings: SettingsArgs,
    /// Build once a burst of changes has been quiet for MS milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 50,
          value_parser = clap::value_parser!(u64).range(1..=60_000))]
    debounce: u64,
    /// Look for changes every SECS seconds instead of using file events (network file systems).
    #[arg(long, value_name = "SECS", value_parser = parse_interval)]
    poll: Option<Duration>,
    #[command(flatten)]
    guards: super::GuardArgs,
    /// Print nothing but errors (no line per build).
    #[arg(short, long, conflicts_with = "verbose")]
    quiet: bool,
    /// Print each build's whole summary, as `build --verbose` does.
    #[arg(short, long)]
    verbose: bool,
}

const WATCH_EXIT_CODES: &str = "\
Exit codes:
  0  stopped by SIGTERM or SIGINT (Ctrl-C) after the build in progress finished
  2  usage or configuration error at start
  4  the articles folder cannot be watched
  130, 143  a second SIGINT or SIGTERM while a build was still writing: its temporary files
     are removed, no feed is left half-written";

/// An interval in seconds, at least a tenth of a second.
fn parse_interval(text: &str) -> Result<Duration, String> {
    let secs: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if !(0.1..=3600.0).contains(&secs) {
        return Err("between 0.1 and 3600 seconds".into());
    }
    Ok(Duration::from_secs_f64(secs))
}

/// What the signals asked for.
#[derive(Clone, Default)]
struct Asked {
    /// The signal that asked to stop (0: none yet).
    stop: Arc<AtomicI32>,
    /// SIGHUP: read the configuration again.
    reload: Arc<AtomicBool>,
}

impl Asked {
    fn to_stop(&self) -> bool {
        self.stop.load(Ordering::SeqCst) != 0
    }
}

/// SIGTERM and SIGINT ask to stop once the build in progress is done; a second one, for a
/// build that takes too long, removes its temporary files and exits at once. SIGHUP asks to
/// read the configuration again.
#[cfg(unix)]
fn listen() -> Asked {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    use signal_hook::iterator::Signals;

    let asked = Asked::default();
    let mut signals = match Signals::new([SIGHUP, SIGINT, SIGTERM]) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("warning: cannot handle signals ({e}); SIGTERM stops the watch at once");
            return asked;
        }
    };
    let mine = asked.clone();
    let spawned = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                if signal == SIGHUP {
                    mine.reload.store(true, Ordering::SeqCst);
                } else if mine.stop.swap(signal, Ordering::SeqCst) != 0 {
                    let mut err = std::io::stderr().lock();
                    wirefeed::output::remove_temp_files();
                    let _ = std::io::Write::write_all(
                        &mut err,
                        b"wirefeed watch: stopped during a build; temporary files removed, no feed left half-written\n",
                    );
                    std::process::exit(exit::SIGNALLED + signal);
                }
            }
        });
    if let Err(e) = spawned {
        eprintln!("warning: cannot handle signals ({e}); SIGTERM stops the watch at once");
    }
    asked
}

#[cfg(not(unix))]
fn listen() -> Asked {
    Asked::default()
}

/// The config file a watch reads: the one given, else `./wirefeed.toml` (which may appear
/// later).
fn config_path(args: &WatchArgs) -> PathBuf {
    args.config
        .clone()
        .unwrap_or_else(|| PathBuf::from(wirefeed::config::DEFAULT_CONFIG_FILE))
}

/// What identifies one version of the config file (`None` while there is none): checked
/// once per tick of the watch, one `stat`, rather than watched through the file events of
/// its folder, which may be anywhere (and is often the project folder, full of other
/// changes).
#[derive(Debug, Clone, PartialEq, Eq)]
struct ConfigStamp(Option<(std::time::SystemTime, u64, u64)>);

impl ConfigStamp {
    fn of(path: &Path) -> Self {
        #[cfg(unix)]
        let inode = |m: &std::fs::Metadata| std::os::unix::fs::MetadataExt::ino(m);
        #[cfg(not(unix))]
        let inode = |_: &std::fs::Metadata| 0;
        ConfigStamp(
            std::fs::metadata(path)
                .ok()
                .and_then(|m| Some((m.modified().ok()?, m.len(), inode(&m)))),
        )
    }
}

/// The configuration from the file and the flags.
fn load(args: &WatchArgs) -> Result<Config, wirefeed::config::ConfigError> {
    super::load_raw_config(args.config.as_deref()).and_then(|mut raw| {
        raw.overlay(&args.settings.to_raw());
        Config::from_raw(&raw)
    })
}

/// Runs `wirefeed watch`.
pub fn execute(args: &WatchArgs) -> ExitCode {
    let asked = listen();
    let config_file = config_path(args);
    // Taken before the file is read: a change made while it is read is seen at the next tick.
    let mut config_stamp = ConfigStamp::of(&config_file);
    let mut config = match load(args) {
        Ok(c) => c,
        Err(e) => {
            super::print_error(&e);
            return ExitCode::from(exit::USAGE);
        }
    };
    if let Err(e) = wirefeed::clock::now() {
        eprintln!("error: {e}");
        return ExitCode::from(exit::USAGE);
    }
    args.guards.warn();
    let options = WatchOptions {
        debounce: Duration::from_millis(args.debounce),
        poll: args.poll,
        follow_symlinks: config.follow_symlinks,
        ..WatchOptions::default()
    };
    let mut session = Session {
        args,
        seen: HashSet::new(),
        terminal: std::io::stderr().is_terminal(),
        kept: Arc::default(),
    };
    let mut watcher = match start(&config, &options, args.quiet) {
        Ok(w) => w,
        Err(e) => {
            super::print_error(&e);
            return ExitCode::from(exit::IO);
        }
    };
    let mut reason = String::from("first build");
    loop {
        let wake = session.build(&config, &reason);
        if asked.to_stop() {
            break;
        }
        let deadline = wake.map(|d| Instant::now() + d);
        let next = watcher.next(deadline, &|| {
            asked.to_stop()
                || asked.reload.load(Ordering::SeqCst)
                || ConfigStamp::of(&config_file) != config_stamp
        });
        reason = match next {
            Next::Stopped if asked.to_stop() => break,
            Next::Stopped => {
                let why = if asked.reload.swap(false, Ordering::SeqCst) {
                    "SIGHUP"
                } else {
                    "the file changed"
                };
                // Whether it loads or not: a file that does not is reported once, not at
                // every tick, and read again when it changes again.
                config_stamp = ConfigStamp::of(&config_file);
                match load(args) {
                    Ok(new) => {
                        let moved = (&new.articles, &new.out) != (&config.articles, &config.out);
                        config = new;
                        // Other settings, other records: the next build starts afresh.
                        session.kept = Arc::default();
                        if moved {
                            // Watched again below, where the articles folder now is.
                            watcher = match start(&config, &options, args.quiet) {
                                Ok(w) => w,
                                Err(e) => {
                                    super::print_error(&e);
                                    return ExitCode::from(exit::IO);
                                }
                            };
                        }
                        format!("configuration read again ({why})")
                    }
                    Err(e) => {
                        super::print_error(&e);
                        eprintln!("note: the watch goes on with the configuration it had");
                        // The wait may have been cut in the middle of a burst of changes,
                        // whose paths are lost: the next build walks the whole archive.
                        session.kept.rescan();
                        continue;
                    }
                }
            }
            Next::Deadline => "the clock reached an embargo or an expiry".into(),
            Next::Changes(batch) => {
                if !batch.errors.is_empty() && !args.quiet {
                    let errors = batch.errors.join("; ");
                    eprintln!("warning: the file events reported: {errors}");
                }
                if batch.rescan {
                    session.kept.rescan();
                } else {
                    session
                        .kept
                        .changed(batch.paths.iter().map(PathBuf::as_path));
                }
                watch::describe(&batch)
            }
        };
        if !watcher.is_intact() {
            match wait_for_folder(&config, &options, &asked, args.quiet) {
                Some(w) => watcher = w,
                None => break,
            }
            session.kept.rescan();
            reason = "the articles folder is back".into();
        }
    }
    if !args.quiet {
        let name = match asked.stop.load(Ordering::SeqCst) {
            2 => "SIGINT",
            _ => "SIGTERM",
        };
        eprintln!("wirefeed watch: stopped by {name}");
    }
    ExitCode::from(exit::OK)
}

/// Starts watching the articles folder, saying how (and why by polling, when it must).
fn start(config: &Config, options: &WatchOptions, quiet: bool) -> Result<Watcher, Error> {
    // The build's own writes: the output folder, and the ledger's folder when it is inside.
    let mut ignored = vec![config.out.clone()];
    ignored.extend(
        config
            .ledger
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf),
    );
    let watcher =
        Watcher::start(&config.articles, &ignored, options).map_err(|e| Error::ArticlesFolder {
            path: config.articles.clone(),
            source: std::io::Error::other(e.reason),
        })?;
    let folder = wirefeed::diagnostic::shown(&config.articles);
    match watcher.backend() {
        Backend::Polling {
            every,
            because: Some(why),
        } => eprintln!(
            "{folder}: warning: cannot use file events ({why}); looking for changes every {} s instead",
            every.as_secs_f64()
        ),
        Backend::Polling { every, .. } if !quiet => eprintln!(
            "wirefeed watch: watching {folder} every {} s; Ctrl-C or SIGTERM stops",
            every.as_secs_f64()
        ),
        Backend::Events if !quiet => {
            eprintln!("wirefeed watch: watching {folder}; Ctrl-C or SIGTERM stops")
        }
        _ => {}
    }
    Ok(watcher)
}

/// The articles folder is gone: the feeds stay as they are (a build now would empty them) until
/// it comes back, when it is watched again. `None` when asked to stop first.
fn wait_for_folder(
    config: &Config,
    options: &WatchOptions,
    asked: &Asked,
    quiet: bool,
) -> Option<Watcher> {
    let folder = wirefeed::diagnostic::shown(&config.articles);
    eprintln!(
        "{folder}: error: the articles folder is gone; the feeds are left as they are until it comes back"
    );
    loop {
        if asked.to_stop() {
            return None;
        }
        // Gone again, or not readable yet: keep waiting.
        if let Some(w) = config
            .articles
            .is_dir()
            .then(|| start(config, options, quiet).ok())
            .flatten()
        {
            return Some(w);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// What lasts from one build to the next.
struct Session<'a> {
    args: &'a WatchArgs,
    /// The problems already reported: a bad story is named when it appears, not at every
    /// build while it stays bad.
    seen: HashSet<String>,
    terminal: bool,
    /// The cache and the ledger's records, kept in memory from one build to the next.
    kept: Arc<wirefeed::build::Session>,
}

impl Session<'_> {
    /// Builds, reports, and says how long until the feeds change with no file changed (an
    /// embargo lifts, a tombstone expires).
    fn build(&mut self, config: &Config, reason: &str) -> Option<Duration> {
        let mut opts = BuildOptions::new(config);
        self.args.guards.apply(&mut opts);
        opts.session = Some(Arc::clone(&self.kept));
        let started = Instant::now();
        let result = wirefeed::build(config, &opts);
        let took = started.elapsed();
        let report = match result {
            Ok(r) => r,
            Err(e) => {
                super::print_error(&e);
                if !self.args.quiet {
                    eprintln!(
                        "wirefeed watch: build FAILED after {} ({reason}); the feeds are left as they are, the watch goes on",
                        millis(took)
                    );
                }
                return None;
            }
        };
        self.print(config, &report);
        if !self.args.quiet {
            eprintln!("wirefeed watch: {}", summary(config, &report, took, reason));
        }
        let now = opts.now?;
        report
            .next_change()
            .and_then(|at| (at - now).to_std().ok())
            // Never sooner than a second: a clock held still (SOURCE_DATE_EPOCH) must not spin.
            .map(|d| d.max(Duration::from_secs(1)))
    }

    /// The build's diagnostics, as `build` prints them, less the story problems reported by an
    /// earlier build of this watch.
    fn print(&mut self, config: &Config, report: &BuildReport) {
        let mut shown = report.clone();
        let mut now_seen = HashSet::new();
        let mut fresh = |text: String| {
            let new = !self.seen.contains(&text);
            now_seen.insert(text);
            new
        };
        shown.errors.retain(|e| fresh(e.to_string()));
        shown.warnings.retain(|w| fresh(w.to_string()));
        shown.ignored.retain(|w| fresh(w.to_string()));
        self.seen = now_seen;
        let parse = wirefeed::article::ParseOptions::new(&config.story);
        let verbosity = if self.args.quiet {
            Verbosity::Quiet
        } else if self.args.verbose {
            Verbosity::Normal { details: true }
        } else {
            Verbosity::ProblemsOnly
        };
        let printer = Printer {
            verbosity,
            parse: &parse,
            color: self.terminal,
        };
        let places = Places {
            articles: &config.articles,
            cache: report.cache.clone(),
        };
        print_report(&shown, printer, &places);
    }
}

/// `12 ms`, `1.4 s`.
fn millis(d: Duration) -> String {
    if d < Duration::from_secs(10) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// The one line per build: what changed, what was written, how long it took.
fn summary(config: &Config, r: &BuildReport, took: Duration, reason: &str) -> String {
    let read = r.files - r.from_cache;
    let name = |p: &Path| {
        let shown = p.strip_prefix(&config.out).unwrap_or(p);
        wirefeed::diagnostic::shown(shown)
    };
    let mut written: Vec<String> = r
        .feeds
        .iter()
        .filter(|f| f.status == FeedStatus::Written)
        .filter_map(|f| f.path.as_deref().map(name))
        .collect();
    if let Some(a) = &r.archives {
        written.extend(a.written.iter().map(|p| name(p)));
    }
    let refused = r.refused();
    let what = if written.is_empty() {
        "nothing written, the feeds are up to date".to_string()
    } else if written.len() <= 4 {
        format!("written: {}", written.join(", "))
    } else {
        format!(
            "{} documents written ({}, …)",
            written.len(),
            written[..3].join(", ")
        )
    };
    let mut line = format!(
        "built in {} ({reason}): {read} of {} files read, {} published; {what}",
        millis(took),
        r.files,
        r.published
    );
    if !r.errors.is_empty() {
        line.push_str(&format!(
            "; {} file(s) not published (named above when first seen)",
            r.errors.len()
        ));
    }
    if refused > 0 {
        line.push_str(&format!("; {refused} document(s) REFUSED by the validator"));
    }
    line
}
