//! A story's problems: typed so that both the CLI and library users can tell a person which
//! file, which line, what was expected and what to do about it.
//!
//! They are values, not failures of the run: a bad story is reported and skipped, and the rest
//! of the archive is still published. They are serialisable because the per-file cache
//! remembers them between runs, so a rerun reports the same problems without reading the file
//! again.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Diagnostic, Level};

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
    /// The story's metadata file (sidecar) is missing a requirement; the story is not published.
    #[error("{0}; the story is not published until its metadata is fixed")]
    Meta(String),
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
    /// Two different tags would have the same folder under `tags/`.
    #[error("tag «{}» and tag «{}» (in `{}`) both make the folder `tags/{}/`; neither tag feed is written: spell one of them like the other, or differently", .0.tag, .0.other, .0.other_file, .0.slug)]
    TagSlug(Box<TagClash>),
}

/// Two tags whose folders under `tags/` would be the same (boxed in the error: rare, and
/// four strings would double every error record).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagClash {
    /// This sidecar's tag.
    pub tag: String,
    /// The other tag.
    pub other: String,
    /// The other tag's sidecar, relative to the articles folder.
    pub other_file: String,
    /// The shared slug.
    pub slug: String,
}

/// A story file that could not be published, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{}", Diagnostic::new(path, Level::Error, kind.to_string()).at(*line, column.map(|c| c as usize)))]
pub struct ArticleError {
    /// The file, as the user named it (articles folder joined with the relative path).
    pub path: PathBuf,
    /// 1-based line number, where the problem has one.
    pub line: Option<usize>,
    /// 1-based column in characters on that line, where the problem has one.
    #[serde(default)]
    pub column: Option<u32>,
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
    /// A story's photo that cannot be published; the story is published without it.
    #[error("photo: {0}")]
    Photo(String),
    /// An entry of the articles folder that is not read, on purpose (a link, a FIFO…).
    #[error("skipped: {0}")]
    Skipped(String),
}

/// A warning about one story, with where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{}", Diagnostic::new(path, Level::Warning, kind.to_string()).at(*line, None))]
pub struct ArticleWarning {
    /// The file.
    pub path: PathBuf,
    /// 1-based line number, where the warning has one.
    pub line: Option<usize>,
    /// What was noticed.
    pub kind: ArticleWarningKind,
}
