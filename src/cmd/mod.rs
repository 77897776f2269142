//! One module per subcommand, each a short `execute()` over the library.

pub mod build;
pub mod check;
pub mod inspect;
mod progress;
mod report;

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use wirefeed::config::{ConfigError, RawConfig, DEFAULT_CONFIG_FILE};

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

/// Prints an error and its causes to stderr.
pub fn print_error(err: &dyn std::error::Error) {
    let mut msg = format!("error: {err}");
    let mut source = err.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !msg.contains(&text) {
            msg.push_str(&format!("\n  caused by: {text}"));
        }
        source = s.source();
    }
    eprintln!("{msg}");
}
