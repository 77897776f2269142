//! The per-file cache: what a build learnt from each story file, so a rerun reads only what
//! changed.
//!
//! Each file's facts (headline, date, title key, problems) are keyed by its relative path and
//! stamped with size, modification time, change time and inode: any write, rename or `touch`
//! changes the stamp (ctime cannot be set back by hand, so a file whose mtime goes backwards is
//! still seen as changed). The cache is versioned and fingerprinted with the settings that shape
//! the facts; a missing, corrupt, foreign or stale cache is silently rebuilt. It never changes
//! the output: tests build with and without it and compare bytes.

use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::article::facets;
use crate::article::lang::Detected;
use crate::article::{ArticleError, ArticleWarning};
use crate::fsx::{self, ReadError};

/// File name of the cache, in the output folder.
pub const CACHE_FILE: &str = ".wirefeed-cache";

const MAGIC: &[u8; 8] = b"WFCACHE\0";
/// Bump whenever [`Facts`], [`OutputMemo`] or the parser's output changes meaning.
const VERSION: u32 = 12;

/// What identifies one version of a file on disk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FileStamp {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the epoch.
    pub mtime_ns: i64,
    /// Status change time, nanoseconds since the epoch (0 where unknown).
    pub ctime_ns: i64,
    /// Inode number (0 where unknown).
    pub inode: u64,
    /// The story's companions (its metadata sidecar and its `<stem>.jpg…` photos): a hash of
    /// their stamps, so adding, editing or deleting one changes the story's stamp and the story
    /// is read again; bit 0 says whether there is a sidecar; 0 for no companion at all.
    pub companions: u64,
}

impl FileStamp {
    /// The stamp of a file's metadata.
    pub(crate) fn of(meta: &std::fs::Metadata) -> Self {
        let ns = |t: io::Result<std::time::SystemTime>| {
            t.ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
        };
        #[cfg(unix)]
        let (ctime_ns, inode) = {
            use std::os::unix::fs::MetadataExt;
            (
                meta.ctime()
                    .saturating_mul(1_000_000_000)
                    .saturating_add(meta.ctime_nsec()),
                meta.ino(),
            )
        };
        #[cfg(not(unix))]
        let (ctime_ns, inode) = (0, 0);
        FileStamp {
            size: meta.len(),
            mtime_ns: ns(meta.modified()),
            ctime_ns,
            inode,
            companions: 0,
        }
    }

    /// Whether the story has a metadata sidecar.
    pub(crate) fn has_sidecar(&self) -> bool {
        self.companions & 1 == 1
    }

    /// The value that stands for this file as one of a story's companions in its stamp.
    pub(crate) fn as_companion(&self) -> u64 {
        let bytes: Vec<u8> = [
            self.size.to_le_bytes(),
            self.mtime_ns.to_le_bytes(),
            self.ctime_ns.to_le_bytes(),
            self.inode.to_le_bytes(),
        ]
        .concat();
        xxhash_rust::xxh3::xxh3_64(&bytes)
    }
}

/// What a build needs of a story it may not publish. Deliberately small (no headline text): an
/// archive of 100,000 stories keeps 100,000 of these in memory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoryFacts {
    /// [`crate::related::title_key`] of the headline.
    pub key: u64,
    /// Publication time: seconds since the epoch…
    pub secs: i64,
    /// …and UTC offset in seconds.
    pub offset: i32,
    /// The language of its text (a sidecar's `lang`, when given, is in the rare facts).
    pub lang: Detected,
    /// [`crate::article::facets::city_key`] of its dateline city.
    pub city: u64,
    /// [`crate::article::facets::agency_key`] of its agency.
    pub agency: u64,
    /// [`content_hash`] of its file and sidecar: what the publication ledger compares to tell
    /// a correction from a file merely touched.
    pub hash: u64,
    /// Whether its time is a real one (the dateline's or the sidecar's `published`) rather
    /// than the midnight of a date-only dateline.
    pub timed: bool,
    /// Its headline and agency, kept from the scan of its file for the archive documents
    /// (only when they are made, and never saved: a cached story's are read again).
    #[serde(skip)]
    masthead: Option<Box<crate::article::Masthead>>,
    /// What few stories have, out of line: most stories are UTF-8, clean and not under
    /// embargo, and keeping these fields inline would double the record (and the time spent
    /// walking 100,000 of them).
    rare: Option<Box<RareFacts>>,
}

/// The parts of [`StoryFacts`] that most stories do not have.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct RareFacts {
    legacy_encoding: Option<String>,
    warnings: Vec<ArticleWarning>,
    embargo: Option<i64>,
    /// The sidecar's language tag.
    lang: Option<String>,
    /// The sidecar's tags, as written…
    tags: Vec<String>,
    /// …and their [`crate::article::facets::tag_key`]s, computed once per scan of the file
    /// rather than once per feed set and build.
    tag_keys: Vec<u64>,
    /// The headline, once a build has read it to link a related headline to this story: kept
    /// with the file's stamp, so the next build links without reading the file again.
    title: Option<String>,
    /// The sidecar's `updated` (seconds, UTC offset), for the archive documents' entries.
    updated: Option<(i64, i32)>,
    /// The sidecar's byline, for the archive documents' entries.
    byline: Option<String>,
}

impl StoryFacts {
    /// The facts of a story published at `secs` (UTC offset `offset`).
    pub(crate) fn new(
        key: u64,
        secs: i64,
        offset: i32,
        legacy_encoding: Option<String>,
        warnings: Vec<ArticleWarning>,
        embargo: Option<i64>,
    ) -> Self {
        let rare = RareFacts {
            legacy_encoding,
            warnings,
            embargo,
            ..RareFacts::default()
        };
        StoryFacts {
            key,
            secs,
            offset,
            lang: Detected::default(),
            city: 0,
            agency: 0,
            hash: 0,
            timed: false,
            masthead: None,
            rare: (rare != RareFacts::default()).then(|| Box::new(rare)),
        }
    }

    /// These facts with the story's facets: its text's language, city and agency keys, and
    /// its sidecar's language and tags.
    pub(crate) fn with_facets(
        mut self,
        summary: (Detected, u64, u64),
        lang: Option<String>,
        tags: Vec<String>,
    ) -> Self {
        (self.lang, self.city, self.agency) = summary;
        if lang.is_some() || !tags.is_empty() {
            let rare = self.rare.get_or_insert_with(Box::default);
            rare.tag_keys = tags.iter().map(|t| facets::tag_key(t)).collect();
            rare.lang = lang;
            rare.tags = tags;
        }
        self
    }

    /// These facts with what the ledger and the archives need of its content: its
    /// [`content_hash`] and whether its time is real.
    pub(crate) fn with_content(mut self, hash: u64, timed: bool) -> Self {
        self.hash = hash;
        self.timed = timed;
        self
    }

    /// These facts with what its sidecar says that an archive document's entry shows: the
    /// time of its latest correction and its byline.
    pub(crate) fn with_sidecar(
        mut self,
        updated: Option<chrono::DateTime<chrono::FixedOffset>>,
        byline: Option<String>,
    ) -> Self {
        if updated.is_some() || byline.is_some() {
            let rare = self.rare.get_or_insert_with(Box::default);
            rare.updated = updated.map(|t| (t.timestamp(), t.offset().local_minus_utc()));
            rare.byline = byline;
        }
        self
    }

    /// These facts with the story's headline and agency, for the archive documents.
    pub(crate) fn with_masthead(mut self, masthead: Option<crate::article::Masthead>) -> Self {
        self.masthead = masthead.map(Box::new);
        self
    }

    /// Its headline and agency, when the scan of its file kept them.
    pub(crate) fn masthead(&self) -> Option<&crate::article::Masthead> {
        self.masthead.as_deref()
    }

    /// Its sidecar's `updated`.
    pub(crate) fn updated(&self) -> Option<chrono::DateTime<chrono::FixedOffset>> {
        let (secs, offset) = self.rare.as_ref()?.updated?;
        Some(
            chrono::DateTime::from_timestamp(secs, 0)?
                .with_timezone(&chrono::FixedOffset::east_opt(offset)?),
        )
    }

    /// Its sidecar's byline.
    pub(crate) fn byline(&self) -> Option<&str> {
        self.rare.as_ref()?.byline.as_deref()
    }

    /// Its language tag: the sidecar's, else the detected one, else `default`.
    pub(crate) fn lang<'a>(&'a self, default: &'a str) -> &'a str {
        match self.rare.as_ref().and_then(|r| r.lang.as_deref()) {
            Some(lang) => lang,
            None => self.lang.tag(default),
        }
    }

    /// Its headline, if a build read it to link to the story.
    pub(crate) fn title(&self) -> Option<&str> {
        self.rare.as_ref()?.title.as_deref()
    }

    /// Keeps its headline (read from the file at the stamp these facts are for).
    pub(crate) fn set_title(&mut self, title: String) {
        self.rare.get_or_insert_with(Box::default).title = Some(title);
    }

    /// Its sidecar's tags, as written.
    pub(crate) fn tags(&self) -> &[String] {
        self.rare.as_ref().map_or(&[], |r| &r.tags)
    }

    /// The keys of its tags, in the order of [`StoryFacts::tags`].
    pub(crate) fn tag_keys(&self) -> &[u64] {
        self.rare.as_ref().map_or(&[], |r| &r.tag_keys)
    }

    /// The encoding it was decoded from, when not UTF-8.
    pub(crate) fn legacy_encoding(&self) -> Option<&str> {
        self.rare.as_ref()?.legacy_encoding.as_deref()
    }

    /// Warnings raised while parsing.
    pub(crate) fn warnings(&self) -> &[ArticleWarning] {
        self.rare.as_ref().map_or(&[], |r| &r.warnings)
    }

    /// Seconds since the epoch before which nothing of the story may appear.
    pub(crate) fn embargo(&self) -> Option<i64> {
        self.rare.as_ref()?.embargo
    }
}

/// The hash of a story's content: its file's bytes and what its sidecar says to readers.
/// The sidecar goes in by value, field by field with separators, not by its bytes: reordering
/// or commenting a sidecar is not a correction, a new caption is.
pub(crate) fn content_hash(story: &[u8], meta: &crate::article::meta::Meta) -> u64 {
    let mut sidecar = String::new();
    let times = [meta.published, meta.updated, meta.embargo].map(|t| t.map(|t| t.to_rfc3339()));
    for field in times.iter().chain([
        &meta.summary,
        &meta.author,
        &meta.photo,
        &meta.caption,
        &meta.lang,
    ]) {
        sidecar.push_str(field.as_deref().unwrap_or("\u{1}"));
        sidecar.push('\u{1f}');
    }
    for tag in &meta.tags {
        sidecar.push_str(tag);
        sidecar.push('\u{1e}');
    }
    xxhash_rust::xxh3::xxh3_64(story)
        ^ xxhash_rust::xxh3::xxh3_64(sidecar.as_bytes()).rotate_left(1)
}

/// The outcome of parsing one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Facts {
    /// A publishable story.
    Story(StoryFacts),
    /// A story its desk withdrew: it leaves every feed (not an error).
    Withdrawn,
    /// A file that cannot be published, and why (boxed: rare, and it would double every record).
    Failed(Box<ArticleError>),
}

/// What the last build wrote, so a rerun over an unchanged archive can stop before rendering.
///
/// Feeds are a pure function of the settings and the story files; when every file has the
/// stamp it had, none was added or removed, the settings fingerprint is the same and each feed
/// file on disk still has the bytes that were written, the feeds would come out identical.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct OutputMemo {
    /// Fingerprint of everything that shapes the documents besides the stories.
    pub fingerprint: u64,
    /// The xxh3 of each feed written, in the order of the build's formats. No paths: the cache
    /// lies in a folder others can write to, and must never name a file for the build to read.
    pub hashes: Vec<u64>,
    /// Entries published.
    pub published: usize,
    /// Related headlines resolved.
    pub related_resolved: usize,
    /// Related headlines unresolved.
    pub related_unresolved: usize,
    /// How many stories an embargo held back. With the files unchanged, the held stories at
    /// any instant are those whose embargo is later, so an equal count is the same set: a
    /// different one (the clock moved past an embargo, or back before one) means build again.
    pub embargoed: usize,
    /// Each feed set's (stories taken, entries), in the build's order of sets.
    pub sets: Vec<(usize, usize)>,
    /// The key of the model each document was rendered from, in the order of `hashes`: a
    /// document whose model has the same key and whose file still has its bytes is not
    /// rendered, checked or written again.
    pub models: Vec<u64>,
    /// The publication ledger's stamp after this build: a ledger changed, replaced or removed
    /// since (restored from a backup, say) can change the feeds' times, so build again.
    pub ledger: Option<FileStamp>,
    /// When the first tombstone in the feeds expires (seconds since the epoch): from then on
    /// the feeds change though no file did.
    pub expires: Option<i64>,
    /// The RFC 5005 archive documents written, one per month, oldest first (empty when
    /// archives are off).
    pub archives: Vec<ArchiveMemo>,
}

/// What a build wrote for one month's archive documents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ArchiveMemo {
    /// The month, `YYYY-MM`: the only name the build derives a path from, and only after
    /// checking its shape (the cache is not trusted to name files).
    pub month: String,
    /// The key of what the month's documents were rendered from; 0 when they must be made
    /// again (a finding, a photo the stamps cannot see).
    pub key: u64,
    /// Each document's file as written, in the order of the formats: one `stat` tells whether
    /// it is still the same file (size, mtime, ctime, inode), without reading its megabytes.
    pub files: Vec<FileStamp>,
}

impl OutputMemo {
    /// Whether the build's feed files (in the order of its formats) still hold the recorded
    /// bytes; each is read only if it is a regular file of sane size.
    pub(crate) fn files_intact(&self, paths: &[std::path::PathBuf]) -> bool {
        !self.hashes.is_empty()
            && self.hashes.len() == paths.len()
            && self
                .hashes
                .iter()
                .zip(paths)
                .all(|(hash, path)| file_holds(path, *hash))
    }
}

/// Whether `path` is a regular file of sane size whose bytes have the xxh3 `hash`.
pub(crate) fn file_holds(path: &std::path::Path, hash: u64) -> bool {
    crate::fsx::read_regular(path, false, crate::output::MAX_FEED_SIZE)
        .is_ok_and(|b| xxhash_rust::xxh3::xxh3_64(&b) == hash)
}

/// A file of the archive, its current stamp, and its facts if the cache has them for that stamp.
pub(crate) type CachedFile = (String, FileStamp, Option<Facts>);

/// Facts per relative path, as loaded from disk, sorted by path.
///
/// A sorted list rather than a map: the archive walk is sorted the same way, so matching the
/// two is a merge that moves each record out without copying, and memory stays one record per
/// file even for archives of hundreds of thousands of stories.
#[derive(Debug, Default)]
pub(crate) struct Cache {
    entries: Vec<(String, FileStamp, Facts)>,
    /// What the last build wrote, if it wrote clean feeds.
    pub memo: Option<OutputMemo>,
}

/// The file's shape.
#[derive(Deserialize)]
struct CacheFile {
    fingerprint: u64,
    entries: Vec<(String, FileStamp, Facts)>,
    memo: Option<OutputMemo>,
}

#[derive(Serialize)]
struct CacheFileRef<'a> {
    fingerprint: u64,
    entries: Vec<(&'a str, &'a FileStamp, &'a Facts)>,
    memo: Option<&'a OutputMemo>,
}

impl Cache {
    /// A cache of records already in memory (sorted by path, as a build's scan leaves them).
    pub(crate) fn from_entries(
        entries: Vec<(String, FileStamp, Facts)>,
        memo: Option<OutputMemo>,
    ) -> Self {
        Cache { entries, memo }
    }

    /// Largest cache file read (1 GiB). A record is about a hundred bytes, so this is room for
    /// some ten million stories; anything larger is not a cache wirefeed wrote, and is rebuilt.
    pub(crate) const MAX_FILE_SIZE: u64 = 1 << 30;

    /// Loads the cache; on any problem returns an empty one and says why (for `--verbose`).
    pub(crate) fn load(path: &Path, fingerprint: u64) -> (Self, Option<String>) {
        let empty = |why: String| (Cache::default(), Some(why));
        // Not followed through a symlink and read with a cap: the output folder is not
        // trusted, and a FIFO, a device or a huge file there is just not our cache.
        let bytes = match fsx::read_regular(path, false, Self::MAX_FILE_SIZE) {
            Ok(b) => b,
            Err(ReadError::Io(e)) if e.kind() == io::ErrorKind::NotFound => {
                return empty("no cache yet".into())
            }
            Err(e @ (ReadError::NotRegular(_) | ReadError::TooLarge { .. })) => {
                return empty(format!("not a wirefeed cache: {e}"))
            }
            Err(e) => return empty(format!("cannot read cache: {e}")),
        };
        let Some(body) = bytes.strip_prefix(MAGIC.as_slice()) else {
            return empty("not a wirefeed cache".into());
        };
        let (version, body) = body.split_at(body.len().min(4));
        if version != VERSION.to_le_bytes() {
            return empty("cache from another version".into());
        }
        match postcard::from_bytes::<CacheFile>(body) {
            Ok(file) if file.fingerprint == fingerprint => {
                let mut entries = file.entries;
                if !entries.is_sorted_by(|a, b| a.0 < b.0) {
                    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
                    entries.dedup_by(|a, b| a.0 == b.0);
                }
                let memo = file.memo;
                (Cache { entries, memo }, None)
            }
            Ok(_) => empty("settings changed".into()),
            Err(e) => empty(format!("corrupt cache ({e})")),
        }
    }

    /// Pairs each of `files` (sorted, with current stamps) with the facts cached for it when its
    /// stamp is unchanged, moving the records out of the cache. Returns how many records were
    /// dropped (files that are gone or changed), so the caller knows to rewrite the cache.
    pub(crate) fn match_sorted(
        mut self,
        files: Vec<(String, FileStamp)>,
    ) -> (Vec<CachedFile>, usize) {
        let mut cached = std::mem::take(&mut self.entries).into_iter().peekable();
        let mut dropped = 0;
        let matched = files
            .into_iter()
            .map(|(rel, stamp)| {
                while cached
                    .next_if(|(p, _, _)| p.as_str() < rel.as_str())
                    .is_some()
                {
                    dropped += 1;
                }
                let hit = cached
                    .next_if(|(p, _, _)| *p == rel)
                    .and_then(|(_, old, facts)| (old == stamp).then_some(facts));
                (rel, stamp, hit)
            })
            .collect();
        dropped += cached.count();
        (matched, dropped)
    }

    /// Whether the cache is empty.
    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Serialises records into the cache's file format, ready to be written atomically.
pub(crate) fn to_bytes<'a>(
    fingerprint: u64,
    entries: impl Iterator<Item = (&'a str, &'a FileStamp, &'a Facts)>,
    memo: Option<&'a OutputMemo>,
) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&VERSION.to_le_bytes());
    let file = CacheFileRef {
        fingerprint,
        entries: entries.collect(),
        memo,
    };
    // postcard (compact varints; bincode 1 is unmaintained, RUSTSEC-2025-0141) fails only on
    // values serde cannot write, such as a path that is not UTF-8. Then the cache is left
    // empty, and the next run rebuilds it, as for any corrupt cache.
    out.extend(postcard::to_allocvec(&file).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(size: u64) -> FileStamp {
        FileStamp {
            size,
            mtime_ns: 1,
            ctime_ns: 2,
            inode: 3,
            companions: 0,
        }
    }

    fn facts() -> Facts {
        Facts::Story(StoryFacts::new(
            42,
            1_750_186_800,
            18_000,
            None,
            vec![],
            None,
        ))
    }

    fn write(path: &Path, fingerprint: u64) {
        let (f, st) = (facts(), stamp(10));
        std::fs::write(
            path,
            to_bytes(fingerprint, [("a.txt", &st, &f)].into_iter(), None),
        )
        .unwrap();
    }

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CACHE_FILE);
        write(&path, 7);
        let (loaded, why) = Cache::load(&path, 7);
        assert_eq!(why, None);
        let files = vec![("a.txt".into(), stamp(10)), ("b.txt".into(), stamp(3))];
        let (matched, dropped) = loaded.match_sorted(files);
        assert_eq!(matched[0], ("a.txt".into(), stamp(10), Some(facts())));
        assert_eq!(matched[1], ("b.txt".into(), stamp(3), None));
        assert_eq!(dropped, 0);
    }

    #[test]
    fn a_changed_stamp_misses() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CACHE_FILE);
        write(&path, 7);
        let (loaded, _) = Cache::load(&path, 7);
        let (matched, _) = loaded.match_sorted(vec![("a.txt".into(), stamp(11))]);
        assert_eq!(matched[0].2, None);
    }

    #[test]
    fn records_of_deleted_files_are_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CACHE_FILE);
        write(&path, 7);
        let (loaded, _) = Cache::load(&path, 7);
        let (matched, dropped) = loaded.match_sorted(vec![("b.txt".into(), stamp(1))]);
        assert_eq!(matched, vec![("b.txt".into(), stamp(1), None)]);
        assert_eq!(dropped, 1);
    }

    #[test]
    fn corrupt_cache_is_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CACHE_FILE);
        write(&path, 7);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.truncate(bytes.len() - 3);
        std::fs::write(&path, bytes).unwrap();
        let (c, why) = Cache::load(&path, 7);
        assert!(c.is_empty());
        assert!(why.unwrap().contains("corrupt"));
    }

    #[test]
    fn garbage_is_not_a_cache() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CACHE_FILE);
        std::fs::write(&path, b"<rss/>").unwrap();
        assert_eq!(
            Cache::load(&path, 7).1.as_deref(),
            Some("not a wirefeed cache")
        );
    }

    #[test]
    fn other_settings_rebuild() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CACHE_FILE);
        write(&path, 7);
        let (c, why) = Cache::load(&path, 8);
        assert!(c.is_empty());
        assert_eq!(why.as_deref(), Some("settings changed"));
    }
}
