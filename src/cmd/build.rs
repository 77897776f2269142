//! `wirefeed build`: publish the feeds.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};

use wirefeed::build::{BuildOptions, BuildReport, FeedStatus, Output, Progress};
use wirefeed::config::{Config, RawAgency, RawConfig};
use wirefeed::error::shown;
use wirefeed::feed::Format;
use wirefeed::Error;

use crate::exit;

/// Which feeds to produce.
#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Rss,
    Atom,
    Json,
    /// RSS, Atom and JSON Feed.
    All,
}

/// Build the feeds from the articles folder.
///
/// Reads ./wirefeed.toml (or --config FILE); every setting also has a flag, and flags win.
///
/// Examples:
///   wirefeed build                                   # public/rss.xml and public/atom.xml
///   wirefeed build --format atom --output - | aggregator-import
///   wirefeed build --articles stories --site-url https://example.org/ --out /var/www/feeds
#[derive(Args)]
#[command(verbatim_doc_comment, after_help = crate::EXIT_CODES)]
pub struct BuildArgs {
    /// Config file [default: ./wirefeed.toml if present].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Folder of story files [config: build.articles; default: articles].
    #[arg(long, value_name = "DIR")]
    articles: Option<PathBuf>,
    /// Output folder [config: build.out; default: public].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Absolute site URL [config: feed.site_url].
    #[arg(long, value_name = "URL")]
    site_url: Option<String>,
    /// Feed title [config: feed.title].
    #[arg(long, value_name = "TEXT")]
    title: Option<String>,
    /// Feed description [config: feed.description].
    #[arg(long, value_name = "TEXT")]
    description: Option<String>,
    /// Default language tag [config: feed.language; default: ru].
    #[arg(long, value_name = "TAG")]
    language: Option<String>,
    /// Default author [config: feed.author].
    #[arg(long, value_name = "NAME")]
    author: Option<String>,
    /// Time zone for unknown cities [config: feed.time_zone; default: Asia/Dushanbe].
    #[arg(long, value_name = "ZONE")]
    time_zone: Option<String>,
    /// Article URL pattern with {year} {month} {day} {slug} {id} [config: feed.article_url].
    #[arg(long, value_name = "PATTERN")]
    article_url: Option<String>,
    /// Prefix of entry ids; never change it once published [config: feed.id_prefix].
    #[arg(long, value_name = "PREFIX")]
    id_prefix: Option<String>,
    /// Base URL the feed files are served from [config: feed.feeds_url; default: site URL].
    #[arg(long, value_name = "URL")]
    feeds_url: Option<String>,
    /// Entries per feed [config: feed.limit; default: 50].
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
    /// Another host published URLs may point at, e.g. a CDN (repeatable) [config: feed.link_hosts].
    #[arg(long = "link-host", value_name = "HOST")]
    link_hosts: Vec<String>,
    /// Feeds to produce [config: build.formats; default: rss and atom].
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Write the one feed of --format to FILE, or to stdout with `-`.
    #[arg(long, value_name = "FILE|-")]
    output: Option<PathBuf>,
    /// Encoding of story files: auto, utf-8, windows-1251, koi8-r… [config: build.encoding].
    #[arg(long, value_name = "LABEL")]
    encoding: Option<String>,
    /// Largest story file accepted, in bytes [config: build.max_file_size; default: 1048576].
    #[arg(long, value_name = "BYTES")]
    max_file_size: Option<u64>,
    /// Do not read or write the per-file cache [config: build.cache = false].
    #[arg(long)]
    no_cache: bool,
    /// Seconds to wait for another build's lock [config: build.lock_timeout; default: 10].
    #[arg(long, value_name = "SECS")]
    lock_timeout: Option<u64>,
    /// Follow symbolic links that point outside the articles folder [config: build.follow_symlinks].
    #[arg(long)]
    follow_symlinks: bool,
    /// Refuse to publish when fewer than this share of the stories already published are still
    /// in the archive [config: build.min_stories_ratio; default: 0.5].
    #[arg(long, value_name = "RATIO")]
    min_stories_ratio: Option<f64>,
    /// Publish even an empty or much smaller archive over feeds that have entries.
    #[arg(long)]
    allow_empty: bool,
    /// File name of the RSS feed in the output folder [config: build.rss_file; default: rss.xml].
    #[arg(long, value_name = "NAME")]
    rss_file: Option<String>,
    /// File name of the Atom feed [config: build.atom_file; default: atom.xml].
    #[arg(long, value_name = "NAME")]
    atom_file: Option<String>,
    /// File name of the JSON Feed [config: build.json_file; default: feed.json].
    #[arg(long, value_name = "NAME")]
    json_file: Option<String>,
    /// Add or override a dateline city, e.g. --city "ПЕНДЖИКЕНТ=Asia/Dushanbe" [config: [cities]].
    #[arg(long, value_name = "NAME=ZONE", value_parser = key_value)]
    city: Vec<(String, String)>,
    /// Map an agency to its own site, e.g. --agency "НИАТ «Ховар»=https://khovar.tj/"
    /// [config: [agencies."NAME"] url].
    #[arg(long, value_name = "NAME=URL", value_parser = key_value)]
    agency: Vec<(String, String)>,
    /// Stop at the first story that cannot be published; write nothing.
    #[arg(long)]
    strict: bool,
    /// EMERGENCY ONLY: write feeds without validating them.
    #[arg(long)]
    no_check: bool,
    /// Print nothing but errors.
    #[arg(short, long, conflicts_with = "verbose")]
    quiet: bool,
    /// Print warnings, cache and encoding details even without a terminal.
    #[arg(short, long)]
    verbose: bool,
}

impl BuildArgs {
    fn flags(&self) -> RawConfig {
        let mut raw = RawConfig::default();
        let f = &mut raw.feed;
        f.site_url.clone_from(&self.site_url);
        f.title.clone_from(&self.title);
        f.description.clone_from(&self.description);
        f.language.clone_from(&self.language);
        f.author.clone_from(&self.author);
        f.time_zone.clone_from(&self.time_zone);
        f.article_url.clone_from(&self.article_url);
        f.id_prefix.clone_from(&self.id_prefix);
        f.feeds_url.clone_from(&self.feeds_url);
        f.limit = self.limit;
        if !self.link_hosts.is_empty() {
            f.link_hosts = Some(self.link_hosts.clone());
        }
        let b = &mut raw.build;
        b.articles.clone_from(&self.articles);
        b.out.clone_from(&self.out);
        b.encoding.clone_from(&self.encoding);
        b.max_file_size = self.max_file_size;
        b.lock_timeout = self.lock_timeout;
        b.rss_file.clone_from(&self.rss_file);
        b.atom_file.clone_from(&self.atom_file);
        b.json_file.clone_from(&self.json_file);
        if self.no_cache {
            b.cache = Some(false);
        }
        if self.follow_symlinks {
            b.follow_symlinks = Some(true);
        }
        b.min_stories_ratio = self.min_stories_ratio;
        raw.cities.extend(self.city.iter().cloned());
        raw.agencies.extend(self.agency.iter().map(|(name, url)| {
            let agency = RawAgency {
                url: url.clone(),
                title: None,
            };
            (name.clone(), agency)
        }));
        raw
    }

    fn options(&self, config: &Config) -> Result<BuildOptions, String> {
        let mut opts = BuildOptions::new(config);
        opts.formats = match self.format {
            None => config.formats.clone(),
            Some(FormatArg::Rss) => vec![Format::Rss],
            Some(FormatArg::Atom) => vec![Format::Atom],
            Some(FormatArg::Json) => vec![Format::Json],
            Some(FormatArg::All) => Format::ALL.to_vec(),
        };
        if let Some(output) = &self.output {
            if opts.formats.len() != 1 {
                return Err("--output writes one feed: add --format rss, atom or json".into());
            }
            opts.output = if output.as_os_str() == "-" {
                Output::Stdout
            } else {
                Output::File(output.clone())
            };
        }
        opts.strict = self.strict;
        opts.allow_empty = self.allow_empty;
        opts.check = !self.no_check;
        Ok(opts)
    }
}

/// Parses `NAME=VALUE`.
fn key_value(arg: &str) -> Result<(String, String), String> {
    match arg.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => {
            Ok((k.trim().to_string(), v.trim().to_string()))
        }
        _ => Err(format!("expected NAME=VALUE, got `{arg}`")),
    }
}

/// Runs `wirefeed build`.
pub fn execute(args: BuildArgs) -> ExitCode {
    let config = super::load_raw_config(args.config.as_deref()).and_then(|mut raw| {
        raw.overlay(&args.flags());
        Config::from_raw(&raw)
    });
    let config = match config {
        Ok(c) => c,
        Err(e) => {
            super::print_error(&e);
            return ExitCode::from(exit::USAGE);
        }
    };
    let opts = match args.options(&config) {
        Ok(o) => o,
        Err(msg) => {
            eprintln!("error: {msg}");
            return ExitCode::from(exit::USAGE);
        }
    };
    if !opts.check {
        eprintln!(
            "warning: --no-check: feeds are written WITHOUT validation; readers may reject them"
        );
    }
    let verbosity = if args.quiet {
        Verbosity::Quiet
    } else if args.verbose || std::io::stderr().is_terminal() {
        Verbosity::Normal {
            details: args.verbose,
        }
    } else {
        Verbosity::ProblemsOnly
    };
    let mut opts = opts;
    let progress = (verbosity != Verbosity::Quiet && std::io::stderr().is_terminal())
        .then(ProgressLine::start);
    opts.progress = progress.as_ref().map(|p| p.counters.clone());
    let result = wirefeed::build(&config, &opts);
    drop(progress);
    match result {
        Ok(report) => {
            print_report(&report, verbosity, &config.articles);
            if let Some(bytes) = &report.stdout {
                if let Err(e) = super::write_stdout(bytes) {
                    if e.kind() != std::io::ErrorKind::BrokenPipe {
                        eprintln!("error: cannot write to stdout: {e}");
                        return ExitCode::from(exit::IO);
                    }
                }
            }
            ExitCode::from(if report.refused() > 0 {
                exit::INVALID
            } else if !report.errors.is_empty() {
                exit::SKIPPED
            } else {
                exit::OK
            })
        }
        Err(e) => {
            super::print_error(&e);
            ExitCode::from(match e {
                Error::Config(_) | Error::ArticlesFolder { .. } => exit::USAGE,
                Error::Strict(_) | Error::ArchiveShrank { .. } => exit::SKIPPED,
                Error::Invalid { .. } => exit::INVALID,
                _ => exit::IO,
            })
        }
    }
}

/// A progress line on a terminal, shown only when the scan takes more than a second; cleared
/// when dropped. Never drawn for cron or pipes (stderr is not a terminal there).
struct ProgressLine {
    counters: Arc<Progress>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ProgressLine {
    fn start() -> Self {
        let counters = Arc::new(Progress::default());
        let stop = Arc::new(AtomicBool::new(false));
        let (c, s) = (counters.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            let mut drawn = false;
            while !s.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
                let (done, total) = (
                    c.scanned.load(Ordering::Relaxed),
                    c.total.load(Ordering::Relaxed),
                );
                if started.elapsed() > Duration::from_secs(1) && total > 0 && done < total {
                    eprint!(
                        "\rwirefeed: reading stories {done}/{total} ({}%)",
                        done * 100 / total
                    );
                    drawn = true;
                }
            }
            if drawn {
                eprint!("\r\x1b[K");
            }
        });
        ProgressLine {
            counters,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for ProgressLine {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Verbosity {
    Quiet,
    ProblemsOnly,
    Normal { details: bool },
}

fn print_report(r: &BuildReport, v: Verbosity, articles: &std::path::Path) {
    if r.files == 0 {
        eprintln!(
            "warning: no story files in `{}`; the feeds have no entries (check --articles)",
            shown(articles)
        );
    }
    if let Some(e) = &r.cache_error {
        eprintln!("warning: the cache was not saved ({e}); the next build reads every file again");
    }
    for e in &r.errors {
        eprintln!("error: {e}");
    }
    for feed in r.feeds.iter() {
        for f in &feed.findings {
            let level = format!("{:?}", f.severity).to_lowercase();
            if level == "error" || v != Verbosity::Quiet {
                eprintln!(
                    "{level}: {} feed, line {}:{}: {}: {}",
                    feed.format, f.line, f.column, f.code, f.message
                );
            }
        }
        if feed.status == FeedStatus::Refused {
            eprintln!(
                "error: the {} feed failed validation and was NOT written{}",
                feed.format,
                feed.path
                    .as_ref()
                    .map(|p| format!("; `{}` is untouched", p.display()))
                    .unwrap_or_default()
            );
        }
    }
    if v == Verbosity::Quiet {
        return;
    }
    for w in r.ignored.iter().chain(&r.warnings) {
        eprintln!("{w}");
    }
    let Verbosity::Normal { details } = v else {
        return;
    };
    let mut line = format!(
        "wirefeed: {} files read: {} published, {} older than the feed's newest, {} skipped",
        r.files, r.published, r.not_selected, r.skipped
    );
    if r.unreadable > 0 {
        line.push_str(&format!(
            "; {} folder(s) or file name(s) could not be read",
            r.unreadable
        ));
    }
    if !r.ignored.is_empty() {
        line.push_str(&format!(
            "; {} entries not read on purpose",
            r.ignored.len()
        ));
    }
    eprintln!("{line}");
    eprintln!(
        "related: {} resolved, {} unresolved",
        r.related_resolved, r.related_unresolved
    );
    if !r.legacy_encodings.is_empty() {
        eprintln!("not UTF-8: {} file(s)", r.legacy_encodings.len());
        if details {
            for (path, enc) in &r.legacy_encodings {
                eprintln!("  {path}: {enc}");
            }
        }
    }
    if details {
        eprintln!(
            "cache: {} of {} files unchanged{}{}",
            r.from_cache,
            r.files,
            r.cache_note
                .as_ref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default(),
            if r.up_to_date {
                "; feeds up to date, not rendered"
            } else {
                ""
            }
        );
    }
    for feed in &r.feeds {
        let status = match feed.status {
            FeedStatus::Written => "written",
            FeedStatus::Unchanged => "unchanged",
            FeedStatus::Returned => "stdout",
            FeedStatus::Refused => "REFUSED",
        };
        let place = feed
            .path
            .as_ref()
            .map(|p| shown(p))
            .unwrap_or_else(|| "-".into());
        eprintln!("{} {place}: {status}", feed.format);
    }
}
