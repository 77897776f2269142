//! Errors that stop a whole run, as opposed to a story's problems ([`ArticleError`]), which are
//! reported and skipped.

use std::path::PathBuf;

use crate::article::ArticleError;
use crate::diagnostic::shown;
use crate::format::Format;

/// Errors that stop a whole run (as opposed to per-file problems).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// A file or folder could not be read or written.
    #[error("{action} `{}`", shown(path))]
    Io {
        /// What was being done ("cannot read", "cannot write"…).
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Another build holds the lock on the output folder.
    #[error("another wirefeed build is writing to `{}` (lock file `{}` is held); waited {waited_secs} s. Try again later, or raise --lock-timeout", shown(dir), shown(lock))]
    Locked {
        /// The output folder.
        dir: PathBuf,
        /// The lock file.
        lock: PathBuf,
        /// How long we waited.
        waited_secs: u64,
    },
    /// `--strict` was given and a story could not be published.
    #[error("{0}")]
    Strict(ArticleError),
    /// The articles folder cannot be read.
    #[error(
        "cannot read the articles folder `{}`; pass --articles DIR or set `articles` under [build]",
        shown(path)
    )]
    ArticlesFolder {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The archive lost most of the stories the feeds on disk carry: publishing would empty them.
    #[error("only {present} of the {published} stories in the published feeds are still in `{}` ({stories} stories found; `min_stories_ratio` is {ratio}): refusing to replace the feeds, which are untouched. Is the archive mounted, and the path right? Pass --allow-empty to publish anyway", shown(articles))]
    ArchiveShrank {
        /// Stories of the published feeds still in the archive.
        present: usize,
        /// Stories in the published feeds.
        published: usize,
        /// Stories found in the archive.
        stories: usize,
        /// The configured ratio.
        ratio: f64,
        /// The articles folder.
        articles: PathBuf,
    },
    /// A feed could not be rendered.
    #[error("cannot render the {format} feed")]
    Render {
        /// The format.
        format: Format,
        /// Why.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The publication ledger cannot be used (exit 4): it is left as it was.
    #[error(transparent)]
    Ledger(#[from] crate::ledger::LedgerError),
    /// The OPML subscription list could not be rendered.
    #[error("cannot render the OPML subscription list")]
    Opml(#[source] std::io::Error),
}

impl Error {
    /// Wraps an I/O error with the action and path it happened on.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
