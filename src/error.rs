//! Errors and warnings, typed so that both the CLI and library users can tell a person which
//! file, which line, what was expected and what to do about it.
//!
//! Per-file problems ([`ArticleError`], [`ArticleWarning`]) are values, not failures of the run:
//! a bad story is reported and skipped, and the rest of the archive is still published. They are
//! serialisable because the per-file [`crate::cache`] remembers them between runs, so a rerun
//! reports the same problems without reading the file again.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// What the dateline of a story should look like; quoted in messages so people can fix the file.
pub const DATELINE_EXAMPLE: &str = "ДУШАНБЕ, 18.06.2025 /НИАТ «Ховар»/.";

/// Why one story file could not be published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[non_exhaustive]
pub enum ArticleErrorKind {
    /// The file could not be read at all.
    #[error("cannot read the file: {0}")]
    Io(String),
    /// A folder of the archive could not be read; its stories are not published.
    #[error("cannot read the folder: {0}; its stories are not published (check its permissions)")]
    Folder(String),
    /// The file's name cannot become an id.
    #[error("{0}")]
    FileName(String),
    /// The path names a FIFO, a device, a folder or a link that is not followed.
    #[error("it is {0}, not a regular file; only regular story files are read")]
    NotAFile(String),
    /// The file is bigger than the configured cap.
    #[error("the file is {size} bytes, more than the {cap}-byte limit (raise `max_file_size` in wirefeed.toml if this is really a story)")]
    TooLarge {
        /// Size of the file in bytes.
        size: u64,
        /// The configured cap in bytes.
        cap: u64,
    },
    /// The file has no bytes.
    #[error("the file is empty; expected a headline on line 1 and a dateline on line 2")]
    Empty,
    /// The file has only whitespace.
    #[error(
        "the file has only blank lines; expected a headline on line 1 and a dateline on line 2"
    )]
    OnlyBlank,
    /// The file is not text (an image, an archive…).
    #[error(
        "binary content ({reason}); this is not a text story, remove it from the articles folder"
    )]
    Binary {
        /// What gave it away.
        reason: String,
    },
    /// The bytes are neither UTF-8 nor a recognised legacy encoding.
    #[error("the text is not valid UTF-8 ({detail}) and does not look like Windows-1251, KOI8-R or CP866; save it as UTF-8 or set `encoding` in wirefeed.toml / --encoding")]
    Undecodable {
        /// Where decoding failed.
        detail: String,
    },
    /// A forced encoding could not decode the bytes.
    #[error("the text is not valid {encoding}; check the `encoding` setting")]
    BadForcedEncoding {
        /// The encoding that was forced.
        encoding: String,
    },
    /// The file has a headline and nothing else.
    #[error("the story has a headline but no dateline or text; expected line 2 to start with a dateline like `{DATELINE_EXAMPLE}`")]
    HeadlineOnly,
    /// Line 1 is missing: the file starts with a dateline.
    #[error("expected a headline on this line, found a dateline; put the headline on the line before it")]
    MissingHeadline,
    /// The dateline is missing or does not follow `CITY, DATE /AGENCY/.`.
    #[error("expected a dateline like `{DATELINE_EXAMPLE}` (CITY, DATE /AGENCY/.), found `{found}`: {problem}")]
    BadDateline {
        /// The start of the offending line.
        found: String,
        /// What exactly is wrong.
        problem: String,
    },
    /// The date is well-formed but does not exist (31.02.2025) or is out of range.
    #[error("the date `{found}` {problem}")]
    BadDate {
        /// The date as written.
        found: String,
        /// What is wrong with it.
        problem: String,
    },
    /// Two files map to the same id or URL.
    #[error("{what} `{value}` is also the {what} of `{other}`; rename one of the two files")]
    Duplicate {
        /// `id` or `URL`.
        what: String,
        /// The shared value.
        value: String,
        /// The other file, relative to the articles folder.
        other: String,
    },
}

/// A story file that could not be published, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{}{}: {kind}", shown(path), line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct ArticleError {
    /// The file, as the user named it (articles folder joined with the relative path).
    pub path: PathBuf,
    /// 1-based line number, where the problem has one.
    pub line: Option<usize>,
    /// What went wrong.
    pub kind: ArticleErrorKind,
}

/// Something odd about a story that was still published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[non_exhaustive]
pub enum ArticleWarningKind {
    /// The dateline city is not in the city table.
    #[error("unknown city `{city}`; its time is taken as {zone} (add it under [cities] in wirefeed.toml)")]
    UnknownCity {
        /// The city as written.
        city: String,
        /// The fallback zone used.
        zone: String,
    },
    /// Characters that XML 1.0 forbids (or invisible controls) were removed.
    #[error("removed {count} control character(s) not allowed in feeds (first: {first})")]
    ControlCharsRemoved {
        /// How many characters were removed on this line.
        count: usize,
        /// The first one, as `U+XXXX`.
        first: String,
    },
    /// Bytes that are not valid in the detected encoding were replaced by U+FFFD.
    #[error("{count} malformed byte sequence(s) replaced by U+FFFD")]
    Replaced {
        /// How many replacements.
        count: usize,
    },
    /// An entry of the articles folder that is not read, on purpose (a link, a FIFO…).
    #[error("skipped: {0}")]
    Skipped(String),
}

/// A warning about one story, with where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{}{}: warning: {kind}", shown(path), line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct ArticleWarning {
    /// The file.
    pub path: PathBuf,
    /// 1-based line number, where the warning has one.
    pub line: Option<usize>,
    /// What was noticed.
    pub kind: ArticleWarningKind,
}

/// Errors that stop a whole run (as opposed to per-file problems).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// A file or folder could not be read or written.
    #[error("{action} `{}`: {source}", shown(path))]
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
    /// A feed failed validation and was not written.
    #[error(
        "{count} feed(s) failed validation and were not written (the previous files are untouched)"
    )]
    Invalid {
        /// How many feeds were refused.
        count: usize,
    },
    /// `--strict` was given and a story could not be published.
    #[error("--strict: {0}")]
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
    #[error("cannot render the {format} feed: {message}")]
    Render {
        /// The format.
        format: &'static str,
        /// Why.
        message: String,
    },
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

/// A path as it may be shown in a message or a log: control characters (a newline could forge a
/// log line, an escape sequence could rewrite the terminal), bidirectional overrides and line
/// separators are escaped, and bytes that are not UTF-8 are shown as `\xNN` from the name's real
/// bytes rather than as a lossy `�`, so two different names never look alike.
pub fn shown(path: &Path) -> String {
    let bytes = path.as_os_str().as_encoded_bytes();
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_control()
                || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
            {
                out.extend(c.escape_default());
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_escapes_what_could_forge_a_line() {
        assert_eq!(shown(Path::new("a/b c.txt")), "a/b c.txt");
        assert_eq!(shown(Path::new("шос.txt")), "шос.txt");
        assert_eq!(
            shown(Path::new("x\nerror: forged.txt")),
            "x\\nerror: forged.txt"
        );
        assert_eq!(
            shown(Path::new("\u{1b}[2Jx\u{202E}")),
            "\\u{1b}[2Jx\\u{202e}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn shown_keeps_non_utf8_bytes_apart() {
        use std::os::unix::ffi::OsStrExt;
        let a = shown(Path::new(std::ffi::OsStr::from_bytes(b"caf\xE9.txt")));
        let b = shown(Path::new(std::ffi::OsStr::from_bytes(b"caf\xE8.txt")));
        assert_eq!(a, "caf\\xE9.txt");
        assert_ne!(a, b);
    }
}
