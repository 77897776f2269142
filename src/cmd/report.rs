//! The build's summary and problems on stderr.

use wirefeed::build::{BuildReport, FeedStatus};
use wirefeed::diagnostic::shown;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    Quiet,
    ProblemsOnly,
    Normal { details: bool },
}

pub fn print_report(r: &BuildReport, v: Verbosity, articles: &std::path::Path) {
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
