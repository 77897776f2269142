//! One module per subcommand, each a short `execute()` over the library.

pub mod build;
pub mod check;
pub mod history;
pub mod inspect;
mod progress;
mod report;
pub mod shell;
pub mod watch;

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use wirefeed::config::{ConfigError, RawConfig, DEFAULT_CONFIG_FILE};

/// The flags `build` and `watch` share about what they may publish.
#[derive(clap::Args)]
pub struct GuardArgs {
    /// Publish even an empty or much smaller archive over feeds that have entries.
    #[arg(long)]
    allow_empty: bool,
    /// EMERGENCY ONLY: write feeds without validating them.
    #[arg(long)]
    no_check: bool,
}

impl GuardArgs {
    /// Sets the build options these flags stand for.
    pub fn apply(&self, opts: &mut wirefeed::BuildOptions) {
        opts.allow_empty = self.allow_empty;
        opts.check = !self.no_check;
    }

    /// Says loudly, once, that feeds go out unchecked.
    pub fn warn(&self) {
        if self.no_check {
            eprintln!(
                "warning: --no-check: feeds are written WITHOUT validation; readers may reject them"
            );
        }
    }
}

/// Loads `--config FILE`, or `wirefeed.toml` when present, or nothing.
pub fn load_raw_config(explicit: Option<&Path>) -> Result<RawConfig, ConfigError> {
    match explicit {
        Some(path) => RawConfig::load(path),
        None => {
            let default = PathBuf::from(DEFAULT_CONFIG_FILE);
            if default.is_file() {
                RawConfig::load(&default)
            } else {
                Ok(RawConfig::default())
            }
        }
    }
}

/// Writes to stdout; a closed pipe (`| head`) is not an error worth a message.
pub fn write_stdout(bytes: &[u8]) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(bytes).and_then(|()| out.flush())
}

/// Prints an error and its causes on one line, each once: `error: what: why: why`.
pub fn print_error(err: &dyn std::error::Error) {
    let mut msg = format!("error: {err}");
    let mut source = err.source();
    while let Some(s) = source {
        msg.push_str(&format!(": {s}"));
        source = s.source();
    }
    eprintln!("{msg}");
}

/// Set by the signal thread once it has started cleaning up and exiting.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// On SIGHUP, SIGINT or SIGTERM: removes the temporary files of the writes in progress, says so
/// on one line and exits with 128 + the signal's number.
///
/// The work is done on an ordinary thread woken by `signal-hook`, not inside a signal handler,
/// where removing files, taking locks and printing are not allowed.
#[cfg(unix)]
pub fn clean_up_on_signal() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    use signal_hook::iterator::Signals;

    let spawned = std::thread::Builder::new()
        .name("signals".into())
        .spawn(|| {
            let mut signals = match Signals::new([SIGHUP, SIGINT, SIGTERM]) {
                Ok(s) => s,
                Err(e) => {
                    // The default action (exit) still applies; the next build removes the
                    // temporary files left behind.
                    eprintln!("warning: cannot handle signals ({e}); an interrupted build may leave temporary files");
                    return;
                }
            };
            if let Some(signal) = signals.forever().next() {
                INTERRUPTED.store(true, Ordering::SeqCst);
                // Held until the process exits: the main thread prints nothing after this line.
                let mut err = io::stderr().lock();
                wirefeed::output::remove_temp_files();
                let name = match signal {
                    SIGHUP => "SIGHUP",
                    SIGINT => "SIGINT",
                    _ => "SIGTERM",
                };
                let _ = writeln!(
                    err,
                    "wirefeed: interrupted by {name}; temporary files removed, \
                     no feed left half-written"
                );
                std::process::exit(crate::exit::SIGNALLED + signal);
            }
        });
    if let Err(e) = spawned {
        eprintln!(
            "warning: cannot handle signals ({e}); an interrupted build may leave temporary files"
        );
    }
}

/// Signals are left to their default action where `signal-hook` does not run.
#[cfg(not(unix))]
pub fn clean_up_on_signal() {}

/// Once a signal is being handled the process is about to exit with its code: the main thread
/// must not finish first with another one.
pub fn wait_if_interrupted() {
    if INTERRUPTED.load(Ordering::SeqCst) {
        loop {
            std::thread::park();
        }
    }
}
