//! What a build is asked to do beyond the configuration, and what it did.

use super::history::LedgerOutcome;
use std::path::PathBuf;
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::article::{ArticleError, ArticleWarning};
use crate::config::Config;
use crate::feed::Format;
use crate::validate::Finding;
use crate::websub::PingFailure;

/// Where the feeds go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Each format to its configured file name in the output folder.
    Folder,
    /// One format to this file.
    File(PathBuf),
    /// One format to the caller (the CLI writes it to stdout); nothing is written to disk.
    Stdout,
}

/// How to run a build, beyond the configuration.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Formats to produce.
    pub formats: Vec<Format>,
    /// Where to put them.
    pub output: Output,
    /// Fail on the first story that cannot be published.
    pub strict: bool,
    /// Write the feeds even when the archive lost most of the stories they carry (or all).
    pub allow_empty: bool,
    /// Validate each document before writing it (the default; `--no-check` turns it off).
    pub check: bool,
    /// The build clock ([`crate::clock::now`]): the time of the "date in the future" rule;
    /// `None` skips that rule.
    pub now: Option<DateTime<Utc>>,
    /// Counters updated while the archive is scanned, for a progress display.
    pub progress: Option<Arc<Progress>>,
    /// What a long-running caller keeps from one build to the next (`wirefeed watch`).
    pub session: Option<Arc<super::Session>>,
}

/// How far the scan of a build has got; safe to read from another thread while it runs.
#[derive(Debug, Default)]
pub struct Progress {
    /// Story files found by the walk (0 until the walk is done).
    pub total: AtomicUsize,
    /// Story files scanned so far.
    pub scanned: AtomicUsize,
}

impl BuildOptions {
    /// Options that write the configured formats to the output folder, with checks on.
    pub fn new(config: &Config) -> Self {
        BuildOptions {
            formats: config.formats.clone(),
            output: Output::Folder,
            strict: false,
            allow_empty: false,
            check: true,
            // A `SOURCE_DATE_EPOCH` that is not a time leaves the rules that need "now" off here;
            // the CLI refuses it before building (see `clock`).
            now: crate::clock::now().ok(),
            progress: None,
            session: None,
        }
    }
}

/// What happened to one feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedStatus {
    /// Written to its file.
    Written,
    /// Its file already had these bytes.
    Unchanged,
    /// Rendered for the caller (stdout).
    Returned,
    /// Refused by the validator; the old file is untouched.
    Refused,
}

/// What a written document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Document {
    /// A feed in one format.
    Feed(Format),
    /// A feed set's `index.html`.
    FrontPage,
    /// `feeds.opml`, the list of every feed.
    Opml,
    /// `feed.xsl`, the feeds' stylesheet for browsers.
    Stylesheet,
    /// Page `n` (from 1) of a news sitemap that needs an index: `news-sitemap-N.xml`.
    SitemapPage(usize),
}

impl std::fmt::Display for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Document::Feed(format) => write!(f, "{format} feed"),
            Document::FrontPage => f.write_str("front page"),
            Document::Opml => f.write_str("OPML subscription list"),
            Document::Stylesheet => f.write_str("feed stylesheet"),
            Document::SitemapPage(n) => write!(f, "news sitemap page {n}"),
        }
    }
}

/// One feed set of the build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetOutcome {
    /// Its name.
    pub name: String,
    /// Its folder (under the output folder); empty for the output folder itself.
    pub path: String,
    /// Stories it takes in the whole archive.
    pub stories: usize,
    /// Entries in its feeds.
    pub published: usize,
}

/// One document of the build: a feed, a front page, the OPML list or the stylesheet.
#[derive(Debug, Clone)]
pub struct FeedOutcome {
    /// What it is.
    pub document: Document,
    /// The feed set it belongs to (by name), if any.
    pub set: Option<String>,
    /// The file, unless the feed went to the caller.
    pub path: Option<PathBuf>,
    /// What happened.
    pub status: FeedStatus,
    /// The validator's findings (errors make the feed refused).
    pub findings: Vec<Finding>,
}

/// Everything a build did, for the summary and the exit code.
#[derive(Debug, Clone, Default)]
pub struct BuildReport {
    /// Story files found.
    pub files: usize,
    /// Files whose facts came from the cache.
    pub from_cache: usize,
    /// Why the cache was rebuilt, if it was.
    pub cache_note: Option<String>,
    /// Nothing changed since the last build: the feeds were neither rendered nor checked again.
    pub up_to_date: bool,
    /// Stories that parsed.
    pub stories: usize,
    /// Stories in at least one feed.
    pub published: usize,
    /// Stories in no feed: older than the newest `limit` of every set that takes them.
    pub not_selected: usize,
    /// Story files that could not be published:
    /// `files = published + not_selected + skipped + withdrawn + embargoed`.
    pub skipped: usize,
    /// Image files in the archive (photos, never stories).
    pub photos: usize,
    /// Stories their desk withdrew (not errors).
    pub withdrawn: usize,
    /// Stories held back by an embargo (not errors).
    pub embargoed: usize,
    /// When the next embargo lifts.
    pub next_embargo: Option<DateTime<Utc>>,
    /// When the documents change next though no file does: a tombstone expires, or a story
    /// leaves the news sitemap's 48-hour window.
    pub expires: Option<DateTime<Utc>>,
    /// Folders that could not be read and file names that cannot be published (not in `files`).
    pub unreadable: usize,
    /// Files that could not be published, and folders or names that could not be read.
    pub errors: Vec<ArticleError>,
    /// Problems in published files.
    pub warnings: Vec<ArticleWarning>,
    /// Entries of the articles folder passed over on purpose (links not followed, FIFOs…).
    pub ignored: Vec<ArticleWarning>,
    /// The cache file, when the cache is used.
    pub cache: Option<PathBuf>,
    /// Why the cache could not be saved, if it could not (the feeds were still written).
    pub cache_error: Option<String>,
    /// Files that were not UTF-8: (relative path, encoding).
    pub legacy_encodings: Vec<(String, String)>,
    /// Related headlines linked to a story.
    pub related_resolved: usize,
    /// Related headlines with no matching story.
    pub related_unresolved: usize,
    /// The feed sets, in order.
    pub sets: Vec<SetOutcome>,
    /// The documents written (feeds first).
    pub feeds: Vec<FeedOutcome>,
    /// The document for [`Output::Stdout`].
    pub stdout: Option<Vec<u8>>,
    /// WebSub pings the hubs accepted (one per hub and written feed).
    pub pings: usize,
    /// WebSub pings that failed after their retries: warnings, the feeds are written.
    pub ping_failures: Vec<PingFailure>,
    /// What the build did to the publication ledger, when it keeps one.
    pub ledger: Option<LedgerOutcome>,
    /// What became of the RFC 5005 archive documents, when the build makes them.
    pub archives: Option<ArchiveOutcome>,
}

/// What became of the RFC 5005 archive documents (one per month and format).
#[derive(Debug, Clone, Default)]
pub struct ArchiveOutcome {
    /// Months with stories, each one document per archive format.
    pub months: usize,
    /// Documents written: new, or their bytes changed.
    pub written: Vec<PathBuf>,
    /// Documents left as they were: not made again, or made to the same bytes.
    pub kept: usize,
    /// Documents of months left without a story, removed.
    pub removed: Vec<PathBuf>,
    /// Documents made with validator findings (refused ones, with errors, were not written).
    pub checked: Vec<FeedOutcome>,
}

impl BuildReport {
    /// When a build would next publish something else with no file changed: an embargo lifts,
    /// a tombstone expires or a story leaves the news sitemap's window.
    pub fn next_change(&self) -> Option<DateTime<Utc>> {
        match (self.next_embargo, self.expires) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

impl ArchiveOutcome {
    /// Documents refused by the validator.
    pub fn refused(&self) -> usize {
        self.checked
            .iter()
            .filter(|f| f.status == FeedStatus::Refused)
            .count()
    }
}

impl BuildReport {
    /// Feeds (and archive documents) refused by the validator.
    pub fn refused(&self) -> usize {
        self.feeds
            .iter()
            .filter(|f| f.status == FeedStatus::Refused)
            .count()
            + self.archives.as_ref().map_or(0, ArchiveOutcome::refused)
    }
}
