//! RFC 5005 archived feeds: with `archives = true`, every story of the main feed set goes into
//! exactly one archive document, that of the calendar month of its publication time (in its own
//! UTC offset), in Atom (`archive/YYYY-MM.xml`) and RSS (`archive/YYYY-MM.rss.xml`). The
//! documents are chained with `prev-archive` / `next-archive`, point at the subscription feed
//! with `current`, and the subscription feed points at the newest one.
//!
//! An archive document lists its month's stories: each entry has the story's headline, link,
//! id, times, author, tags and language, and no text. The text is one click away on the
//! story's page, and the newest stories carry it in the subscription feed; with it, a month of
//! an agency's wire is some 10 MB, more than feed readers fetch, and 100,000 stories make 1.8 GB
//! of archives (measured: a full build 18.8 times as long).
//!
//! A month is made only when it changed: each month has a key computed from the scan's facts
//! alone (no story file is read), and a month whose key is the one its files were written from,
//! and whose files are the ones written (one `stat` each), is left alone. Months are made one
//! after the other; each month's headlines are read in parallel.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use chrono::Datelike;
use rayon::prelude::*;
use url::Url;

use super::documents;
use super::sets::FeedSet;
use super::{check_document, Dated, Place, Revisions, Scan};
use super::{ArchiveOutcome, BuildOptions, BuildReport, FeedOutcome, FeedStatus, Output};
use crate::article::{self, ArticleError};
use crate::cache::{ArchiveMemo, FileStamp, OutputMemo};
use crate::config::Config;
use crate::corpus::ScanList;
use crate::error::Error;
use crate::feed::history::History;
use crate::feed::{self, Feed, Format};
use crate::output::{self, WriteOutcome};
use crate::validate::Severity;

/// The folder of the archive documents, under the main set's folder.
pub(crate) const ARCHIVE_FOLDER: &str = "archive";

/// Where the archives of a build go: the main set, its archive folder and the formats that
/// have an archive standard (JSON Feed has none).
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// The main set, by its position among the build's sets.
    set: usize,
    /// `<set folder>/archive`.
    dir: PathBuf,
    /// Atom, then RSS, those of the two the main set writes.
    formats: Vec<Format>,
}

/// One calendar month of the main set's stories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Month {
    /// `YYYY-MM`.
    name: String,
    /// Positions in the build's newest-first list of stories, newest first.
    stories: Vec<usize>,
    /// What the month's documents are made from (see [`keys`]).
    key: u64,
}

/// The archives this build makes: the target and the months, oldest first.
#[derive(Debug)]
pub(crate) struct Plan {
    target: Target,
    months: Vec<Month>,
}

/// The archives' place, when this build makes them: `archives` on, and a build that writes the
/// output folder (a feed to stdout or to one file has no folder to hold them).
pub(crate) fn target(
    config: &Config,
    opts: &BuildOptions,
    place: &Place,
    sets: &[FeedSet],
) -> Option<Target> {
    if !config.archives || opts.output != Output::Folder || !place.writes {
        return None;
    }
    // The main set is the one `feed_sets` would keep for a single feed: the root, else the
    // first declared.
    let set = sets.iter().position(|s| s.path.is_empty()).unwrap_or(0);
    let main = sets.get(set)?;
    let formats: Vec<Format> = [Format::Atom, Format::Rss]
        .into_iter()
        .filter(|f| main.formats.contains(f))
        .collect();
    if formats.is_empty() {
        return None;
    }
    Some(Target {
        set,
        dir: documents::folder(&place.out_dir, main).join(ARCHIVE_FOLDER),
        formats,
    })
}

/// The file name of a month's document in a format.
fn file_name(month: &str, format: Format) -> String {
    match format {
        Format::Rss => format!("{month}.rss.xml"),
        _ => format!("{month}.xml"),
    }
}

/// Whether a name from the cache is a month this module could have written: `YYYY-MM`, so
/// that a tampered cache cannot make a build stat or remove any other file.
fn is_month(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() == 7
        && b[4] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || c.is_ascii_digit())
        && (b"01".as_slice()..=b"12".as_slice()).contains(&&b[5..7])
}

/// The public URL of a month's document.
fn month_url(config: &Config, set: &FeedSet, month: &str, format: Format) -> Url {
    let base = set.url(config);
    base.join(&format!("./{ARCHIVE_FOLDER}/{}", file_name(month, format)))
        .unwrap_or(base)
}

/// Whether `path` is still the file a build wrote with `stamp`.
fn same_file(path: &Path, stamp: &FileStamp) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file() && FileStamp::of(&m) == *stamp)
}

/// For a build that may stop early because nothing changed: `None` when the last build's
/// archive documents cannot be trusted to be on disk as written (so the build must go on),
/// else the outcome to report (`Some(None)` when archives are off).
pub(crate) fn kept(
    config: &Config,
    opts: &BuildOptions,
    place: &Place,
    sets: &[FeedSet],
    memo: Option<&OutputMemo>,
) -> Option<Option<ArchiveOutcome>> {
    let Some(target) = target(config, opts, place, sets) else {
        return Some(None);
    };
    let memo = memo?;
    // A memo without archives is one from before they were on (or of an archive with no
    // story, which is a rare enough case to build again for).
    let intact =
        !memo.archives.is_empty()
            && memo.archives.iter().all(|m| {
                m.key != 0
                    && is_month(&m.month)
                    && m.files.len() == target.formats.len()
                    && target.formats.iter().zip(&m.files).all(|(f, stamp)| {
                        same_file(&target.dir.join(file_name(&m.month, *f)), stamp)
                    })
            });
    intact.then(|| {
        Some(ArchiveOutcome {
            months: memo.archives.len(),
            kept: memo.archives.len() * target.formats.len(),
            ..ArchiveOutcome::default()
        })
    })
}

/// The months of the main set's stories (`stories` newest first), oldest first, with their
/// keys.
pub(crate) fn plan(
    target: Target,
    sets: &[FeedSet],
    (stories, scanned, revisions): (&[Dated], &ScanList, &Revisions),
    default_lang: &str,
    fingerprint: u64,
) -> Plan {
    let set = &sets[target.set];
    let mut by_month: BTreeMap<(i32, u32), Vec<usize>> = BTreeMap::new();
    for (pos, s) in stories.iter().enumerate() {
        if set.takes(s.facts(scanned), default_lang) {
            // The month of the story's own clock: a story dated 1 July in Dushanbe is July's,
            // though it was still June in UTC.
            by_month
                .entry((s.date().year(), s.date().month()))
                .or_default()
                .push(pos);
        }
    }
    let mut months: Vec<Month> = by_month
        .into_iter()
        .map(|((y, m), stories)| Month {
            name: format!("{y:04}-{m:02}"),
            stories,
            key: 0,
        })
        .collect();
    let keys = keys(fingerprint, &months, (stories, scanned, revisions));
    for (month, key) in months.iter_mut().zip(keys) {
        month.key = key;
    }
    Plan { target, months }
}

/// Each month's key: everything its documents are made of, from the scan's facts and without
/// reading a story file. The settings and the tool's version (`fingerprint`), the month and its
/// neighbours (the links), and for each story in order its id, content hash (which covers its
/// headline, dateline and what its sidecar says) and times. A month whose key and files are
/// unchanged would come out byte for byte the same.
fn keys(
    fingerprint: u64,
    months: &[Month],
    (stories, scanned, revisions): (&[Dated], &ScanList, &Revisions),
) -> Vec<u64> {
    months
        .par_iter()
        .enumerate()
        .map(|(i, month)| {
            let mut h = xxhash_rust::xxh3::Xxh3::new();
            let name = |j: Option<usize>| j.and_then(|j| months.get(j)).map(|m| m.name.as_str());
            (
                fingerprint,
                &month.name,
                name(i.checked_sub(1)),
                name(Some(i + 1)),
            )
                .hash(&mut h);
            for pos in &month.stories {
                let s = &stories[*pos];
                (s.id(scanned), s.facts(scanned).hash).hash(&mut h);
                (s.secs(), s.offset()).hash(&mut h);
                revisions.secs(s).map(|r| (r, s.offset())).hash(&mut h);
            }
            h.finish()
        })
        .collect()
}

impl Plan {
    /// Points the main set's subscription feeds at the newest archive document.
    pub(crate) fn link_subscription(&self, config: &Config, sets: &[FeedSet], models: &mut [Feed]) {
        let (Some(newest), Some(model)) = (self.months.last(), models.get_mut(self.target.set))
        else {
            return;
        };
        let set = &sets[self.target.set];
        model.history = Some(History {
            prev: self.urls(config, set, &newest.name),
            ..History::default()
        });
    }

    /// A month's document URL in each archive format.
    fn urls(&self, config: &Config, set: &FeedSet, month: &str) -> BTreeMap<Format, Url> {
        self.target
            .formats
            .iter()
            .map(|f| (*f, month_url(config, set, month, *f)))
            .collect()
    }
}

/// What the build shares with the archive step.
pub(crate) struct Context<'a> {
    /// The settings.
    pub config: &'a Config,
    /// The build's options.
    pub opts: &'a BuildOptions,
    /// The archive and the output folder.
    pub place: &'a Place,
    /// The scan, with the last build's memo.
    pub scan: &'a Scan,
    /// How stories are read.
    pub parse_opts: &'a article::ParseOptions,
    /// Every publishable story, newest first…
    pub stories: &'a [Dated],
    /// …and when the ledger saw some of them revised.
    pub revisions: &'a Revisions,
    /// The build's feed sets.
    pub sets: &'a [FeedSet],
    /// The build's feed models: the main set's gives the archives their metadata.
    pub models: &'a [Feed],
    /// The output fingerprint, which the memo of the archives must have been made with.
    pub fingerprint: u64,
}

/// What became of one month.
struct Made {
    memo: ArchiveMemo,
    outcomes: Vec<(PathBuf, FeedOutcome)>,
    /// Stories that no longer read since the scan (reported once by the build).
    errors: Vec<ArticleError>,
}

/// How many months are made at once.
const MONTHS_AT_ONCE: usize = 4;

/// Makes the months whose key or files changed, keeps the others, removes the documents of
/// months the last build wrote that have no story any more, and reports it all. Returns the
/// memo to save: `memo` (the subscription feeds', if any) with the archives' memo added.
pub(crate) fn publish(
    plan: Plan,
    cx: &Context<'_>,
    memo: Option<OutputMemo>,
    report: &mut BuildReport,
) -> Result<Option<OutputMemo>, Error> {
    let previous: HashMap<&str, &ArchiveMemo> = cx
        .scan
        .memo
        .as_ref()
        .filter(|m| m.fingerprint == cx.fingerprint)
        .map(|m| m.archives.iter().map(|a| (a.month.as_str(), a)).collect())
        .unwrap_or_default();
    let target = &plan.target;
    let mut outcome = ArchiveOutcome {
        months: plan.months.len(),
        ..ArchiveOutcome::default()
    };
    let syncs = output::DirSyncs::default();
    let kept: Vec<Option<ArchiveMemo>> = plan
        .months
        .iter()
        .map(|month| {
            previous
                .get(month.name.as_str())
                .filter(|m| {
                    m.key == month.key
                        && m.files.len() == target.formats.len()
                        && target.formats.iter().zip(&m.files).all(|(f, stamp)| {
                            same_file(&target.dir.join(file_name(&month.name, *f)), stamp)
                        })
                })
                .map(|m| (*m).clone())
        })
        .collect();
    if kept.iter().any(Option::is_none) {
        std::fs::create_dir_all(&target.dir)
            .map_err(|e| Error::io("cannot create", &target.dir, e))?;
    }
    // The months to make, a few at once, each on one thread from start to end: each write
    // waits for its sync to disk while other months are made. A few, not all: a month's
    // entries, documents and their trees are megabytes. (On the I/O pool, in one parallel
    // loop, a thread waiting on the reads inside its month started other months: at 100,000
    // stories 20 MB more at the peak; in rounds of four, each round waited for its slowest.)
    let to_make: Vec<usize> = (0..kept.len()).filter(|i| kept[*i].is_none()).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut made = Vec::new();
        loop {
            let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(&i) = to_make.get(k) else {
                return made;
            };
            made.push((k, make_month(cx, &plan, i, &syncs)));
        }
    };
    let mut made: Vec<(usize, Result<Made, Error>)> = std::thread::scope(|scope| {
        // The calling thread works too, so the months are made even where no thread starts.
        let helpers: Vec<_> = (1..MONTHS_AT_ONCE.min(to_make.len()))
            .filter_map(|n| {
                std::thread::Builder::new()
                    .name(format!("wirefeed-month-{n}"))
                    .spawn_scoped(scope, work)
                    .ok()
            })
            .collect();
        let mut made = work();
        for helper in helpers {
            match helper.join() {
                Ok(theirs) => made.extend(theirs),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        made
    });
    made.sort_unstable_by_key(|(k, _)| *k);
    let made: Vec<Result<Made, Error>> = made.into_iter().map(|(_, m)| m).collect();
    let mut made = made.into_iter();
    let mut memos = Vec::with_capacity(plan.months.len());
    for k in kept {
        if let Some(memo) = k {
            outcome.kept += target.formats.len();
            memos.push(memo);
            continue;
        }
        let Some(m) = made.next() else { break };
        let m = m?;
        for e in m.errors {
            if !report.errors.iter().any(|known| known.path == e.path) {
                report.errors.push(e);
            }
        }
        for (path, o) in m.outcomes {
            match o.status {
                FeedStatus::Written => outcome.written.push(path),
                FeedStatus::Refused => {}
                _ => outcome.kept += 1,
            }
            if !o.findings.is_empty() || o.status == FeedStatus::Refused {
                outcome.checked.push(o);
            }
        }
        memos.push(m.memo);
    }
    syncs.sync();
    // Months the last build wrote that have no story now: their documents go (only those
    // files, by the month's checked name), and their neighbours were made again above since
    // their links changed with them.
    let now: HashSet<&str> = plan.months.iter().map(|m| m.name.as_str()).collect();
    for gone in previous.keys().filter(|m| !now.contains(*m) && is_month(m)) {
        for format in [Format::Atom, Format::Rss] {
            let path = target.dir.join(file_name(gone, format));
            if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file())
                && std::fs::remove_file(&path).is_ok()
            {
                outcome.removed.push(path);
            }
        }
    }
    outcome.removed.sort();
    report.archives = Some(outcome);
    // The subscription feeds' memo may be missing (a warning, a photo the stamps cannot see):
    // the archives' is kept all the same, in a memo that skips nothing else.
    let mut memo = memo.unwrap_or_else(|| OutputMemo {
        fingerprint: cx.fingerprint,
        ..OutputMemo::default()
    });
    memo.archives = memos;
    Ok(Some(memo))
}

/// Reads the headline and dateline of month `i`'s stories, makes its documents, checks and
/// writes each.
fn make_month(
    cx: &Context<'_>,
    plan: &Plan,
    i: usize,
    syncs: &output::DirSyncs,
) -> Result<Made, Error> {
    let month = &plan.months[i];
    let target = &plan.target;
    let set = &cx.sets[target.set];
    let archive = &cx.place.archive;
    let default_lang = cx.config.story.language.as_str();
    // One after the other: the months are made in parallel.
    let read: Vec<Result<feed::Entry, ArticleError>> = month
        .stories
        .iter()
        .map(|pos| {
            let s = &cx.stories[*pos];
            let rel = cx.scan.scanned.path_at(s.index());
            // Kept by the scan when it read the file now; read again when it came from the
            // cache.
            let hash = s.facts(&cx.scan.scanned).hash;
            let kept = cx.scan.mastheads.as_ref().and_then(|m| m.find(rel, hash));
            let masthead = match kept {
                Some(m) => Ok(m),
                None => archive
                    .read(rel, cx.parse_opts.max_file_size)
                    .and_then(|bytes| {
                        article::masthead(&bytes, &archive.path_of(rel), cx.parse_opts)
                    }),
            };
            masthead.map(|m| index_entry(cx, s, rel, m, default_lang))
        })
        .collect();
    // A story that changed since the scan so that it no longer reads is reported (once, by
    // the build); its month is made again by the next build. The entries stay in the list
    // they were read into (an entry is large, and a month can have thousands).
    let errors: Vec<ArticleError> = read
        .iter()
        .filter_map(|r| r.as_ref().err().cloned())
        .collect();
    let entries: Vec<feed::Entry> = read.into_iter().filter_map(Result::ok).collect();
    let mut clean = errors.is_empty();
    let model = month_feed(cx, plan, i, entries);
    // One format after the other: a month's documents and the validator's tree of each are
    // the largest things a build holds, and several months are made at once.
    let mut outcomes = Vec::with_capacity(target.formats.len());
    let mut files = Vec::with_capacity(target.formats.len());
    for format in &target.formats {
        let path = target.dir.join(file_name(&month.name, *format));
        let bytes = feed::render(&model, *format)?;
        let findings = if cx.opts.check {
            check_document(&bytes, *format, cx.opts.now)
        } else {
            Vec::new()
        };
        clean &= findings.is_empty();
        let status = if findings.iter().any(|f| f.severity == Severity::Error) {
            FeedStatus::Refused
        } else {
            match output::write_in_batch(&path, &bytes, syncs)? {
                WriteOutcome::Written => FeedStatus::Written,
                WriteOutcome::Unchanged => FeedStatus::Unchanged,
            }
        };
        drop(bytes);
        let stamp = std::fs::symlink_metadata(&path)
            .map(|m| FileStamp::of(&m))
            .unwrap_or_default();
        clean &= status != FeedStatus::Refused;
        files.push(stamp);
        outcomes.push((
            path.clone(),
            FeedOutcome {
                document: super::Document::Feed(*format),
                set: Some(set.name.clone()),
                path: Some(path),
                status,
                findings,
            },
        ));
    }
    Ok(Made {
        memo: ArchiveMemo {
            month: month.name.clone(),
            key: if clean { month.key } else { 0 },
            files,
        },
        outcomes,
        errors,
    })
}

/// A story's entry in an archive document: what lists it (headline, link, id, times, author,
/// tags, language), not its text. The same values as its entry in a feed: the times are the
/// ledger's, the author the byline, else the agency.
fn index_entry(
    cx: &Context<'_>,
    s: &Dated,
    rel: &str,
    masthead: article::Masthead,
    default_lang: &str,
) -> feed::Entry {
    let (config, facts) = (cx.config, s.facts(&cx.scan.scanned));
    let id = article::id_of(rel);
    feed::Entry {
        id: config.entry_id(id),
        url: config
            .article_url
            .render(s.date(), id, article::slug_of(rel)),
        title: masthead.title,
        published: s.date(),
        // As `Article::updated`: the sidecar's, else the ledger's correction, else published.
        updated: facts.updated().or(cx.revisions.of(s)).unwrap_or(s.date()),
        source: feed::source_of(config, &masthead.agency),
        author: masthead.agency,
        byline: facts.byline().map(str::to_string),
        tags: facts.tags().to_vec(),
        summary: String::new(),
        content_html: String::new(),
        text: Vec::new(),
        lang: facts.lang(default_lang).to_string(),
        city: String::new(),
        timed: facts.timed(),
        credit: None,
        photo: None,
        related: Vec::new(),
    }
}

/// The archive document of month `i`: the main set's metadata, the month's entries, and the
/// links to the subscription feed and the neighbouring months.
fn month_feed(cx: &Context<'_>, plan: &Plan, i: usize, entries: Vec<feed::Entry>) -> Feed {
    let set = &cx.sets[plan.target.set];
    let base = &cx.models[plan.target.set];
    let month = &plan.months[i].name;
    let neighbour = |j: Option<usize>| {
        j.and_then(|j| plan.months.get(j))
            .map(|m| plan.urls(cx.config, set, &m.name))
            .unwrap_or_default()
    };
    let updated = feed::newest_update(&entries);
    Feed {
        // The month in the title, so a person who opens a document sees which page it is;
        // the id stays the feed's: RFC 5005 archives are pages of one logical feed.
        title: format!("{} — {month}", base.title),
        description: base.description.clone(),
        site_url: base.site_url.clone(),
        language: base.language.clone(),
        id: base.id.clone(),
        author: base.author.clone(),
        self_urls: plan.urls(cx.config, set, month),
        updated,
        entries,
        stylesheet: base.stylesheet.clone(),
        // A closed page has nothing to push to subscribers.
        hubs: Vec::new(),
        // A story deleted from a month leaves its document, which is rewritten; the
        // subscription feed carries the tombstone.
        tombstones: Vec::new(),
        history: Some(History {
            archive: true,
            current: plan
                .target
                .formats
                .iter()
                .filter_map(|f| base.self_url(*f).map(|u| (*f, u.clone())))
                .collect(),
            prev: neighbour(i.checked_sub(1)),
            next: neighbour(Some(i + 1)),
        }),
        branding: base.branding.clone(),
        news: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::{collect_stories, sets, sort_newest};
    use crate::cache::{Facts, StoryFacts};
    use crate::config::RawConfig;
    use crate::corpus::{Archive, Scanned};
    use crate::file_list::Located;
    use chrono::DateTime;

    fn config() -> Config {
        let text = "[feed]\nsite_url = \"https://e.org/\"\n[build]\narchives = true\n";
        Config::from_raw(&RawConfig::parse(text).unwrap()).unwrap()
    }

    /// A scanned story at `rel`, at `rfc3339`, with headline key `key` and content hash `hash`.
    fn story<'a>(rel: &'a str, rfc3339: &str, (key, hash): (u64, u64)) -> (&'a str, Scanned) {
        let date = DateTime::parse_from_rfc3339(rfc3339).unwrap();
        let facts = StoryFacts::new(
            key,
            date.timestamp(),
            date.offset().local_minus_utc(),
            None,
            vec![],
            None,
        )
        .with_content(hash, true);
        (
            rel,
            Scanned {
                rel_path: crate::file_list::RelPath::default(),
                stamp: FileStamp::default(),
                facts: Facts::Story(facts),
            },
        )
    }

    /// The months of `scanned` as the build plans them: (name, ids newest first, key).
    fn months(scanned: &ScanList) -> Vec<(String, Vec<String>, u64)> {
        let c = config();
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::open(dir.path(), false).unwrap();
        let mut report = BuildReport::default();
        let mut stories = collect_stories(scanned, &mut report);
        sort_newest(&mut stories, scanned);
        let cities = crate::article::ParseOptions::new(&c.story).cities;
        let sets = sets::plan(
            &c,
            &[Format::Atom],
            &archive,
            scanned,
            &stories,
            &cities,
            &mut report.errors,
        );
        let target = Target {
            set: 0,
            dir: dir.path().join(ARCHIVE_FOLDER),
            formats: vec![Format::Atom],
        };
        let none = Revisions::default();
        let plan = plan(target, &sets, (&stories, scanned, &none), "ru", 7);
        plan.months
            .into_iter()
            .map(|m| {
                let ids = m
                    .stories
                    .iter()
                    .map(|p| stories[*p].id(scanned).to_string());
                (m.name, ids.collect(), m.key)
            })
            .collect()
    }

    fn archive_of_three_months() -> ScanList {
        ScanList::of([
            story("may", "2025-05-20T10:00:00+05:00", (1, 11)),
            // 1 July in Dushanbe, still 30 June in UTC: July's, by the story's own clock.
            story("july-local", "2025-07-01T00:30:00+05:00", (2, 12)),
            // Later in UTC than `july-local`, but 30 June where it was written.
            story("june-late", "2025-06-30T22:00:00+00:00", (3, 13)),
            story("june", "2025-06-18T14:30:00+05:00", (4, 14)),
        ])
    }

    #[test]
    fn each_story_is_in_the_month_of_its_own_clock_once_newest_first() {
        let months = months(&archive_of_three_months());
        let names: Vec<(&str, Vec<&str>)> = months
            .iter()
            .map(|(n, ids, _)| (n.as_str(), ids.iter().map(String::as_str).collect()))
            .collect();
        assert_eq!(
            names,
            [
                ("2025-05", vec!["may"]),
                ("2025-06", vec!["june-late", "june"]),
                ("2025-07", vec!["july-local"]),
            ]
        );
    }

    #[test]
    fn a_key_changes_with_its_own_months_stories_times_and_neighbours_only() {
        let before = months(&archive_of_three_months());
        let key = |m: &[(String, Vec<String>, u64)], name: &str| {
            m.iter().find(|(n, _, _)| n == name).unwrap().2
        };
        // The same facts give the same keys.
        assert_eq!(before, months(&archive_of_three_months()));
        // June's story edited: June's key changes, May's and July's do not.
        let mut edited = archive_of_three_months();
        edited[3] = story("june", "2025-06-18T14:30:00+05:00", (4, 999))
            .1
            .relocated(edited[3].rel_path);
        let after = months(&edited);
        assert_ne!(key(&before, "2025-06"), key(&after, "2025-06"));
        assert_eq!(key(&before, "2025-05"), key(&after, "2025-05"));
        assert_eq!(key(&before, "2025-07"), key(&after, "2025-07"));
        // May's story edited: only May's (entries do not carry related links, whose text is
        // their target's headline).
        let mut edited = archive_of_three_months();
        edited[0] = story("may", "2025-05-20T10:00:00+05:00", (1, 555))
            .1
            .relocated(edited[0].rel_path);
        let after = months(&edited);
        assert_ne!(key(&before, "2025-05"), key(&after, "2025-05"));
        assert_eq!(key(&before, "2025-06"), key(&after, "2025-06"));
        // A correction the ledger saw (a new `revised`) is a change of its month too.
        let scanned = archive_of_three_months();
        let mut report = BuildReport::default();
        let a = collect_stories(&scanned, &mut report);
        let mut revisions = Revisions::default();
        let plain = keys(7, &plan_months(&a), (&a, &scanned, &revisions));
        let august = DateTime::parse_from_rfc3339("2025-08-01T00:00:00+05:00").unwrap();
        revisions.note(&a[0], august.timestamp());
        revisions.sort();
        let revised = keys(7, &plan_months(&a), (&a, &scanned, &revisions));
        assert_ne!(plain, revised);
        // A month with no story any more: its neighbours' links change, so do their keys.
        let mut emptied = archive_of_three_months();
        emptied.retain(|rel, _| rel != "july-local");
        let after = months(&emptied);
        assert_eq!(after.len(), 2);
        assert_ne!(key(&before, "2025-06"), key(&after, "2025-06"));
        assert_eq!(key(&before, "2025-05"), key(&after, "2025-05"));
    }

    /// One month per story, in their order: enough for [`keys`].
    fn plan_months(stories: &[Dated]) -> Vec<Month> {
        (0..stories.len())
            .map(|i| Month {
                name: format!("2025-{:02}", i + 1),
                stories: vec![i],
                key: 0,
            })
            .collect()
    }

    #[test]
    fn only_month_names_name_files() {
        for good in ["2025-06", "1999-12", "2100-01"] {
            assert!(is_month(good), "{good}");
        }
        for bad in [
            "2025-13", "2025-00", "2025-6", "../2025", "2025_06", "2025-06x", "", "abcd-ef",
        ] {
            assert!(!is_month(bad), "{bad}");
        }
        assert_eq!(file_name("2025-06", Format::Atom), "2025-06.xml");
        assert_eq!(file_name("2025-06", Format::Rss), "2025-06.rss.xml");
    }

    #[test]
    fn the_subscription_feed_links_to_the_newest_month_in_its_own_format() {
        let c = config();
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::open(dir.path(), false).unwrap();
        let scanned = archive_of_three_months();
        let mut report = BuildReport::default();
        let mut stories = collect_stories(&scanned, &mut report);
        sort_newest(&mut stories, &scanned);
        let cities = crate::article::ParseOptions::new(&c.story).cities;
        let formats = [Format::Rss, Format::Atom];
        let sets = sets::plan(
            &c,
            &formats,
            &archive,
            &scanned,
            &stories,
            &cities,
            &mut vec![],
        );
        let target = Target {
            set: 0,
            dir: dir.path().join(ARCHIVE_FOLDER),
            formats: vec![Format::Atom, Format::Rss],
        };
        let none = Revisions::default();
        let plan = plan(target, &sets, (&stories, &scanned, &none), "ru", 7);
        let mut models = vec![feed::sample_feed()];
        plan.link_subscription(&c, &sets, &mut models);
        let history = models[0].history.clone().unwrap();
        assert!(!history.archive && history.current.is_empty() && history.next.is_empty());
        let prev: Vec<(Format, &str)> =
            history.prev.iter().map(|(f, u)| (*f, u.as_str())).collect();
        assert_eq!(
            prev,
            [
                (Format::Rss, "https://e.org/archive/2025-07.rss.xml"),
                (Format::Atom, "https://e.org/archive/2025-07.xml"),
            ]
        );
    }
}
