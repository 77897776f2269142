//! A whole build: scan the archive, choose the newest stories, resolve their related
//! headlines, render every format, check each document and write it atomically.
//!
//! Nothing here prints: the outcome is a [`BuildReport`] that the CLI (or any other caller)
//! turns into a summary and an exit code.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, Utc};
use rayon::prelude::*;

use crate::article::meta::{self, Meta, Status};
use crate::article::{self, Article};
use crate::article::{ArticleError, ArticleErrorKind, ArticleWarning, ArticleWarningKind};
use crate::cache::{self, Facts, OutputMemo, StoryFacts};
use crate::config::{Config, ConfigError};
use crate::corpus::{self, Archive, ScanList};
use crate::error::Error;
use crate::feed::{self, Format, Publishable, RelatedLink};
use crate::output::{self, OutputLock, WriteOutcome};
use crate::photo;
use crate::related::{self, Candidate, RelatedIndex};
use crate::validate::{self, CheckOptions, Finding, Severity};

mod archives;
mod documents;
mod history;
mod report;
mod session;
mod sets;
pub use crate::websub::PingFailure;
pub use history::LedgerOutcome;
pub use report::{
    ArchiveOutcome, BuildOptions, BuildReport, Document, FeedOutcome, FeedStatus, Output, Progress,
    SetOutcome,
};
pub use session::Session;

/// The cache fingerprint: everything that shapes a file's facts.
fn fingerprint(config: &Config) -> u64 {
    let shape = format!(
        "{} {:?} {:?} {} {:?} {} {}",
        env!("CARGO_PKG_VERSION"),
        config.articles,
        config.story.cities,
        config.story.time_zone.name(),
        config.story.encoding.map(|e| e.name()),
        config.story.max_file_size,
        config.story.language,
    );
    xxhash_rust::xxh3::xxh3_64(shape.as_bytes())
}

/// The fingerprint of everything besides the stories that shapes the documents: the whole
/// configuration, the formats and the tool's version.
fn output_fingerprint(config: &Config, opts: &BuildOptions) -> u64 {
    let shape = format!(
        "{} {config:?} {:?} {:?} {}",
        env!("CARGO_PKG_VERSION"),
        opts.formats,
        opts.output,
        opts.check
    );
    xxhash_rust::xxh3::xxh3_64(shape.as_bytes())
}

/// A story that parsed, by its position in the scan. One per story of the archive, so kept to
/// 12 bytes (it was 64, then 32, then 16: at a million stories each 4 bytes is 4 MB): its facts
/// and id are read off the scan when needed, its time is seconds with one UTC offset packed in
/// one word, and the few revision times are in a table beside the list ([`Revisions`]).
#[derive(Debug, Clone, Copy)]
struct Dated {
    /// Its publication time: seconds since the epoch (the scan's, or for a date-only dateline
    /// the one the publication ledger chose) and UTC offset, packed by [`pack_time`], as two
    /// halves so that the record is aligned to 4 bytes, not 8.
    time: [u32; 2],
    /// Its position in the scan.
    index: u32,
}

/// Bits of a packed time that hold the UTC offset, biased to be positive: an offset is less
/// than a day (86,400 s < 2^17).
const OFFSET_BITS: u32 = 18;
const OFFSET_BIAS: i64 = 1 << (OFFSET_BITS - 1);

/// Seconds and UTC offset in one word: the seconds in the high 46 bits (a `DateTime` is within
/// 262,000 years of 1970, 2^43 seconds), the offset in the low 18.
fn pack_time(secs: i64, offset: i32) -> [u32; 2] {
    let word = (secs << OFFSET_BITS) as u64 | (i64::from(offset) + OFFSET_BIAS) as u64;
    [(word >> 32) as u32, word as u32]
}

impl Dated {
    /// The story at `index` of the scan, at the time its facts give.
    fn new(index: u32, facts: &StoryFacts) -> Self {
        let date = facts.date();
        Dated {
            time: pack_time(date.timestamp(), date.offset().local_minus_utc()),
            index,
        }
    }

    fn word(&self) -> u64 {
        (u64::from(self.time[0]) << 32) | u64::from(self.time[1])
    }

    /// Its publication time, in seconds since the epoch…
    fn secs(&self) -> i64 {
        (self.word() as i64) >> OFFSET_BITS
    }

    /// …and its UTC offset, in seconds.
    fn offset(&self) -> i32 {
        ((self.word() & ((1 << OFFSET_BITS) - 1)) as i64 - OFFSET_BIAS) as i32
    }

    /// Its facts, from the scan it was collected from. A story is only ever made from a
    /// story's facts, so the empty facts are never given (they keep this total).
    fn facts<'s>(&self, scanned: &'s ScanList) -> &'s StoryFacts {
        match scanned.get(self.index()).map(|s| &s.facts) {
            Some(Facts::Story(facts)) => facts,
            _ => &StoryFacts::EMPTY,
        }
    }

    /// Its position in the scan.
    fn index(&self) -> usize {
        self.index as usize
    }

    /// Its id (the scan's path without the extension).
    fn id<'s>(&self, scanned: &'s ScanList) -> &'s str {
        article::id_of(scanned.path_at(self.index()))
    }

    /// Its publication time.
    fn date(&self) -> DateTime<FixedOffset> {
        self.at(self.secs())
    }

    /// Gives it a publication time.
    fn set_date(&mut self, date: DateTime<FixedOffset>) {
        self.time = pack_time(date.timestamp(), date.offset().local_minus_utc());
    }

    /// `secs` in its offset. Both come from a [`DateTime`], so the fallback is never taken.
    fn at(&self, secs: i64) -> DateTime<FixedOffset> {
        DateTime::from_timestamp(secs, 0)
            .zip(FixedOffset::east_opt(self.offset()))
            .map_or_else(
                || DateTime::UNIX_EPOCH.fixed_offset(),
                |(t, o)| t.with_timezone(&o),
            )
    }
}

/// When the ledger saw a story's content change after it was first seen, for the stories it
/// did (usually a handful): a table beside the story list, by scan position, rather than
/// 8 bytes in each of a million stories.
#[derive(Debug, Default)]
struct Revisions(Vec<(u32, i64)>);

impl Revisions {
    /// Notes that `story` was revised at `secs` (never before it was published). Notes
    /// are sorted by [`Revisions::sort`] before any is looked up.
    fn note(&mut self, story: &Dated, secs: i64) {
        self.0.push((story.index, secs.max(story.secs())));
    }

    /// Makes the notes searchable.
    fn sort(&mut self) {
        self.0.sort_unstable();
        self.0.dedup_by_key(|(index, _)| *index);
    }

    /// When `story` was last revised, in seconds, if the ledger saw it change.
    fn secs(&self, story: &Dated) -> Option<i64> {
        let at = self
            .0
            .binary_search_by_key(&story.index, |(i, _)| *i)
            .ok()?;
        Some(self.0[at].1)
    }

    /// When `story` was last revised, in its offset, if the ledger saw it change.
    fn of(&self, story: &Dated) -> Option<DateTime<FixedOffset>> {
        self.secs(story).map(|secs| story.at(secs))
    }
}

/// The folder the feeds, the cache and the lock go to.
fn output_dir(config: &Config, opts: &BuildOptions) -> PathBuf {
    match &opts.output {
        Output::File(path) => path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf(),
        _ => config.out.clone(),
    }
}

/// Where a build reads and writes, held for its whole run: the archive, the output folder and,
/// when it writes there, the lock on it.
struct Place {
    archive: Archive,
    out_dir: PathBuf,
    writes: bool,
    _lock: Option<OutputLock>,
}

/// Opens the archive and takes the output folder's lock.
fn open_place(config: &Config, opts: &BuildOptions) -> Result<Place, Error> {
    let writes = opts.output != Output::Stdout;
    let out_dir = output_dir(config, opts);
    let archive = Archive::open(&config.articles, config.follow_symlinks).map_err(|source| {
        Error::ArticlesFolder {
            path: config.articles.clone(),
            source,
        }
    })?;
    // Taken before the walk, so that of two overlapping runs the second scans what the first
    // left, and so that the output folder exists and can be told apart from the archive.
    let lock = if writes {
        std::fs::create_dir_all(&out_dir).map_err(|e| Error::io("cannot create", &out_dir, e))?;
        let lock = OutputLock::acquire(&out_dir, Duration::from_secs(config.lock_timeout))?;
        // Under the lock, any temporary file of ours is an orphan of a killed run.
        output::remove_stale_temp_files(&out_dir, output::STALE_TEMP_AGE);
        Some(lock)
    } else {
        None
    };
    let out_id = corpus::folder_id(&out_dir);
    if writes && out_id.is_some() && out_id == corpus::folder_id(&config.articles) {
        return Err(Error::Config(ConfigError::Invalid {
            key: "build.out",
            value: crate::diagnostic::shown(&out_dir),
            problem: "is the articles folder itself: the feeds would be read back as stories; write them to another folder (e.g. `public`)".into(),
        }));
    }
    Ok(Place {
        archive,
        out_dir,
        writes,
        _lock: lock,
    })
}

/// The archive as scanned: every file's facts, and what the cache knew of the last build.
struct Scan {
    scanned: ScanList,
    /// How many of the files were read (the others' facts came from the cache).
    read: usize,
    problems: Vec<ArticleError>,
    ignored: Vec<ArticleWarning>,
    photos: usize,
    /// Cached records of files that are gone or changed.
    gone: usize,
    cache_note: Option<String>,
    memo: Option<OutputMemo>,
    fingerprint: u64,
    /// What each folder held, when a session keeps it for the next build.
    folders: Option<corpus::Folders>,
    /// The headlines and agencies of the files read, for the archive documents.
    mastheads: Option<cache::Mastheads>,
}

impl Scan {
    /// Whether every file is as the cache knew it, and none was added or removed.
    fn unchanged(&self) -> bool {
        self.gone == 0 && self.cache_note.is_none() && self.read == 0
    }
}

/// Walks the archive (leaving out the output folder), matches it with the cache and reads
/// every new or changed file, in parallel.
fn scan_archive(
    config: &Config,
    opts: &BuildOptions,
    place: &Place,
    parse_opts: &article::ParseOptions,
) -> Scan {
    let fingerprint = fingerprint(config);
    let path = place.out_dir.join(cache::CACHE_FILE);
    // A session (`watch`) starts from the records it kept, and lists again only the folders
    // that changed when it can tell which; followed links are always walked.
    let session = opts
        .session
        .as_ref()
        .filter(|_| place.writes && config.cache);
    let kept = session.and_then(|s| s.take_cache(&path, fingerprint));
    let rewalk = kept
        .as_ref()
        .filter(|_| !config.follow_symlinks)
        .and_then(|k| session::rewalk(&place.archive, k));
    let (mut walk, folders, matched, kept_mastheads) = match (rewalk, kept) {
        (Some(mut rewalk), Some(kept)) => {
            let gone = rewalk.merge(kept.entries);
            let matched = cache::Matched {
                gone,
                memo: kept.memo,
                note: None,
            };
            (rewalk.walk, Some(rewalk.folders), matched, kept.mastheads)
        }
        (_, kept) => {
            let mut folders = session.map(|_| corpus::Folders::new());
            let mut walk = place
                .archive
                .walk(corpus::folder_id(&place.out_dir), folders.as_mut());
            let (matched, mastheads) = match kept {
                Some(kept) => (
                    session::match_kept(kept.entries, kept.memo, &mut walk.files),
                    kept.mastheads,
                ),
                None if config.cache => (
                    cache::load_matching(&path, fingerprint, &mut walk.files),
                    None,
                ),
                None => (cache::Matched::default(), None),
            };
            (walk, folders, matched, mastheads)
        }
    };
    let files = std::mem::take(&mut walk.files);
    let (gone, cache_note, memo) = (matched.gone, matched.note, matched.memo);
    let progress = opts.progress.as_deref();
    if let Some(p) = progress {
        p.total.store(files.len(), Ordering::Relaxed);
    }
    // The headlines a session kept go on, with the records they were kept for.
    let mastheads = (config.archives && opts.output == Output::Folder)
        .then(|| kept_mastheads.unwrap_or_else(|| cache::Mastheads::new(&place.out_dir)));
    let (scanned, read) = corpus::scan(
        &place.archive,
        files,
        (parse_opts, mastheads.as_ref()),
        progress.map(|p| &p.scanned),
    );
    if let Some(m) = &mastheads {
        m.seal();
    }
    Scan {
        scanned,
        read,
        problems: walk.problems,
        ignored: walk.skipped,
        photos: walk.photos,
        gone,
        cache_note,
        memo,
        fingerprint,
        folders,
        mastheads,
    }
}

/// Runs a build.
pub fn build(config: &Config, opts: &BuildOptions) -> Result<BuildReport, Error> {
    let place = open_place(config, opts)?;
    let parse_opts = article::ParseOptions::new(&config.story);
    let mut scan = scan_archive(config, opts, &place, &parse_opts);
    let mut report = BuildReport {
        files: scan.scanned.len(),
        from_cache: scan.scanned.len() - scan.read,
        cache_note: scan.cache_note.clone(),
        cache: config.cache.then(|| place.out_dir.join(cache::CACHE_FILE)),
        unreadable: scan.problems.len(),
        errors: std::mem::take(&mut scan.problems),
        ignored: std::mem::take(&mut scan.ignored),
        photos: scan.photos,
        ..BuildReport::default()
    };
    let mut duplicates = Vec::new();
    let refused = find_duplicates(config, &place.archive, &scan.scanned, &mut duplicates);
    let mut stories = collect_stories(&scan.scanned, &mut report);
    stories.retain(|s| !refused.contains(&s.index()));
    report.errors.append(&mut duplicates);
    report.skipped = scan.scanned.len() - stories.len() - report.withdrawn;
    hold_embargoed(opts.now, (&mut stories, &scan.scanned), &mut report);
    report.stories = stories.len();
    let sets = feed_sets(
        config,
        opts,
        &place,
        &scan,
        &stories,
        &parse_opts,
        &mut report,
    );
    if opts.strict {
        if let Some(first) = report.errors.first() {
            return Err(Error::Strict(first.clone()));
        }
    }
    let planned = documents::plan(config, opts, &place.out_dir, &sets);
    let output_fingerprint = output_fingerprint(config, opts);
    // RFC 5005 archives (archives.rs): the last build's must still be on disk as written too.
    let kept_archives = archives::kept(config, opts, &place, &sets, scan.memo.as_ref());
    if kept_archives.is_some()
        && up_to_date(
            (config, opts),
            &scan,
            output_fingerprint,
            &documents::with_pages_on_disk(&planned),
            &sets,
            &mut report,
        )
    {
        report.archives = kept_archives.flatten();
        let memo = scan.memo.take();
        keep_scan(config, opts, &place, scan, memo, &report);
        return Ok(report);
    }
    // The ledger's times, before the stories are ordered by them.
    let mut history = match &config.ledger {
        Some(path) => history::History::read(
            path,
            place.writes,
            Duration::from_secs(config.lock_timeout),
            opts.now.map(|t| t.timestamp()),
            config.tombstone_days,
            &scan.scanned,
            &mut stories,
            report.unreadable == 0,
            (
                opts.session
                    .as_ref()
                    .filter(|_| place.writes)
                    .and_then(|s| s.take_ledger(path)),
                opts.session.is_some() && place.writes,
            ),
        )?,
        None => history::History::off(),
    };
    // Newest first, for every set: not needed when nothing is rendered.
    sort_newest(&mut stories, &scan.scanned);
    let default_lang = config.story.language.as_str();
    let selections = sets::select(&sets, (&stories, &scan.scanned), default_lang);
    if place.writes && !opts.allow_empty {
        let on_disk: Vec<&Path> = planned
            .iter()
            .filter(|p| matches!(p.document, Document::Feed(_)))
            .filter_map(|p| p.path.as_deref())
            .collect();
        refuse_to_shrink(config, &on_disk, &stories, &scan.scanned)?;
    }
    // The Google News sitemaps take every story of the last 48 hours, beyond the feeds' limit.
    let now = opts.now.map(|t| t.timestamp());
    let news = sets::select_news(&sets, (&stories, &scan.scanned), default_lang, now);
    let news_moves = sets
        .iter()
        .any(|s| s.formats.contains(&Format::NewsSitemap))
        .then(|| now.and_then(|now| sets::news_window_moves(&stories, now)))
        .flatten();
    // Each story chosen by any set is read once, newest first.
    let mut chosen: Vec<usize> = selections
        .iter()
        .flat_map(|s| s.chosen.iter().copied())
        .chain(news.iter().flatten().copied())
        .collect();
    chosen.sort_unstable();
    chosen.dedup();
    let articles = read_chosen(
        opts.now,
        &place.archive,
        &parse_opts,
        &scan.scanned,
        (&stories, &history.revisions),
        &chosen,
        &mut report,
    );
    let (entries, learned) = entries_of(
        config,
        opts,
        &place,
        &scan,
        &parse_opts,
        &stories,
        &articles,
        &mut report,
    );
    let per_set = share_out(
        &sets,
        (&selections, &news),
        &stories,
        &articles,
        &entries,
        &parse_opts,
    );
    report.published = entries.len() - per_set.unused;
    report.not_selected = report.stories - report.published - (chosen.len() - articles.len());
    report.sets = sets
        .iter()
        .zip(&selections)
        .zip(&per_set.entries)
        .map(|((set, sel), entries)| SetOutcome {
            name: set.name.clone(),
            path: set.path.clone(),
            stories: sel.matched,
            published: entries.len(),
        })
        .collect();
    let mut models = documents::feeds(config, opts, &sets, per_set.entries);
    for (model, news) in models.iter_mut().zip(per_set.news) {
        model.news = news;
    }
    let mut planned = planned;
    documents::plan_sitemap_pages(&mut planned, &models);
    for (model, set) in models.iter_mut().zip(&sets) {
        model.tombstones = history.tombstones(&set.path, |id| config.entry_id(id));
        if let Some(latest) = model.tombstones.iter().map(|t| t.when).max() {
            model.updated = model.updated.max(latest);
        }
    }
    // RFC 5005 archives (archives.rs): the months, and the subscription feed's link to the
    // newest, which is part of its model.
    let archive_plan = archives::target(config, opts, &place, &sets).map(|target| {
        let plan = archives::plan(
            target,
            &sets,
            (&stories, &scan.scanned, &history.revisions),
            default_lang,
            output_fingerprint,
        );
        plan.link_subscription(config, &sets, &mut models);
        plan
    });
    let keys = documents::model_keys(&planned, &sets, &models);
    // What the last build wrote, if it was made with these settings for these documents.
    let previous = scan.memo.as_ref().filter(|m| {
        m.fingerprint == output_fingerprint
            && m.models.len() == planned.len()
            && m.hashes.len() == planned.len()
    });
    // The public URL of each feed, for the pings: known by the plan, which `publish` consumes.
    let feed_urls: Vec<Option<url::Url>> = planned
        .iter()
        .map(|p| match (p.document, p.set) {
            // Hubs relay feeds that name them; the ninjs stream names none.
            (Document::Feed(format), Some(i)) if format.is_feed() => {
                Some(sets[i].feed_url(config, format))
            }
            _ => None,
        })
        .collect();
    let sitemaps: Vec<documents::Planned> = planned
        .iter()
        .filter(|p| p.document == Document::Feed(Format::NewsSitemap))
        .cloned()
        .collect();
    // The story list is not needed after this but by the archives: without them it is
    // given back before the documents are rendered, the build's largest step after the scan
    // (15 MB at a million stories).
    if archive_plan.is_none() {
        stories = Vec::new();
    }
    let hashes = publish(
        opts,
        config,
        (&sets, &models),
        planned,
        (&keys, previous),
        &mut report,
    )?;
    // Pages of a news sitemap index that the stories no longer fill (the window shrank, or the
    // index became a plain sitemap): once the new documents are out, and not when one was
    // refused, since the old index still names them then.
    if place.writes
        && opts.output == Output::Folder
        && !report.feeds.iter().any(|f| f.status == FeedStatus::Refused)
    {
        documents::remove_stale_pages(&sitemaps, &models);
    }
    // A photo named by a sidecar path is not in the story's stamp, and photo warnings are not
    // in the cache: either way the next build must look again rather than skip.
    let memo = new_memo(opts, output_fingerprint, (hashes, keys), &report).filter(|_| {
        !report
            .warnings
            .iter()
            .any(|w| matches!(w.kind, ArticleWarningKind::Photo(_)))
            && articles
                .iter()
                .all(|(_, a)| a.meta.photo.as_deref().is_none_or(|p| p.contains(':')))
    });
    // RFC 5005 archives (archives.rs): the months that changed are made and written.
    let memo = match archive_plan {
        Some(plan) => {
            let cx = archives::Context {
                config,
                opts,
                place: &place,
                scan: &scan,
                parse_opts: &parse_opts,
                stories: &stories,
                revisions: &history.revisions,
                sets: &sets,
                models: &models,
                fingerprint: output_fingerprint,
            };
            archives::publish(plan, &cx, memo, &mut report)?
        }
        None => memo,
    };
    // Every document is out: now the ledger learns what the feeds carry, in one transaction,
    // and the memo keeps its stamp.
    for (set, chosen) in sets.iter().zip(&per_set.stories) {
        history.listed(&set.path, chosen.iter().copied(), &scan.scanned)?;
    }
    // The feeds change when a tombstone expires, the news sitemaps when their window moves.
    let expires = match (history.expires, news_moves) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    report.expires = expires.and_then(|t| DateTime::from_timestamp(t, 0));
    let (outcome, records) = history.commit(&scan.scanned)?;
    report.ledger = outcome;
    if let (Some(session), Some(path), Some(records)) = (&opts.session, &config.ledger, records) {
        session.keep_ledger(path, records);
    }
    let ledger = report
        .ledger
        .as_ref()
        .and_then(|l| std::fs::metadata(&l.path).ok())
        .map(|m| cache::FileStamp::of(&m));
    let memo = memo.map(|memo| OutputMemo {
        ledger,
        expires,
        ..memo
    });
    if place.writes && config.cache {
        let kept = opts.session.is_some().then(|| memo.clone()).flatten();
        remember(&place, &mut scan, memo, learned, &mut report);
        keep_scan(config, opts, &place, scan, kept, &report);
    }
    if config.ping && opts.output == Output::Folder {
        ping_hubs(config, &feed_urls, &mut report);
    }
    Ok(report)
}

/// Tells the hubs of each feed this build wrote; a feed whose bytes did not change is news to
/// no one, so an unchanged (or refused) feed is not pinged.
fn ping_hubs(config: &Config, feed_urls: &[Option<url::Url>], report: &mut BuildReport) {
    let written: Vec<url::Url> = report
        .feeds
        .iter()
        .zip(feed_urls)
        .filter(|(f, _)| f.status == FeedStatus::Written)
        .filter_map(|(_, url)| url.clone())
        .collect();
    if config.hubs.is_empty() || written.is_empty() {
        return;
    }
    let failures = crate::websub::ping(&config.hubs, &written, crate::websub::timeout_from_env());
    report.pings = config.hubs.len() * written.len() - failures.len();
    report.ping_failures = failures;
}

/// The feed sets of this build: for a build to one file or to stdout, only the root set (or
/// the first declared one).
fn feed_sets(
    config: &Config,
    opts: &BuildOptions,
    place: &Place,
    scan: &Scan,
    stories: &[Dated],
    parse_opts: &article::ParseOptions,
    report: &mut BuildReport,
) -> Vec<sets::FeedSet> {
    let sets = sets::plan(
        config,
        &opts.formats,
        &place.archive,
        &scan.scanned,
        stories,
        &parse_opts.cities,
        &mut report.errors,
    );
    if opts.output == Output::Folder {
        return sets;
    }
    let primary = sets.iter().position(|s| s.path.is_empty()).unwrap_or(0);
    sets.into_iter().skip(primary).take(1).collect()
}

/// The entry of each story read, with its related links and photo, and the headlines read to
/// link to other stories (for the cache). The photos mostly wait on the disk and the related
/// headlines on the processors: one overlaps the other.
#[allow(clippy::too_many_arguments)] // the build's shared state, borrowed for one step
fn entries_of(
    config: &Config,
    opts: &BuildOptions,
    place: &Place,
    scan: &Scan,
    parse_opts: &article::ParseOptions,
    stories: &[Dated],
    articles: &[(usize, Article)],
    report: &mut BuildReport,
) -> (Vec<feed::Entry>, Vec<(usize, String)>) {
    let withheld = report.withdrawn + report.embargoed > 0;
    let ((links, learned), (photos, photo_warnings)) = std::thread::scope(|scope| {
        let photos = scope.spawn(|| attach_photos(config, opts, place, scan, articles, withheld));
        let archive = &place.archive;
        let links = resolve_related(
            config,
            archive,
            parse_opts,
            &scan.scanned,
            stories,
            articles,
        );
        let photos = photos
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (links, photos)
    });
    report.warnings.extend(photo_warnings);
    for list in &links {
        let resolved = list.iter().filter(|l| l.url.is_some()).count();
        report.related_resolved += resolved;
        report.related_unresolved += list.len() - resolved;
    }
    let entries = articles
        .par_iter()
        .zip(links)
        .zip(photos)
        .map(|(((_, article), related), photo)| {
            let story = Publishable {
                article,
                related,
                photo,
            };
            feed::entry(config, &story)
        })
        .collect();
    (entries, learned)
}

/// Each set's entries (and the scan index of each entry's story), its news sitemap's entries,
/// and how many entries no set took.
struct SharedOut {
    entries: Vec<Vec<feed::Entry>>,
    news: Vec<Vec<feed::Entry>>,
    stories: Vec<Vec<usize>>,
    unused: usize,
}

/// Gives each set the entries of the stories it chose, newest first, but for a story that no
/// longer belongs to it now that it is read in full.
fn share_out(
    sets: &[sets::FeedSet],
    (selections, news): (&[sets::Selection], &[Vec<usize>]),
    stories: &[Dated],
    articles: &[(usize, Article)],
    entries: &[feed::Entry],
    parse_opts: &article::ParseOptions,
) -> SharedOut {
    // Which entry holds the story of each file of the scan.
    let entry_of: HashMap<usize, usize> = articles
        .iter()
        .enumerate()
        .map(|(e, (index, _))| (*index, e))
        .collect();
    let take = |set: &sets::FeedSet, positions: &[usize]| -> Vec<usize> {
        positions
            .iter()
            .filter_map(|pos| entry_of.get(&stories[*pos].index()).copied())
            .filter(|e| set.still_takes(&articles[*e].1, &parse_opts.cities))
            .collect()
    };
    let per_set: Vec<Vec<usize>> = sets
        .par_iter()
        .zip(selections)
        .map(|(set, sel)| take(set, &sel.chosen))
        .collect();
    let news: Vec<Vec<usize>> = sets
        .par_iter()
        .zip(news)
        .map(|(set, positions)| take(set, positions))
        .collect();
    let mut in_some_set = vec![false; entries.len()];
    for e in per_set.iter().chain(&news).flatten() {
        in_some_set[*e] = true;
    }
    SharedOut {
        stories: per_set
            .iter()
            .map(|chosen| chosen.iter().map(|e| articles[*e].0).collect())
            .collect(),
        entries: per_set
            .into_par_iter()
            .map(|chosen| chosen.into_iter().map(|e| entries[e].clone()).collect())
            .collect(),
        news: news
            .into_iter()
            .map(|chosen| chosen.into_iter().map(|e| entries[e].clone()).collect())
            .collect(),
        unused: in_some_set.iter().filter(|x| !**x).count(),
    }
}

/// Saves what the next build can use: every file's facts, with the headlines this build read
/// to link to stories, and the memo of what it wrote; only when something changed.
fn remember(
    place: &Place,
    scan: &mut Scan,
    memo: Option<OutputMemo>,
    learned: Vec<(usize, String)>,
    report: &mut BuildReport,
) {
    let learned_titles = !learned.is_empty();
    for (index, title) in learned {
        if let Facts::Story(facts) = &mut scan.scanned[index].facts {
            facts.set_title(title);
        }
    }
    if !scan.unchanged() || memo != scan.memo || learned_titles {
        save_cache(place, scan, memo.as_ref(), report);
    }
}

/// Hands the scan to the session, if there is one, as the cache the next build starts from:
/// only when the cache file on disk holds these very records.
fn keep_scan(
    config: &Config,
    opts: &BuildOptions,
    place: &Place,
    scan: Scan,
    memo: Option<OutputMemo>,
    report: &BuildReport,
) {
    if let Some(session) = opts.session.as_ref() {
        if config.cache && place.writes && report.cache_error.is_none() {
            let path = place.out_dir.join(cache::CACHE_FILE);
            session.keep_cache(
                &path,
                scan.fingerprint,
                (scan.scanned, scan.folders, scan.mastheads),
                memo,
            );
        }
    }
}

/// Nothing changed since the last build, which wrote clean documents that are still on disk:
/// they would come out byte for byte the same. Fills the report from the cache's memo and
/// says so.
fn up_to_date(
    (config, opts): (&Config, &BuildOptions),
    scan: &Scan,
    output_fingerprint: u64,
    planned: &[documents::Planned],
    sets: &[sets::FeedSet],
    report: &mut BuildReport,
) -> bool {
    let written: Vec<PathBuf> = planned.iter().filter_map(|p| p.path.clone()).collect();
    let Some(memo) = scan.memo.as_ref().filter(|m| {
        scan.unchanged()
            && opts.output == Output::Folder
            && m.fingerprint == output_fingerprint
            // An embargo that lifted since the last build (or a clock set back before one)
            // changes the feeds though no file did.
            && m.embargoed == report.embargoed
            && m.sets.len() == sets.len()
            // The ledger is as this build's predecessor left it, and no tombstone expired.
            && config.ledger.as_ref().map(|path| {
                std::fs::metadata(path).ok().map(|m| cache::FileStamp::of(&m))
            }) == m.ledger.map(Some)
            && m.expires.is_none_or(|t| opts.now.is_some_and(|now| now.timestamp() < t))
            && m.files_intact(&written)
    }) else {
        return false;
    };
    report.up_to_date = true;
    report.expires = memo.expires.and_then(|t| DateTime::from_timestamp(t, 0));
    report.published = memo.published;
    report.not_selected = report.stories.saturating_sub(memo.published);
    report.related_resolved = memo.related_resolved;
    report.related_unresolved = memo.related_unresolved;
    report.sets = sets
        .iter()
        .zip(&memo.sets)
        .map(|(set, (stories, published))| SetOutcome {
            name: set.name.clone(),
            path: set.path.clone(),
            stories: *stories,
            published: *published,
        })
        .collect();
    report.feeds = planned
        .iter()
        .map(|p| FeedOutcome {
            document: p.document,
            set: p.set.map(|i| sets[i].name.clone()),
            path: p.path.clone(),
            status: FeedStatus::Unchanged,
            findings: Vec::new(),
        })
        .collect();
    true
}

/// What the next build needs to know to skip rendering: only documents written to the folder
/// without any finding may be skipped next time.
fn new_memo(
    opts: &BuildOptions,
    fingerprint: u64,
    (hashes, models): (Vec<u64>, Vec<u64>),
    report: &BuildReport,
) -> Option<OutputMemo> {
    let clean = report
        .feeds
        .iter()
        .all(|f| f.findings.is_empty() && f.status != FeedStatus::Refused);
    (opts.output == Output::Folder && clean).then_some(OutputMemo {
        fingerprint,
        hashes,
        published: report.published,
        related_resolved: report.related_resolved,
        related_unresolved: report.related_unresolved,
        embargoed: report.embargoed,
        ledger: None,
        expires: None,
        sets: report
            .sets
            .iter()
            .map(|s| (s.stories, s.published))
            .collect(),
        models,
        // Filled in by the archive step, when there is one.
        archives: Vec::new(),
    })
}

/// Holds back the stories under embargo at the build clock's `now` (all of them when there is
/// no clock: fail closed), counting them and noting when the next embargo lifts.
fn hold_embargoed(
    now: Option<DateTime<Utc>>,
    (stories, scanned): (&mut Vec<Dated>, &ScanList),
    report: &mut BuildReport,
) {
    let now = now.map(|t| t.timestamp());
    let mut next: Option<i64> = None;
    let before = stories.len();
    // One pass, keeping the order: the archive is large and embargoes are rare.
    stories.retain(|s| match s.facts(scanned).embargo() {
        Some(e) if now.is_none_or(|now| now < e) => {
            next = Some(next.map_or(e, |n| n.min(e)));
            false
        }
        _ => true,
    });
    report.embargoed = before - stories.len();
    report.next_embargo = next.and_then(|secs| DateTime::from_timestamp(secs, 0));
}

/// Saves every file's facts for the next run. The feeds are out: a cache that cannot be saved
/// only makes the next run slower, so it is a warning in the report.
fn save_cache(place: &Place, scan: &Scan, memo: Option<&OutputMemo>, report: &mut BuildReport) {
    let saved = cache::save(
        &place.out_dir.join(cache::CACHE_FILE),
        scan.fingerprint,
        scan.scanned
            .with_paths()
            .map(|(rel, s)| (rel, &s.stamp, &s.facts)),
        memo,
    );
    if let Err(e) = saved {
        // The report names the file; say only why.
        let why = std::error::Error::source(&e).map_or_else(|| e.to_string(), ToString::to_string);
        report.cache_error = Some(why);
    }
}

/// The stories among the scanned files; the problems of the others go to the report.
fn collect_stories(scanned: &ScanList, report: &mut BuildReport) -> Vec<Dated> {
    let mut stories = Vec::with_capacity(scanned.len());
    for (index, s) in scanned.iter().enumerate() {
        match &s.facts {
            Facts::Story(facts) => {
                report.warnings.extend(facts.warnings().iter().cloned());
                if let Some(enc) = facts.legacy_encoding() {
                    report
                        .legacy_encodings
                        .push((scanned.path_of(s).to_string(), enc.to_string()));
                }
                // A position is 32 bits: no file system holds four billion files in one
                // folder tree, and one that did would have its first four billion read.
                let Ok(index) = u32::try_from(index) else {
                    break;
                };
                stories.push(Dated::new(index, facts));
            }
            Facts::Withdrawn => report.withdrawn += 1,
            Facts::Failed(e) => report.errors.push(e.as_ref().clone()),
        }
    }
    stories
}

/// The photos of the stories about to be published (copied to `<out>/media` when the build
/// writes the folder and `copy_photos` is on) and what was wrong with the others; when stories
/// are `withheld`, the copies of withdrawn and held-back stories are taken away.
fn attach_photos(
    config: &Config,
    opts: &BuildOptions,
    place: &Place,
    scan: &Scan,
    articles: &[(usize, Article)],
    withheld: bool,
) -> (Vec<Option<feed::Photo>>, Vec<ArticleWarning>) {
    let media = (opts.output == Output::Folder && place.writes && config.copy_photos)
        .then(|| place.out_dir.join("media"));
    // Many at once: each photo is probed and, when new, copied and synced to disk.
    let syncs = output::DirSyncs::default();
    let copy_to = media.as_deref().map(|m| (m, &syncs));
    let (photos, warnings): (Vec<Option<feed::Photo>>, Vec<Vec<ArticleWarning>>) =
        output::io_pool().install(|| {
            articles
                .par_iter()
                .map(|(_, a)| {
                    let mut warnings = Vec::new();
                    let photo = photo::attach(config, &place.archive, copy_to, a, &mut warnings);
                    (photo, warnings)
                })
                .unzip()
        });
    syncs.sync();
    if let Some(media) = media.filter(|_| withheld) {
        let now = opts.now.map(|t| t.timestamp());
        for (rel, s) in scan.scanned.with_paths() {
            let withheld = match &s.facts {
                Facts::Withdrawn => true,
                Facts::Story(f) => f.embargo().is_some_and(|e| now.is_none_or(|now| now < e)),
                Facts::Failed(_) => false,
            };
            if withheld {
                photo::remove_copies(&media, article::id_of(rel));
            }
        }
    }
    (photos, warnings.into_iter().flatten().collect())
}

/// Refuses to replace feeds that have entries when too few of their stories are left in the
/// archive: an empty or half-mounted archive must not wipe what subscribers already have.
fn refuse_to_shrink(
    config: &Config,
    paths: &[&Path],
    stories: &[Dated],
    scanned: &ScanList,
) -> Result<(), Error> {
    let published = crate::published::story_ids(paths, &config.id_prefix);
    if published.is_empty() {
        return Ok(());
    }
    let present = stories
        .iter()
        .filter(|s| published.contains(s.id(scanned)))
        .count();
    // `present` of `published` is below the ratio, in integers: present / published < ratio.
    if (present as f64) < config.min_stories_ratio * published.len() as f64 {
        return Err(Error::ArchiveShrank {
            present,
            published: published.len(),
            stories: stories.len(),
            ratio: config.min_stories_ratio,
            articles: config.articles.clone(),
        });
    }
    Ok(())
}

/// Sorts the stories newest first; ties by time are broken by id, so output is deterministic.
fn sort_newest(stories: &mut [Dated], scanned: &ScanList) {
    // By time and scan position first, which compares integers; then each run of equal times
    // by id. A run is in the scan's order, by path, which is nearly the ids' order, so its
    // sort finds it (almost) sorted: at a million stories, with many at the same midnight,
    // comparing ids throughout took a tenth of an incremental build.
    stories.sort_unstable_by(|a, b| b.secs().cmp(&a.secs()).then(a.index.cmp(&b.index)));
    for run in stories.chunk_by_mut(|a, b| a.secs() == b.secs()) {
        if run.len() > 1 {
            run.sort_unstable_by(|a, b| a.id(scanned).cmp(b.id(scanned)));
        }
    }
}

/// Reads the chosen stories (positions in the newest-first list) in full, in parallel, and
/// returns each with its index in the scan. A file that changed since the scan and no longer parses is
/// reported like any bad file.
fn read_chosen(
    now: Option<DateTime<Utc>>,
    archive: &Archive,
    parse_opts: &article::ParseOptions,
    scanned: &ScanList,
    (stories, revisions): (&[Dated], &Revisions),
    chosen: &[usize],
    report: &mut BuildReport,
) -> Vec<(usize, Article)> {
    let read: Vec<(usize, Result<Article, ArticleError>)> = chosen
        .par_iter()
        .map(|&pos| {
            let file = &scanned[stories[pos].index()];
            let rel = scanned.path_at(stories[pos].index());
            let read = archive
                .read(rel, parse_opts.max_file_size)
                .and_then(|bytes| article::parse(&bytes, &archive.path_of(rel), rel, parse_opts))
                .and_then(|p| match file.stamp.has_sidecar() {
                    false => Ok(p.article),
                    true => still_publishable(archive, rel, now).map(|m| p.article.with_meta(m)),
                })
                .map(|a| a.at_times(stories[pos].date(), revisions.of(&stories[pos])));
            (stories[pos].index(), read)
        })
        .collect();
    let mut articles = Vec::with_capacity(read.len());
    for (index, result) in read {
        match result {
            Ok(a) => articles.push((index, a)),
            Err(e) => {
                report.skipped += 1;
                report.errors.push(e);
            }
        }
    }
    articles
}

/// The sidecar of a story about to be published, read again: if it changed since the scan to
/// withdraw or embargo the story, the story is not published this time (fail closed).
fn still_publishable(
    archive: &Archive,
    rel: &str,
    now: Option<DateTime<Utc>>,
) -> Result<Meta, ArticleError> {
    let meta = archive.read_meta(rel)?;
    let embargoed = meta.embargo.is_some_and(|e| now.is_none_or(|now| now < e));
    if meta.status == Status::Withdrawn || embargoed {
        return Err(ArticleError {
            path: meta::sidecar_of(&archive.path_of(rel)),
            line: None,
            column: None,
            kind: ArticleErrorKind::Meta(
                "changed during the build to withdraw or embargo the story; not published now, the next build takes the change".into(),
            ),
        });
    }
    Ok(meta)
}

/// A document as published.
enum Published {
    /// Rendered: its bytes, the validator's findings and what became of it.
    Made(Vec<u8>, Vec<Finding>, FeedStatus),
    /// Left as the last build wrote it: the hash of its bytes.
    Kept(u64),
}

/// Renders every document, checks each feed and writes each that passes, but for the documents
/// whose model is the one the last build wrote them from (`previous`, by `keys`) and whose file
/// still holds those bytes. Returns the hash of each document, for the cache's memo.
fn publish(
    opts: &BuildOptions,
    config: &Config,
    (sets, models): (&[sets::FeedSet], &[feed::Feed]),
    planned: Vec<documents::Planned>,
    (keys, previous): (&[u64], Option<&OutputMemo>),
    report: &mut BuildReport,
) -> Result<Vec<u64>, Error> {
    // Each document is rendered, checked and written in one task, many at once: a write waits
    // for its sync to disk while the next documents are rendered. Each folder is synced once
    // all are written.
    let syncs = output::DirSyncs::default();
    let done: Result<Vec<Published>, Error> = output::io_pool().install(|| {
        planned
            .par_iter()
            .zip(keys)
            .enumerate()
            .map(|(i, (p, key))| {
                if let (Some(memo), Some(path)) = (previous, &p.path) {
                    if memo.models[i] == *key && cache::file_holds(path, memo.hashes[i]) {
                        return Ok(Published::Kept(memo.hashes[i]));
                    }
                }
                let documents::Rendered { bytes, notes } =
                    documents::render(p, config, sets, models)?;
                let mut findings = match p.document {
                    Document::Feed(format) if opts.check => {
                        check_document(&bytes, format, opts.now)
                    }
                    Document::SitemapPage(_) if opts.check => {
                        check_document(&bytes, Format::NewsSitemap, opts.now)
                    }
                    _ => Vec::new(),
                };
                findings.extend(notes);
                let status = if findings.iter().any(|f| f.severity == Severity::Error) {
                    FeedStatus::Refused
                } else if let Some(path) = &p.path {
                    if let Some(dir) = path.parent() {
                        std::fs::create_dir_all(dir)
                            .map_err(|e| Error::io("cannot create", dir, e))?;
                    }
                    match output::write_in_batch(path, &bytes, &syncs)? {
                        WriteOutcome::Written => FeedStatus::Written,
                        WriteOutcome::Unchanged => FeedStatus::Unchanged,
                    }
                } else {
                    FeedStatus::Returned
                };
                Ok(Published::Made(bytes, findings, status))
            })
            .collect()
    });
    syncs.sync();
    let done = done?;
    let mut hashes = Vec::with_capacity(done.len());
    for (published, p) in done.into_iter().zip(planned) {
        let (findings, status) = match published {
            Published::Kept(hash) => {
                hashes.push(hash);
                (Vec::new(), FeedStatus::Unchanged)
            }
            Published::Made(bytes, findings, status) => {
                hashes.push(xxhash_rust::xxh3::xxh3_64(&bytes));
                if status == FeedStatus::Returned {
                    report.stdout = Some(bytes);
                }
                (findings, status)
            }
        };
        report.feeds.push(FeedOutcome {
            document: p.document,
            set: p.set.map(|i| sets[i].name.clone()),
            path: p.path,
            status,
            findings,
        });
    }
    Ok(hashes)
}

/// Validates a rendered document; a document the validator cannot read at all is one error.
fn check_document(bytes: &[u8], format: Format, now: Option<DateTime<Utc>>) -> Vec<Finding> {
    // A ninjs stream of a set with no story and no tombstone is empty: zero lines is valid
    // JSON Lines, but no document the validator could recognise.
    if format == Format::Ninjs && bytes.is_empty() {
        return Vec::new();
    }
    match validate::check(
        bytes,
        &CheckOptions {
            now,
            publishing: true,
        },
    ) {
        Ok(report) => report.findings,
        Err(e) => vec![Finding {
            severity: Severity::Error,
            code: "xml.wellformed",
            message: format!("the {format} document cannot be read back: {e}"),
            line: 1,
            column: 1,
        }],
    }
}

/// Two files with the same id (`a.txt` and `a.text`) or the same URL (same slug and date with a
/// pattern without `{id}`) would be one entry to a reader: both are refused, naming each other.
/// Returns the scan positions of the stories refused. Run before the list of stories is made:
/// the check's 16 bytes a story are freed before the list's 32 are taken.
fn find_duplicates(
    config: &Config,
    archive: &Archive,
    scanned: &ScanList,
    errors: &mut Vec<ArticleError>,
) -> HashSet<usize> {
    let stories = || {
        scanned
            .iter()
            .enumerate()
            .filter(|(_, s)| matches!(s.facts, Facts::Story(_)))
            .map(|(i, _)| i)
    };
    let id = |i: usize| article::id_of(scanned.path_at(i));
    let mut clashes: Vec<(usize, usize, &'static str, String)> = Vec::new();
    for (first, i) in equal_keys(stories(), id) {
        clashes.push((first, i, "id", id(i).to_string()));
    }
    if !config.article_url.uses_id() {
        // Before the ledger: the time of a story is its scan's.
        let date = |i: usize| match &scanned[i].facts {
            Facts::Story(facts) => facts.date(),
            _ => DateTime::UNIX_EPOCH.fixed_offset(), // not a story: never asked
        };
        // Stories already refused for their id are not reported a second time for their URL.
        let refused: HashSet<usize> = clashes.iter().flat_map(|c| [c.0, c.1]).collect();
        // Compares the parts the pattern uses instead of rendering 100,000 URLs.
        let url_key = |i: usize| {
            let slug = article::slug_of(scanned.path_at(i));
            (config.article_url.date_parts(date(i)), slug)
        };
        let positions = stories().filter(|i| !refused.contains(i));
        for (first, i) in equal_keys(positions, url_key) {
            let slug = article::slug_of(scanned.path_at(i));
            let url = config.article_url.render(date(i), id(i), slug).to_string();
            clashes.push((first, i, "URL", url));
        }
    }
    let mut refused = HashSet::new();
    for (a, b, what, value) in clashes {
        for (this, other) in [(a, b), (b, a)] {
            refused.insert(this);
            errors.push(ArticleError {
                path: archive.path_of(scanned.path_at(this)),
                line: None,
                column: None,
                kind: ArticleErrorKind::Duplicate {
                    what: what.to_string(),
                    value: value.clone(),
                    other: scanned.path_at(other).to_string(),
                },
            });
        }
    }
    refused
}

/// The pairs (first, later) of `positions` whose keys are equal, `first` the earliest position
/// with that key, ordered by `later`: what a map from each key to its first position finds, in
/// 8 bytes per story instead of a map's 50 or more (it is the largest thing a no-change rerun
/// adds to the scan: 8 MB at a million stories). Keys are compared by a 32-bit hash, then,
/// among equal hashes, by value: a collision is not a clash, only a comparison more (a
/// million keys make about a hundred).
fn equal_keys<K: PartialEq + std::hash::Hash>(
    positions: impl Iterator<Item = usize>,
    key: impl Fn(usize) -> K,
) -> Vec<(usize, usize)> {
    use std::hash::BuildHasher;
    // xxh3 rather than SipHash: keys that no adversary chooses (and a collision costs only a
    // comparison).
    let hasher = xxhash_rust::xxh3::Xxh3DefaultBuilder;
    // Positions of more than 32 bits are not stories (see `collect_stories`).
    let mut hashed: Vec<(u32, u32)> = positions
        .filter_map(|p| Some((hasher.hash_one(key(p)) as u32, u32::try_from(p).ok()?)))
        .collect();
    hashed.sort_unstable();
    let mut pairs = Vec::new();
    for group in hashed.chunk_by(|a, b| a.0 == b.0).filter(|g| g.len() > 1) {
        // In position order within the group: the first of each distinct key comes first.
        let mut firsts: Vec<usize> = Vec::new();
        for pos in group.iter().map(|&(_, pos)| pos as usize) {
            let k = key(pos);
            match firsts.iter().find(|f| key(**f) == k) {
                Some(&first) => pairs.push((first, pos)),
                None => firsts.push(pos),
            }
        }
    }
    pairs.sort_unstable_by_key(|&(_, later)| later);
    pairs
}

/// Resolves each chosen article's related headlines against the whole archive. Also returns
/// the headlines it read from the targets' files, for the cache.
fn resolve_related(
    config: &Config,
    archive: &Archive,
    parse_opts: &article::ParseOptions,
    scanned: &ScanList,
    stories: &[Dated],
    articles: &[(usize, Article)],
) -> (Vec<Vec<RelatedLink>>, Vec<(usize, String)>) {
    let wanted_keys: Vec<Vec<u64>> = articles
        .iter()
        .map(|(_, a)| a.related.iter().map(|h| related::title_key(h)).collect())
        .collect();
    let wanted: HashSet<u64> = wanted_keys.iter().flatten().copied().collect();
    let index = RelatedIndex::build(
        &wanted,
        stories.iter().map(|s| {
            (
                s.facts(scanned).key,
                Candidate {
                    index: s.index(),
                    date: s.date(),
                },
            )
        }),
    );
    let resolved: Vec<Vec<Option<usize>>> = articles
        .iter()
        .zip(&wanted_keys)
        .map(|((citing, a), keys)| {
            keys.iter()
                .map(|k| index.resolve(*k, *citing, a.date))
                .collect()
        })
        .collect();
    // Targets' headlines are not kept in memory: those of the stories being published are at
    // hand, the cache has those an earlier build read; read the other few that are linked, in
    // parallel, and only their headline.
    let mut targets: HashMap<usize, String> = HashMap::new();
    let mut wanted_targets: Vec<usize> = resolved.iter().flatten().flatten().copied().collect();
    wanted_targets.sort_unstable();
    wanted_targets.dedup();
    let published: HashMap<usize, &str> = articles
        .iter()
        .map(|(index, a)| (*index, a.title.as_str()))
        .collect();
    wanted_targets.retain(|t| {
        let known = published.get(t).copied().or(match &scanned[*t].facts {
            Facts::Story(facts) => facts.title(),
            _ => None,
        });
        if let Some(title) = known {
            targets.insert(*t, title.to_string());
        }
        known.is_none()
    });
    let read: Vec<(usize, String)> = wanted_targets
        .into_par_iter()
        .filter_map(|t| {
            let rel = scanned.path_at(t);
            archive
                .read(rel, parse_opts.max_file_size)
                .and_then(|bytes| article::headline(&bytes, &archive.path_of(rel), parse_opts))
                .ok()
                .map(|title| (t, title))
        })
        .collect();
    targets.extend(read.iter().cloned());
    let links = articles
        .iter()
        .zip(&resolved)
        .zip(&wanted_keys)
        .map(|(((_, a), targets_of), keys)| {
            a.related
                .iter()
                .zip(targets_of)
                .zip(keys)
                .map(|((headline, target), key)| {
                    link(config, scanned, &targets, (headline, *key), *target)
                })
                .collect()
        })
        .collect();
    (links, read)
}

/// The link for one related headline (with its [`related::title_key`]): to its target when it
/// was resolved and the target's headline, read now, still has that key (a guard against a
/// file edited since the scan), else the headline as text.
fn link(
    config: &Config,
    scanned: &ScanList,
    targets: &HashMap<usize, String>,
    (headline, key): (&str, u64),
    target: Option<usize>,
) -> RelatedLink {
    let target = target
        .and_then(|t| targets.get(&t).map(|title| (t, title)))
        .filter(|(_, title)| related::title_key(title) == key);
    // The target's publication time as the scan knows it (its sidecar's, if it has one), the
    // one its own entry's URL is made from.
    let found = target.and_then(|(t, title)| match &scanned[t].facts {
        Facts::Story(facts) => Some((t, title, facts.date())),
        _ => None,
    });
    match found {
        Some((t, title, date)) => {
            let rel = scanned.path_at(t);
            let url = config
                .article_url
                .render(date, article::id_of(rel), article::slug_of(rel));
            RelatedLink {
                title: title.clone(),
                url: Some(url),
                id: Some(config.entry_id(article::id_of(rel))),
            }
        }
        None => RelatedLink {
            title: headline.to_string(),
            url: None,
            id: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::FileStamp;
    use crate::config::RawConfig;
    use crate::corpus::Scanned;

    fn config(extra: &str) -> Config {
        let text = format!("[feed]\nsite_url = \"https://e.org/\"\n{extra}");
        Config::from_raw(&RawConfig::parse(&text).unwrap()).unwrap()
    }

    /// A scanned story at `rel` dated `secs` after 2025-01-01, with headline key `key`.
    fn story(rel: &str, secs: i64, key: u64) -> (&str, Scanned) {
        (
            rel,
            Scanned {
                rel_path: crate::file_list::RelPath::default(),
                stamp: FileStamp::default(),
                facts: Facts::Story(StoryFacts::new(
                    key,
                    1_735_689_600 + secs,
                    18_000,
                    None,
                    vec![],
                    None,
                )),
            },
        )
    }

    #[test]
    fn collect_stories_reports_failed_files_and_keeps_the_rest() {
        let failed = Scanned {
            facts: Facts::Failed(Box::new(ArticleError {
                path: "a/bad.txt".into(),
                line: Some(2),
                column: None,
                kind: ArticleErrorKind::HeadlineOnly,
            })),
            ..story("bad.txt", 0, 0).1
        };
        let scanned = ScanList::of([story("x/a.txt", 5, 1), ("bad.txt", failed)]);
        let mut report = BuildReport::default();
        let stories = collect_stories(&scanned, &mut report);
        assert_eq!(stories.len(), 1);
        assert_eq!(stories[0].id(&scanned), "x/a");
        assert_eq!(report.errors.len(), 1);
    }

    #[test]
    fn newest_first_and_ties_by_id_not_by_path() {
        // By path `a-b.txt` comes before `a.txt` ('-' < '.'); by id `a` comes before `a-b`.
        let scanned = ScanList::of([
            story("x/a-b.txt", 5, 1),
            story("x/a.txt", 5, 2),
            story("x/b.txt", 9, 3),
            story("x/c.txt", 5, 4),
            story("x/old.txt", 1, 5),
        ]);
        let mut report = BuildReport::default();
        let mut stories = collect_stories(&scanned, &mut report);
        sort_newest(&mut stories, &scanned);
        let ids: Vec<&str> = stories.iter().map(|s| s.id(&scanned)).collect();
        assert_eq!(ids, ["x/b", "x/a", "x/a-b", "x/c", "x/old"]);
    }

    #[test]
    fn a_story_is_12_bytes_and_its_revision_is_beside_it() {
        // One per story of the archive: a million of them must not cost more than 12 MB.
        assert_eq!(std::mem::size_of::<Dated>(), 12);
        let scanned = ScanList::of([story("x/a.txt", 5, 1), story("x/b.txt", 6, 2)]);
        let mut report = BuildReport::default();
        let mut stories = collect_stories(&scanned, &mut report);
        assert_eq!(stories[1].facts(&scanned).key, 2);
        let mut revisions = Revisions::default();
        assert_eq!(revisions.of(&stories[0]), None);
        let date = DateTime::parse_from_rfc3339("2025-06-18T09:15:30+05:00").unwrap();
        stories[0].set_date(date);
        stories[1].set_date(date);
        assert_eq!(stories[0].date(), date);
        // A revision is never before the publication time, and is shown in its offset.
        let before = DateTime::parse_from_rfc3339("2025-06-18T01:00:00Z").unwrap();
        let later = DateTime::parse_from_rfc3339("2025-06-19T01:00:00Z").unwrap();
        revisions.note(&stories[1], later.timestamp());
        revisions.note(&stories[0], before.timestamp());
        revisions.sort();
        assert_eq!(revisions.of(&stories[0]), Some(date));
        assert_eq!(
            revisions.of(&stories[1]).unwrap().to_rfc3339(),
            "2025-06-19T06:00:00+05:00"
        );
    }

    #[test]
    fn a_storys_packed_time_keeps_every_time_chrono_can_show() {
        let mut story = Dated {
            time: [0, 0],
            index: 7,
        };
        let earliest = DateTime::<Utc>::MIN_UTC.timestamp();
        let latest = DateTime::<Utc>::MAX_UTC.timestamp();
        for secs in [earliest, -86_401, -1, 0, 1, 1_750_219_200, latest] {
            for offset in [-86_399, -18_000, -1, 0, 1, 16_200, 86_399] {
                story.time = pack_time(secs, offset);
                assert_eq!((story.secs(), story.offset()), (secs, offset));
            }
        }
        // Through a date, as the build sets it, in the story's offset.
        let date = DateTime::parse_from_rfc3339("1901-12-13T20:45:52-05:17").unwrap();
        story.set_date(date);
        assert_eq!(story.date(), date);
        assert_eq!(story.date().offset(), date.offset());
        assert_eq!(story.index, 7);
    }

    #[test]
    fn duplicates_by_id_or_url_are_both_refused_naming_each_other() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::open(dir.path(), false).unwrap();
        let scanned = ScanList::of([
            story("a.txt", 1, 1),
            story("a.text", 2, 2),
            story("2025/b.txt", 3, 3),
            story("2024/b.txt", 4, 4),
            story("c.txt", 5, 5),
        ]);
        let mut report = BuildReport::default();
        let mut stories = collect_stories(&scanned, &mut report);
        // The default pattern has no {id}: the two `b` stories of one month share a URL.
        let mut errors = Vec::new();
        let refused = find_duplicates(&config(""), &archive, &scanned, &mut errors);
        stories.retain(|s| !refused.contains(&s.index()));
        let kept: Vec<&str> = stories.iter().map(|s| s.id(&scanned)).collect();
        assert_eq!(kept, ["c"]);
        assert_eq!(errors.len(), 4);
        assert!(
            errors[0].to_string().contains("also the id of `a.text`"),
            "{}",
            errors[0]
        );
        assert!(errors.iter().any(|e| e.to_string().contains("URL")));
        // With {id} in the pattern, only the id clash remains.
        let mut stories = collect_stories(&scanned, &mut report);
        let mut errors = Vec::new();
        let by_id = config("article_url = \"n/{id}/\"\n");
        let refused = find_duplicates(&by_id, &archive, &scanned, &mut errors);
        stories.retain(|s| !refused.contains(&s.index()));
        assert_eq!(stories.len(), 3);
    }

    #[test]
    fn equal_keys_pairs_each_later_position_with_the_first_of_its_key() {
        let keys = ["a", "b", "a", "c", "b", "a"];
        let pairs = equal_keys(0..keys.len(), |p| keys[p]);
        assert_eq!(pairs, [(0, 2), (1, 4), (0, 5)]);
        // Keys whose hashes collide are still told apart by value.
        #[derive(PartialEq)]
        struct SameHash(u8);
        impl std::hash::Hash for SameHash {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                0u8.hash(state);
            }
        }
        let keys = [1, 2, 1, 3];
        let pairs = equal_keys(0..keys.len(), |p| SameHash(keys[p]));
        assert_eq!(pairs, [(0, 2)]);
        assert!(equal_keys(0..3, |p| p).is_empty());
    }

    #[test]
    fn refuse_to_shrink_compares_with_the_feeds_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let feed = dir.path().join("atom.xml");
        let ids: String = ["a", "b", "c", "d"]
            .iter()
            .map(|id| format!("<entry><id>tag:e.org,2025:{id}</id></entry>"))
            .collect();
        std::fs::write(&feed, format!("<feed>{ids}</feed>")).unwrap();
        let scanned = ScanList::of([
            story("a.txt", 1, 1),
            story("b.txt", 2, 2),
            story("z.txt", 3, 3),
        ]);
        let mut report = BuildReport::default();
        let stories = collect_stories(&scanned, &mut report);
        let c = config("");
        // Two of the four published stories are left: exactly the default ratio of 0.5.
        assert!(refuse_to_shrink(&c, &[feed.as_path()], &stories, &scanned).is_ok());
        let err = refuse_to_shrink(&c, &[feed.as_path()], &stories[..1], &scanned).unwrap_err();
        assert!(
            matches!(
                err,
                Error::ArchiveShrank {
                    present: 1,
                    published: 4,
                    ..
                }
            ),
            "{err}"
        );
        // No feed on disk yet: nothing to protect.
        let none = dir.path().join("rss.xml");
        assert!(refuse_to_shrink(&c, &[none.as_path()], &[], &scanned).is_ok());
    }

    #[test]
    fn the_newest_stories_of_each_set_are_read_once() {
        let dir = tempfile::tempdir().unwrap();
        for (name, day) in [("old", "01"), ("mid", "02"), ("new", "03")] {
            let text = format!("{name}\nДУШАНБЕ, {day}.01.2025 /НИАТ «Ховар»/. Текст.\n");
            std::fs::write(dir.path().join(format!("{name}.txt")), text).unwrap();
        }
        let archive = Archive::open(dir.path(), false).unwrap();
        let scanned = ScanList::of([
            story("old.txt", 0, 1),
            story("new.txt", 172_800, 2),
            story("mid.txt", 86_400, 3),
        ]);
        let mut report = BuildReport::default();
        let mut stories = collect_stories(&scanned, &mut report);
        sort_newest(&mut stories, &scanned);
        let c = config("limit = 2\n");
        let opts = article::ParseOptions::new(&c.story);
        let sets = sets::plan(
            &c,
            &[Format::Rss],
            &archive,
            &scanned,
            &stories,
            &opts.cities,
            &mut report.errors,
        );
        assert_eq!(sets.len(), 1, "one language: the root set alone");
        let selections = sets::select(&sets, (&stories, &scanned), "ru");
        assert_eq!(selections[0].chosen, [0, 1]);
        assert_eq!(selections[0].matched, 3);
        let articles = read_chosen(
            None,
            &archive,
            &opts,
            &scanned,
            (&stories, &Revisions::default()),
            &selections[0].chosen,
            &mut report,
        );
        let titles: Vec<&str> = articles.iter().map(|(_, a)| a.title.as_str()).collect();
        assert_eq!(titles, ["new", "mid"]);
    }

    #[test]
    fn nothing_is_up_to_date_without_a_matching_memo() {
        let scan = Scan {
            scanned: ScanList::of([story("a.txt", 0, 1)]),
            read: 0,
            problems: vec![],
            ignored: vec![],
            photos: 0,
            gone: 0,
            cache_note: None,
            memo: Some(OutputMemo {
                fingerprint: 7,
                hashes: vec![1],
                ..OutputMemo::default()
            }),
            fingerprint: 1,
            folders: None,
            mastheads: None,
        };
        let c = config("[build]\nuse_ledger = false\n");
        let mut opts = BuildOptions::new(&c);
        opts.formats = vec![Format::Rss];
        let dir = tempfile::tempdir().unwrap();
        let planned = [documents::Planned {
            document: Document::Feed(Format::Rss),
            set: None,
            path: Some(dir.path().join("rss.xml")),
        }];
        let sets = [];
        let mut report = BuildReport::default();
        // Another fingerprint (other settings): render again.
        assert!(!up_to_date(
            (&c, &opts),
            &scan,
            8,
            &planned,
            &sets,
            &mut report
        ));
        // Same fingerprint, but the feed file is gone: render again.
        assert!(!up_to_date(
            (&c, &opts),
            &scan,
            7,
            &planned,
            &sets,
            &mut report
        ));
        // Same fingerprint and the bytes are there: up to date.
        std::fs::write(dir.path().join("rss.xml"), b"x").unwrap();
        let hash = xxhash_rust::xxh3::xxh3_64(b"x");
        let scan = Scan {
            memo: Some(OutputMemo {
                fingerprint: 7,
                hashes: vec![hash],
                published: 1,
                ..OutputMemo::default()
            }),
            ..scan
        };
        report.stories = 1;
        assert!(up_to_date(
            (&c, &opts),
            &scan,
            7,
            &planned,
            &sets,
            &mut report
        ));
        assert!(report.up_to_date && report.published == 1);
    }

    /// Story text is always escaped, so live markup can only come from a defect; when it does,
    /// the build's check refuses the feed instead of warning.
    #[test]
    fn active_content_stops_the_write() {
        let rss = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>T</title><link>https://e.org/</link><description>D</description>
<atom:link href="https://e.org/rss.xml" rel="self" type="application/rss+xml"/>
<item><title>A</title><link>https://e.org/a</link><guid isPermaLink="false">tag:e.org,2025:a</guid>
<content:encoded>&lt;p onclick="x()"&gt;hi&lt;/p&gt;</content:encoded></item>
</channel></rss>"#;
        let findings = check_document(rss.as_bytes(), Format::Rss, None);
        let script = findings.iter().find(|f| f.code == "html.script").unwrap();
        assert_eq!(script.severity, Severity::Error, "{findings:#?}");
    }
}
