//! The build's problems and summary on stderr, every line in the one diagnostic shape
//! (`path:line[:col]: severity: [code: ]message`), so that cron mail, `grep` and editors read
//! them alike. On a terminal (or with `--color always`) severities are coloured and a story error
//! shows its source line with a caret, as rustc does.

use std::path::{Path, PathBuf};

use anstyle::{AnsiColor, Style};
use wirefeed::article::{self, ArticleError, ParseOptions};
use wirefeed::build::{BuildReport, FeedStatus};
use wirefeed::diagnostic::{snippet, Diagnostic, Level};
use wirefeed::validate::Severity;

/// How much to say.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    /// Errors only.
    Quiet,
    /// Errors and warnings (cron: silence when all is well).
    ProblemsOnly,
    /// Also the summary; `details` adds per-file encodings and the cache.
    Normal {
        /// `--verbose`.
        details: bool,
    },
}

/// How to say it.
#[derive(Clone, Copy)]
pub struct Printer<'a> {
    /// What to print.
    pub verbosity: Verbosity,
    /// Colours and source snippets (a terminal, or `--color always`).
    pub color: bool,
    /// How stories are read, to show an error's source line.
    pub parse: &'a ParseOptions,
}

/// Where the build read and wrote, for the messages that are about a folder.
pub struct Places<'a> {
    /// The articles folder.
    pub articles: &'a Path,
    /// The cache file, when the cache is used.
    pub cache: Option<PathBuf>,
}

impl Printer<'_> {
    fn emit(&self, d: &Diagnostic<'_>) {
        if !self.color {
            eprintln!("{d}");
            return;
        }
        let style = match d.level {
            Level::Error => Style::new().bold().fg_color(Some(AnsiColor::Red.into())),
            Level::Warning => Style::new().bold().fg_color(Some(AnsiColor::Yellow.into())),
            Level::Note => Style::new().bold().fg_color(Some(AnsiColor::Cyan.into())),
        };
        let code = d.code.map(|c| format!("{c}: ")).unwrap_or_default();
        eprintln!(
            "{}: {style}{}{style:#}: {code}{}",
            d.location(),
            d.level,
            d.message
        );
    }

    /// A story error, with its source line under it on a terminal.
    fn story_error(&self, e: &ArticleError) {
        eprintln!("{}", self.paint_error(e));
        if let (true, Some(line), Some(column)) = (self.color, e.line, e.column) {
            if let Some(text) = article::source_line(&e.path, line, self.parse) {
                let blue = Style::new().bold().fg_color(Some(AnsiColor::Blue.into()));
                eprintln!("{blue}{}{blue:#}", snippet(line, &text, column as usize));
            }
        }
    }

    fn paint_error(&self, e: &ArticleError) -> String {
        let plain = e.to_string();
        if !self.color {
            return plain;
        }
        let red = Style::new().bold().fg_color(Some(AnsiColor::Red.into()));
        plain.replacen(": error: ", &format!(": {red}error{red:#}: "), 1)
    }

    fn note(&self, path: &Path, message: String) {
        self.emit(&Diagnostic::new(path, Level::Note, message));
    }
}

/// Prints what went wrong, then (unless quiet) warnings and the summary.
pub fn print_report(r: &BuildReport, p: Printer<'_>, places: &Places<'_>) {
    if r.files == 0 {
        p.emit(&Diagnostic::new(
            places.articles,
            Level::Warning,
            "no story files; the feeds have no entries (check --articles)",
        ));
    }
    if let (Some(why), Some(cache)) = (&r.cache_error, &places.cache) {
        let message = format!("not saved ({why}); the next build reads every file again");
        p.emit(&Diagnostic::new(cache, Level::Warning, message));
    }
    for e in &r.errors {
        p.story_error(e);
    }
    // A set that takes no story while the archive has some is most likely a filter's typo.
    if r.stories > 0 && p.verbosity != Verbosity::Quiet {
        for set in r.sets.iter().filter(|s| s.stories == 0) {
            let message = format!(
                "feed set `{}` takes none of the {} stories; its feeds have no entries (check its `languages`, `tags`, `cities` and `agencies`)",
                set.name, r.stories
            );
            p.emit(&Diagnostic::new(places.articles, Level::Warning, message));
        }
    }
    let stdout = PathBuf::from("-");
    let archived = r.archives.iter().flat_map(|a| &a.checked);
    for feed in r.feeds.iter().chain(archived) {
        let path = feed.path.as_deref().unwrap_or(&stdout);
        for f in &feed.findings {
            let level = match f.severity {
                Severity::Error => Level::Error,
                Severity::Warning => Level::Warning,
            };
            if level == Level::Error || p.verbosity != Verbosity::Quiet {
                p.emit(
                    &Diagnostic::new(path, level, f.message.clone())
                        .at(Some(f.line), Some(f.column))
                        .code(f.code),
                );
            }
        }
        if feed.status == FeedStatus::Refused {
            let message = format!(
                "the {} failed validation and was NOT written; the file on disk is untouched",
                feed.document
            );
            p.emit(&Diagnostic::new(path, Level::Error, message));
        }
    }
    if p.verbosity == Verbosity::Quiet {
        return;
    }
    for w in r.ignored.iter().chain(&r.warnings) {
        eprintln!("{}", p.paint_warning(w));
    }
    // The hub's URL is the place: it is configuration, so it holds no story text to escape.
    for f in &r.ping_failures {
        let message = format!(
            "WebSub ping for {} failed: {}; its subscribers will see the change at their next poll",
            f.feed, f.reason
        );
        p.emit(&Diagnostic::new(
            Path::new(f.hub.as_str()),
            Level::Warning,
            message,
        ));
    }
    if let Verbosity::Normal { details } = p.verbosity {
        // Once in the life of an archive: the times of date-only stories are chosen from now.
        if let Some(ledger) = r.ledger.as_ref().filter(|l| l.created) {
            let message = "created the publication ledger: from now on it records when each story was first seen, corrected, withdrawn or deleted (never delete it; see README)";
            p.note(&ledger.path, message.to_string());
        }
        print_summary(r, p, places, details, &stdout);
    }
}

impl Printer<'_> {
    fn paint_warning(&self, w: &wirefeed::article::ArticleWarning) -> String {
        let plain = w.to_string();
        if !self.color {
            return plain;
        }
        let yellow = Style::new().bold().fg_color(Some(AnsiColor::Yellow.into()));
        plain.replacen(": warning: ", &format!(": {yellow}warning{yellow:#}: "), 1)
    }
}

/// The counts (they add up: files = published + older + skipped), encodings, cache and what
/// became of each feed, as notes.
fn print_summary(
    r: &BuildReport,
    p: Printer<'_>,
    places: &Places<'_>,
    details: bool,
    stdout: &Path,
) {
    let mut line = format!(
        "{} files read: {} published, {} older than the feed's newest, {} skipped",
        r.files, r.published, r.not_selected, r.skipped
    );
    if r.withdrawn > 0 {
        line.push_str(&format!(", {} withdrawn", r.withdrawn));
    }
    if r.embargoed > 0 {
        line.push_str(&format!(", {} under embargo", r.embargoed));
    }
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
    if r.photos > 0 {
        line.push_str(&format!("; {} photo file(s)", r.photos));
    }
    p.note(places.articles, line);
    if let Some(next) = r.next_embargo {
        let message = format!("the next embargo lifts at {}", next.to_rfc3339());
        p.note(places.articles, message);
    }
    p.note(
        places.articles,
        format!(
            "related headlines: {} resolved, {} unresolved",
            r.related_resolved, r.related_unresolved
        ),
    );
    if let Some(l) = &r.ledger {
        let message = format!(
            "ledger: {} new, {} corrected, {} withdrawn or deleted, {} back; {} tombstone(s) in the Atom feeds",
            l.new, l.corrected, l.gone, l.restored, l.tombstones
        );
        p.note(&l.path, message);
    }
    if r.pings > 0 || !r.ping_failures.is_empty() {
        let message = format!(
            "WebSub: {} ping(s) accepted, {} failed",
            r.pings,
            r.ping_failures.len()
        );
        p.note(places.articles, message);
    }
    if !r.legacy_encodings.is_empty() {
        let n = r.legacy_encodings.len();
        p.note(places.articles, format!("{n} file(s) not in UTF-8"));
        if details {
            for (path, encoding) in &r.legacy_encodings {
                p.note(
                    &places.articles.join(path),
                    format!("decoded from {encoding}"),
                );
            }
        }
    }
    if let (true, Some(cache)) = (details, &places.cache) {
        let note = r
            .cache_note
            .as_ref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        let skipped = if r.up_to_date {
            "; feeds up to date, not rendered"
        } else {
            ""
        };
        let message = format!(
            "{} of {} files unchanged{note}{skipped}",
            r.from_cache, r.files
        );
        p.note(cache, message);
    }
    // One line per feed set: its counts and, in short, what became of its files; with
    // `--verbose`, a line per document instead, then the documents of the whole output (the
    // OPML list, the stylesheet).
    let status_of = |f: &wirefeed::build::FeedOutcome| match f.status {
        FeedStatus::Written => "written",
        FeedStatus::Unchanged => "unchanged",
        FeedStatus::Returned => "written to stdout",
        FeedStatus::Refused => "REFUSED",
    };
    for set in &r.sets {
        let docs: Vec<&wirefeed::build::FeedOutcome> = r
            .feeds
            .iter()
            .filter(|f| f.set.as_deref() == Some(set.name.as_str()))
            .collect();
        let folder = docs
            .iter()
            .find_map(|f| f.path.as_deref().and_then(Path::parent))
            .unwrap_or(stdout);
        let mut message = format!(
            "feed set `{}`: {} {}, {} published",
            set.name,
            set.stories,
            if set.stories == 1 { "story" } else { "stories" },
            set.published,
        );
        if !details {
            let files: Vec<String> = docs
                .iter()
                .map(|f| {
                    let name = match f.path.as_deref().and_then(Path::file_name) {
                        Some(name) => name.to_string_lossy().into_owned(),
                        None => f.document.to_string(),
                    };
                    format!("{name} {}", status_of(f))
                })
                .collect();
            message = format!("{message}; {}", files.join(", "));
        }
        p.note(folder, message);
        if details {
            for f in docs {
                let path = f.path.as_deref().unwrap_or(stdout);
                p.note(path, format!("{} {}", f.document, status_of(f)));
            }
        }
    }
    for feed in r.feeds.iter().filter(|f| f.set.is_none()) {
        let path = feed.path.as_deref().unwrap_or(stdout);
        p.note(path, format!("{} {}", feed.document, status_of(feed)));
    }
    if let Some(a) = &r.archives {
        print_archives(a, p, places);
    }
}

/// One line for the RFC 5005 archive documents; with `--verbose`, a line per document
/// written or removed.
fn print_archives(a: &wirefeed::build::ArchiveOutcome, p: Printer<'_>, places: &Places<'_>) {
    let mut line = format!(
        "archives: {} {}, {} written",
        a.months,
        if a.months == 1 { "month" } else { "months" },
        a.written.len()
    );
    if !a.removed.is_empty() {
        line.push_str(&format!(", {} removed", a.removed.len()));
    }
    if a.refused() > 0 {
        line.push_str(&format!(", {} REFUSED", a.refused()));
    }
    // The folder of the documents, when one was written or removed; else the articles'.
    let folder = a
        .written
        .iter()
        .chain(&a.removed)
        .find_map(|f| f.parent())
        .unwrap_or(places.articles);
    p.note(folder, line);
    if let Verbosity::Normal { details: true } = p.verbosity {
        for path in &a.written {
            p.note(path, "archive document written".into());
        }
        for path in &a.removed {
            p.note(
                path,
                "archive document removed: its month has no story any more".into(),
            );
        }
    }
}
