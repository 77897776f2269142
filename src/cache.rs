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
use crate::file_list::{FileList, Located, Paths, RelPath};
use crate::fsx::{self, ReadError};

/// File name of the cache, in the output folder.
pub const CACHE_FILE: &str = ".wirefeed-cache";

const MAGIC: &[u8; 8] = b"WFCACHE\0";
/// Bump whenever [`Facts`], [`OutputMemo`] or the parser's output changes meaning.
const VERSION: u32 = 15;

/// What identifies one version of a file on disk: 8 bytes, one per file of the archive (it
/// was 40, then 24, then 16: at a million stories, each 8 bytes is 8 MB).
///
/// One word, hashed: the size, the modification and status change times, the inode (0 where
/// unknown) and the story's companions (its metadata sidecar and its `<stem>.jpg…` photos), so
/// that any write, rename or `touch`, and adding, editing or deleting a companion, changes the
/// story's stamp and the story is read again (ctime cannot be set back by hand: a file whose
/// mtime goes backwards is still seen as changed). Bit 0 says whether there is a sidecar. Only
/// ever compared: a change that collides in 63 bits is the one it would miss. Nothing is kept
/// apart: a file is read through its open handle, whose size is asked then, and the one use of
/// its modification time (the time of a date-only story) is in the facts read with it
/// ([`StoryFacts::mtime_secs`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FileStamp(u64);

impl FileStamp {
    /// The stamp of a file's metadata.
    pub(crate) fn of(meta: &std::fs::Metadata) -> Self {
        #[cfg(unix)]
        let (mtime_ns, ctime_ns, inode) = {
            use std::os::unix::fs::MetadataExt;
            let ns = |secs: i64, nsec: i64| secs.saturating_mul(1_000_000_000).saturating_add(nsec);
            (
                ns(meta.mtime(), meta.mtime_nsec()),
                ns(meta.ctime(), meta.ctime_nsec()),
                meta.ino(),
            )
        };
        #[cfg(not(unix))]
        let (mtime_ns, ctime_ns, inode): (i64, i64, u64) = (
            meta.modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)),
            0,
            0,
        );
        FileStamp(hash_words(&[meta.len(), mtime_ns as u64, ctime_ns as u64, inode]) & !1)
    }

    /// This stamp with a story's companions: whether one is a sidecar, and the hash of their
    /// stamps ([`FileStamp::as_companion`]).
    pub(crate) fn with_companions(self, sidecar: bool, companions: u64) -> Self {
        FileStamp((hash_words(&[self.0, companions]) & !1) | u64::from(sidecar))
    }

    /// Whether the story has a metadata sidecar.
    pub(crate) fn has_sidecar(&self) -> bool {
        self.0 & 1 == 1
    }

    /// The value that stands for this file as one of a story's companions in its stamp.
    pub(crate) fn as_companion(&self) -> u64 {
        hash_words(&[self.0])
    }
}

/// The xxh3 of words, in little-endian order.
fn hash_words(words: &[u64]) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for w in words {
        h.update(&w.to_le_bytes());
    }
    h.digest()
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
    /// Whether its time is a real one, and for a date-only story when on its day its file was
    /// last modified: see [`Timing`].
    timing: Timing,
    /// What few stories have, out of line: most stories are UTF-8, clean and not under
    /// embargo, and keeping these fields inline would double the record (and the time spent
    /// walking 100,000 of them).
    rare: Option<Box<RareFacts>>,
}

/// Whether a story's time is a real one, and the second of its day (0–86,399, in its offset)
/// its file was last modified, if that was on its day: 19 bits in 3 bytes, which fit in the
/// room the facts' other small fields leave before the next word (a field of 8 bytes for the
/// time, or a stamp that kept it, cost every file of the archive 8 bytes more). Bit 0: timed;
/// bit 1: a second of the day follows, in bits 2 to 18.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Timing([u8; 3]);

impl Timing {
    fn new(timed: bool, of_day: Option<u32>) -> Self {
        let bits = u32::from(timed) | of_day.filter(|s| *s < 86_400).map_or(0, |s| 2 | (s << 2));
        let [a, b, c, _] = bits.to_le_bytes();
        Timing([a, b, c])
    }

    fn of_day(self) -> Option<u32> {
        let [a, b, c] = self.0;
        let bits = u32::from_le_bytes([a, b, c, 0]);
        (bits & 2 == 2).then_some(bits >> 2)
    }
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
    /// No facts: what a lookup that cannot fail gives where there is no story.
    pub(crate) const EMPTY: StoryFacts = StoryFacts {
        key: 0,
        secs: 0,
        offset: 0,
        lang: Detected::NoLetters,
        city: 0,
        agency: 0,
        hash: 0,
        timing: Timing([0; 3]),
        rare: None,
    };

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
            timing: Timing([0; 3]),
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
        self.timing = Timing::new(timed, None);
        self
    }

    /// These facts with the modification time of the file they were read from (seconds), kept
    /// when the story has no time of its own and the file was last written on its day: the
    /// publication ledger may give it that time.
    pub(crate) fn with_mtime(mut self, mtime: Option<i64>) -> Self {
        if self.timed() {
            return self;
        }
        let date = self.date();
        let offset = i64::from(date.offset().local_minus_utc());
        let on_the_day = mtime.and_then(|m| {
            let local = m.checked_add(offset)?;
            let day_start = date.date_naive().and_time(chrono::NaiveTime::MIN);
            (local.div_euclid(86_400) * 86_400 == day_start.and_utc().timestamp())
                .then(|| local.rem_euclid(86_400) as u32)
        });
        self.timing = Timing::new(false, on_the_day);
        self
    }

    /// Whether its time is a real one (the dateline's or the sidecar's `published`) rather
    /// than the midnight of a date-only dateline.
    pub(crate) fn timed(&self) -> bool {
        self.timing.0[0] & 1 == 1
    }

    /// When its file was last modified (seconds since the epoch), if it has no time of its own
    /// and that was on its day (in its UTC offset).
    pub(crate) fn mtime_secs(&self) -> Option<i64> {
        let of_day = self.timing.of_day()?;
        let date = self.date();
        let day_start = date
            .date_naive()
            .and_time(chrono::NaiveTime::MIN)
            .and_utc()
            .timestamp();
        Some(day_start - i64::from(date.offset().local_minus_utc()) + i64::from(of_day))
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CachedFile {
    /// Path relative to the articles folder, `/`-separated, in its list's arena.
    pub rel_path: RelPath,
    /// Its stamp.
    pub stamp: FileStamp,
    /// Its facts: before the scan, those the cache has for its stamp, if it has them.
    pub facts: Option<Facts>,
}

impl CachedFile {
    /// A file the walk found, not matched with the cache yet.
    pub(crate) fn walked(rel_path: RelPath, stamp: FileStamp) -> Self {
        CachedFile {
            rel_path,
            stamp,
            facts: None,
        }
    }
}

impl Located for CachedFile {
    fn rel_path(&self) -> RelPath {
        self.rel_path
    }

    fn relocated(self, rel_path: RelPath) -> Self {
        CachedFile { rel_path, ..self }
    }
}

/// What the cache knew of an archive's files, from [`load_matching`].
#[derive(Debug, Default)]
pub(crate) struct Matched {
    /// Cached records of files that are gone or changed (so the cache is to be rewritten).
    pub gone: usize,
    /// What the last build wrote, if it wrote clean feeds.
    pub memo: Option<OutputMemo>,
    /// Why the cache could not be used, if it could not (for `--verbose`).
    pub note: Option<String>,
}

/// Largest cache file read (1 GiB). A record is about a hundred bytes, so this is room for
/// some ten million stories; anything larger is not a cache wirefeed wrote, and is rebuilt.
pub(crate) const MAX_FILE_SIZE: u64 = 1 << 30;

/// Reads postcard values one after another from a file, holding a small window of it: the
/// cache of a million stories is a hundred megabytes, and its records are used one at a time.
struct Records {
    file: std::fs::File,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    /// Bytes read so far, against [`MAX_FILE_SIZE`].
    read: u64,
}

impl Records {
    fn new(file: std::fs::File) -> Self {
        Records {
            file,
            buf: vec![0; 64 * 1024],
            start: 0,
            end: 0,
            eof: false,
            read: 0,
        }
    }

    /// The next value; an error says why the file is not a cache wirefeed wrote.
    fn next<T: serde::de::DeserializeOwned>(&mut self) -> Result<T, String> {
        loop {
            match postcard::take_from_bytes::<T>(&self.buf[self.start..self.end]) {
                Ok((value, rest)) => {
                    self.start = self.end - rest.len();
                    return Ok(value);
                }
                Err(postcard::Error::DeserializeUnexpectedEnd) if !self.eof => {
                    self.fill().map_err(|e| format!("cannot read cache: {e}"))?;
                }
                Err(e) => return Err(format!("corrupt cache ({e})")),
            }
        }
    }

    /// Reads more of the file after what is left unread, growing the window when one value
    /// does not fit in it (a record with many warnings).
    fn fill(&mut self) -> io::Result<()> {
        use std::io::Read;
        self.buf.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
        if self.end == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        let n = self.file.read(&mut self.buf[self.end..])?;
        self.read += n as u64;
        if self.read > MAX_FILE_SIZE {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "larger than any cache wirefeed writes",
            ));
        }
        self.end += n;
        self.eof = n == 0;
        Ok(())
    }

    /// Whether every byte of the file has been used.
    fn at_end(&mut self) -> io::Result<bool> {
        if self.start == self.end && !self.eof {
            self.fill()?;
        }
        Ok(self.start == self.end)
    }
}

/// Opens the cache at `path` and reads its header; `Err` says why it cannot be used.
fn open(path: &Path, fingerprint: u64) -> Result<Records, String> {
    use std::io::Read;
    // Not followed through a symlink, and read with a cap: the output folder is not trusted,
    // and a FIFO, a device or a huge file there is just not our cache.
    let (file, meta) = match fsx::open_regular(path, false) {
        Ok(f) => f,
        Err(ReadError::Io(e)) if e.kind() == io::ErrorKind::NotFound => {
            return Err("no cache yet".into())
        }
        Err(e @ ReadError::NotRegular(_)) => return Err(format!("not a wirefeed cache: {e}")),
        Err(e) => return Err(format!("cannot read cache: {e}")),
    };
    if meta.len() > MAX_FILE_SIZE {
        let e = ReadError::TooLarge {
            size: meta.len(),
            cap: MAX_FILE_SIZE,
        };
        return Err(format!("not a wirefeed cache: {e}"));
    }
    let mut head = [0u8; 12];
    let mut records = Records::new(file);
    let mut got = 0;
    while got < head.len() {
        match records.file.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) => return Err(format!("cannot read cache: {e}")),
        }
    }
    if got < MAGIC.len() || head[..MAGIC.len()] != MAGIC[..] {
        return Err("not a wirefeed cache".into());
    }
    if got < head.len() || head[MAGIC.len()..] != VERSION.to_le_bytes() {
        return Err("cache from another version".into());
    }
    records.read = head.len() as u64;
    if records.next::<u64>()? != fingerprint {
        return Err("settings changed".into());
    }
    Ok(records)
}

/// Gives each of `files` (sorted by path, with current stamps and no facts) the facts the
/// cache at `path` has for it when its stamp is unchanged, reading the cache one record at a
/// time as a merge with the sorted list: neither the file nor its decoded records are ever in
/// memory whole. On any problem no file gets facts (a missing, corrupt, foreign or stale cache
/// is rebuilt), and [`Matched::note`] says why.
pub(crate) fn load_matching(
    path: &Path,
    fingerprint: u64,
    files: &mut FileList<CachedFile>,
) -> Matched {
    let (files, paths) = files.parts_mut();
    let outcome = open(path, fingerprint).and_then(|records| merge(records, (files, paths)));
    match outcome {
        Ok(matched) => matched,
        Err(note) => {
            for file in files.iter_mut() {
                file.facts = None;
            }
            Matched {
                note: Some(note),
                ..Matched::default()
            }
        }
    }
}

/// The merge of [`load_matching`], after the header.
fn merge(
    mut records: Records,
    (files, paths): (&mut [CachedFile], Paths<'_>),
) -> Result<Matched, String> {
    let count: usize = records.next()?;
    let mut gone = 0;
    let mut files = files.iter_mut().peekable();
    let mut previous: Option<String> = None;
    for _ in 0..count {
        let (rel, stamp, facts): (String, FileStamp, Facts) = records.next()?;
        // The merge needs the order wirefeed writes; anything else is not its cache.
        if previous.as_ref().is_some_and(|p| *p >= rel) {
            return Err("corrupt cache (records out of order)".into());
        }
        while files
            .next_if(|f| paths.get(f.rel_path) < rel.as_str())
            .is_some()
        {}
        match files.next_if(|f| paths.get(f.rel_path) == rel) {
            Some(file) if file.stamp == stamp => {
                file.facts = Some(facts);
            }
            _ => gone += 1,
        }
        previous = Some(rel);
    }
    let memo: Option<OutputMemo> = records.next()?;
    if !records
        .at_end()
        .map_err(|e| format!("cannot read cache: {e}"))?
    {
        return Err("corrupt cache (trailing bytes)".into());
    }
    Ok(Matched {
        gone,
        memo,
        note: None,
    })
}

/// Serialises records (sorted by path) into the cache's file format.
pub(crate) fn encode<'a, W: io::Write>(
    out: &mut W,
    fingerprint: u64,
    entries: impl ExactSizeIterator<Item = (&'a str, &'a FileStamp, &'a Facts)>,
    memo: Option<&'a OutputMemo>,
) -> io::Result<()> {
    // postcard (compact varints; bincode 1 is unmaintained, RUSTSEC-2025-0141) fails only on
    // values serde cannot write; none of ours is such a value.
    let bad = |e: postcard::Error| io::Error::new(io::ErrorKind::InvalidData, e);
    let mut buf = Vec::with_capacity(256);
    out.write_all(MAGIC)?;
    out.write_all(&VERSION.to_le_bytes())?;
    buf = postcard::to_extend(&fingerprint, buf).map_err(bad)?;
    buf = postcard::to_extend(&entries.len(), buf).map_err(bad)?;
    out.write_all(&buf)?;
    for entry in entries {
        buf.clear();
        buf = postcard::to_extend(&entry, buf).map_err(bad)?;
        out.write_all(&buf)?;
    }
    buf.clear();
    buf = postcard::to_extend(&memo, buf).map_err(bad)?;
    out.write_all(&buf)
}

/// Writes the cache to `path` (atomically, without syncing: a lost cache is only rebuilt),
/// streaming the records rather than serialising them all in memory first.
pub(crate) fn save<'a>(
    path: &Path,
    fingerprint: u64,
    entries: impl ExactSizeIterator<Item = (&'a str, &'a FileStamp, &'a Facts)>,
    memo: Option<&'a OutputMemo>,
) -> Result<(), crate::Error> {
    crate::output::write_scratch_streamed(path, |file| {
        let mut out = io::BufWriter::with_capacity(256 * 1024, file);
        encode(&mut out, fingerprint, entries, memo)?;
        io::Write::flush(&mut out)
    })
}

/// Serialises records into the cache's file format, in memory (for tests).
#[cfg(test)]
pub(crate) fn to_bytes<'a>(
    fingerprint: u64,
    entries: impl ExactSizeIterator<Item = (&'a str, &'a FileStamp, &'a Facts)>,
    memo: Option<&'a OutputMemo>,
) -> Vec<u8> {
    let mut out = Vec::new();
    encode(&mut out, fingerprint, entries, memo).expect("writing to memory does not fail");
    out
}

/// Where one story's headline and agency are in [`Mastheads`]: the offset (40 bits) and
/// length (24 bits) of its record, in one word, so that keeping it costs a story's facts no
/// more than the pointer it replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MastheadAt(std::num::NonZeroU64);

/// The headlines and agencies the scan keeps for the archive documents, out of memory: written
/// to an unnamed temporary file in the output folder (`O_TMPFILE`: no name to see or to leave
/// behind), read back one month at a time. In memory they were 20 MB at 100,000 stories, and
/// grew with the archive; in the file they are page cache, which the kernel can drop. Where
/// such a file cannot be made, they go to one buffer in memory (still one allocation, not
/// three per story).
///
/// They are found by path, through an index of 16 bytes a story kept (rather than 8 bytes in
/// the facts of every story, which builds without archives paid too: 8 MB at a million). A
/// record holds the path and content hash it was kept for, and is given back only for them.
pub(crate) struct Mastheads {
    file: Option<std::fs::File>,
    memory: std::sync::Mutex<Vec<u8>>,
    next: std::sync::atomic::AtomicU64,
    /// The xxh3 of each kept story's path, and where its record is; sorted by
    /// [`Mastheads::seal`].
    index: std::sync::Mutex<Vec<(u64, MastheadAt)>>,
}

impl Mastheads {
    /// Largest offset and record length a [`MastheadAt`] holds; a story beyond them is not kept
    /// (and its masthead is read again from its file when needed).
    const MAX_OFFSET: u64 = (1 << 40) - 1;
    const MAX_LEN: u64 = (1 << 24) - 1;

    /// A store in `dir` (the output folder, which the build holds the lock of).
    pub(crate) fn new(dir: &Path) -> Self {
        Mastheads {
            file: fsx::unnamed_file(dir),
            memory: std::sync::Mutex::new(Vec::new()),
            next: std::sync::atomic::AtomicU64::new(0),
            index: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// Keeps the headline and agency of the story at `rel` whose content hash is `hash`; one
    /// that cannot be kept is read again from its file when needed.
    pub(crate) fn put(&self, (rel, hash): (&str, u64), title: &str, agency: &str) {
        if let Some(at) = self.write(&[rel, title, agency], hash) {
            let key = xxhash_rust::xxh3::xxh3_64(rel.as_bytes());
            self.index
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((key, at));
        }
    }

    /// Makes what was kept since the last call findable (after each scan): the index sorted,
    /// and of the records kept for one path only the last, which is of the version read last.
    pub(crate) fn seal(&self) {
        let mut index = self.index.lock().unwrap_or_else(|e| e.into_inner());
        // Records are written at growing offsets: by key, then oldest first.
        index.sort_unstable_by_key(|&(key, at)| (key, at.0));
        index.reverse();
        index.dedup_by_key(|(key, _)| *key);
        index.reverse();
    }

    /// The headline and agency kept for the story at `rel` with content hash `hash`; `None`
    /// when none was, or not for this version of the story (the caller reads its file).
    pub(crate) fn find(&self, rel: &str, hash: u64) -> Option<crate::article::Masthead> {
        let key = xxhash_rust::xxh3::xxh3_64(rel.as_bytes());
        let at = {
            let index = self.index.lock().unwrap_or_else(|e| e.into_inner());
            let i = index.binary_search_by_key(&key, |(k, _)| *k).ok()?;
            index[i].1
        };
        let (fields, kept_hash) = self.get(at)?;
        let [kept_rel, title, agency] = fields;
        (kept_rel == rel && kept_hash == hash).then_some(crate::article::Masthead { title, agency })
    }

    /// Writes a record: the content hash, then each field after its length.
    fn write(&self, fields: &[&str; 3], hash: u64) -> Option<MastheadAt> {
        let mut record = Vec::with_capacity(8 + fields.iter().map(|f| 4 + f.len()).sum::<usize>());
        record.extend_from_slice(&hash.to_le_bytes());
        for field in fields {
            record.extend_from_slice(&u32::try_from(field.len()).ok()?.to_le_bytes());
            record.extend_from_slice(field.as_bytes());
        }
        let len = record.len() as u64;
        if len > Self::MAX_LEN {
            return None;
        }
        let offset = match &self.file {
            Some(file) => {
                let offset = self
                    .next
                    .fetch_add(len, std::sync::atomic::Ordering::Relaxed);
                if offset > Self::MAX_OFFSET - len {
                    return None;
                }
                fsx::write_at(file, &record, offset).ok()?;
                offset
            }
            None => {
                let mut memory = self.memory.lock().unwrap_or_else(|e| e.into_inner());
                let offset = memory.len() as u64;
                if offset > Self::MAX_OFFSET - len {
                    return None;
                }
                memory.extend_from_slice(&record);
                offset
            }
        };
        // `len` is at least 20, so the word is never 0.
        std::num::NonZeroU64::new(offset << 24 | len).map(MastheadAt)
    }

    /// A record's fields and content hash as [`Mastheads::write`] wrote them; `None` if they
    /// cannot be read back.
    fn get(&self, at: MastheadAt) -> Option<([String; 3], u64)> {
        let (offset, len) = (at.0.get() >> 24, at.0.get() & Self::MAX_LEN);
        let record = match &self.file {
            Some(file) => {
                let mut record = vec![0; usize::try_from(len).ok()?];
                fsx::read_at(file, &mut record, offset).ok()?;
                record
            }
            None => {
                let memory = self.memory.lock().unwrap_or_else(|e| e.into_inner());
                let start = usize::try_from(offset).ok()?;
                memory
                    .get(start..start + usize::try_from(len).ok()?)?
                    .to_vec()
            }
        };
        let hash = u64::from_le_bytes(record.get(..8)?.try_into().ok()?);
        let mut rest = record.get(8..)?;
        let mut field = || -> Option<String> {
            let len = usize::try_from(u32::from_le_bytes(rest.get(..4)?.try_into().ok()?)).ok()?;
            let text = std::str::from_utf8(rest.get(4..4 + len)?).ok()?.to_string();
            rest = rest.get(4 + len..)?;
            Some(text)
        };
        Some(([field()?, field()?, field()?], hash))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(size: u64) -> FileStamp {
        FileStamp(size << 1)
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
    fn a_stamp_is_8_bytes_and_its_companions_change_it() {
        assert_eq!(std::mem::size_of::<FileStamp>(), 8);
        let plain = stamp(10);
        assert!(!plain.has_sidecar());
        let photo = stamp(5).as_companion();
        let with_photo = plain.with_companions(false, photo);
        let with_sidecar = plain.with_companions(true, photo);
        assert!(!with_photo.has_sidecar() && with_sidecar.has_sidecar());
        assert_ne!(plain, with_photo);
        assert_ne!(with_photo, with_sidecar);
        // An edited companion is a changed story; the same companion, the same story.
        let edited = stamp(9);
        assert_ne!(
            plain.with_companions(false, edited.as_companion()),
            with_photo
        );
        assert_eq!(plain.with_companions(false, photo), with_photo);
    }

    fn walked(files: &[(&str, u64)]) -> FileList<CachedFile> {
        FileList::of(
            files
                .iter()
                .map(|(rel, size)| (*rel, CachedFile::walked(RelPath::default(), stamp(*size)))),
        )
    }

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CACHE_FILE);
        write(&path, 7);
        let mut files = walked(&[("a.txt", 10), ("b.txt", 3)]);
        let matched = load_matching(&path, 7, &mut files);
        assert_eq!(matched.note, None);
        assert_eq!(files[0].facts, Some(facts()));
        assert_eq!(files[1], CachedFile::walked(files[1].rel_path, stamp(3)));
        assert_eq!(files.path_of(&files[1]), "b.txt");
        assert_eq!(matched.gone, 0);
    }

    #[test]
    fn the_memo_and_many_records_come_back_through_a_small_window() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CACHE_FILE);
        // Far more than the 64 KiB window, and one record larger than it.
        let names: Vec<String> = (0..20_000).map(|i| format!("{i:06}.txt")).collect();
        let long = Facts::Story(StoryFacts::new(
            1,
            2,
            3,
            Some("x".repeat(100_000)),
            vec![],
            None,
        ));
        let st = stamp(1);
        let memo = OutputMemo {
            fingerprint: 9,
            hashes: vec![1, 2, 3],
            ..OutputMemo::default()
        };
        let short = facts();
        let of = |i: usize| if i == 5 { &long } else { &short };
        let records = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), &st, of(i)));
        save(&path, 7, records, Some(&memo)).unwrap();
        let mut files = FileList::of(
            names
                .iter()
                .map(|n| (n.as_str(), CachedFile::walked(RelPath::default(), st))),
        );
        let matched = load_matching(&path, 7, &mut files);
        assert_eq!(matched.note, None);
        assert_eq!(matched.memo, Some(memo));
        for (i, file) in files.iter().enumerate() {
            assert_eq!(file.facts.as_ref(), Some(of(i)));
        }
    }

    #[test]
    fn a_changed_stamp_misses() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CACHE_FILE);
        write(&path, 7);
        let mut files = walked(&[("a.txt", 11)]);
        let matched = load_matching(&path, 7, &mut files);
        assert_eq!(files[0].facts, None);
        assert_eq!(matched.gone, 1);
    }

    #[test]
    fn records_of_deleted_files_are_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CACHE_FILE);
        write(&path, 7);
        let mut files = walked(&[("b.txt", 1)]);
        let matched = load_matching(&path, 7, &mut files);
        assert_eq!(*files, [CachedFile::walked(files[0].rel_path, stamp(1))]);
        assert_eq!(files.path_at(0), "b.txt");
        assert_eq!(matched.gone, 1);
    }

    #[test]
    fn corrupt_cache_is_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CACHE_FILE);
        write(&path, 7);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.truncate(bytes.len() - 3);
        std::fs::write(&path, bytes).unwrap();
        let mut files = walked(&[("a.txt", 10)]);
        let matched = load_matching(&path, 7, &mut files);
        assert_eq!(files[0].facts, None, "no facts from a corrupt cache");
        assert!(matched.note.unwrap().contains("corrupt"));
    }

    #[test]
    fn trailing_bytes_and_disorder_are_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CACHE_FILE);
        write(&path, 7);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.push(0);
        std::fs::write(&path, bytes).unwrap();
        let mut files = walked(&[("a.txt", 10)]);
        let matched = load_matching(&path, 7, &mut files);
        assert_eq!(files[0].facts, None);
        assert!(matched.note.unwrap().contains("trailing"));
        let (f, st) = (facts(), stamp(10));
        let records = [("b.txt", &st, &f), ("a.txt", &st, &f)];
        std::fs::write(&path, to_bytes(7, records.into_iter(), None)).unwrap();
        let mut files = walked(&[("a.txt", 10), ("b.txt", 10)]);
        let matched = load_matching(&path, 7, &mut files);
        assert!(files.iter().all(|f| f.facts.is_none()));
        assert!(matched.note.unwrap().contains("out of order"));
    }

    #[test]
    fn mastheads_come_back_from_the_file_and_from_memory_by_path_and_version() {
        let dir = tempfile::tempdir().unwrap();
        let in_memory = Mastheads {
            file: None,
            memory: std::sync::Mutex::new(Vec::new()),
            next: std::sync::atomic::AtomicU64::new(0),
            index: std::sync::Mutex::new(Vec::new()),
        };
        for store in [Mastheads::new(dir.path()), in_memory] {
            store.put(("a.txt", 1), "Заголовок «один»", "НИАТ «Ховар»");
            store.put(("b.txt", 2), "", "");
            store.put(("c.txt", 3), "Two", "AP");
            store.seal();
            let got = |rel, hash| store.find(rel, hash).map(|m| (m.title, m.agency));
            assert_eq!(
                got("a.txt", 1),
                Some(("Заголовок «один»".into(), "НИАТ «Ховар»".into()))
            );
            assert_eq!(got("b.txt", 2), Some((String::new(), String::new())));
            assert_eq!(got("c.txt", 3), Some(("Two".into(), "AP".into())));
            // Another version of the story, or a story never kept: read from its file.
            assert_eq!(got("c.txt", 4), None);
            assert_eq!(got("d.txt", 3), None);
            // Kept again (read again in a later build of a session): the last one counts.
            store.put(("c.txt", 4), "Two, corrected", "AP");
            store.seal();
            assert_eq!(
                got("c.txt", 4),
                Some(("Two, corrected".into(), "AP".into()))
            );
            assert_eq!(got("c.txt", 3), None);
            assert_eq!(store.index.lock().unwrap().len(), 3);
        }
        // The file has no name: nothing is left in the folder.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_date_only_story_keeps_its_files_time_only_on_its_day() {
        let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp();
        // Midnight of 18 June in Dushanbe (+05:00), no time of its own.
        let story = |offset: i32, midnight: &str| {
            StoryFacts::new(1, at(midnight), offset, None, vec![], None).with_content(7, false)
        };
        let dushanbe = story(18_000, "2025-06-18T00:00:00+05:00");
        for (mtime, kept) in [
            ("2025-06-18T00:00:00+05:00", true),
            ("2025-06-18T08:05:09+05:00", true),
            ("2025-06-18T23:59:59+05:00", true),
            // The 17th in Dushanbe, though already the 18th… and the 19th.
            ("2025-06-17T23:59:59+05:00", false),
            ("2025-06-19T00:00:00+05:00", false),
            // 20:00 UTC on the 17th is 01:00 on the 18th in Dushanbe: its day.
            ("2025-06-17T20:00:00+00:00", true),
        ] {
            let facts = dushanbe.clone().with_mtime(Some(at(mtime)));
            assert_eq!(facts.mtime_secs(), kept.then(|| at(mtime)), "{mtime}");
            assert!(!facts.timed());
        }
        assert_eq!(dushanbe.clone().with_mtime(None).mtime_secs(), None);
        // West of Greenwich, and before 1970.
        let old = story(-18_000, "1965-03-01T00:00:00-05:00");
        let mtime = at("1965-03-01T13:14:15-05:00");
        assert_eq!(old.with_mtime(Some(mtime)).mtime_secs(), Some(mtime));
        // A story with a time of its own never takes its file's.
        let timed = StoryFacts::new(
            1,
            at("2025-06-18T09:00:00+05:00"),
            18_000,
            None,
            vec![],
            None,
        )
        .with_content(7, true)
        .with_mtime(Some(at("2025-06-18T08:00:00+05:00")));
        assert!(timed.timed());
        assert_eq!(timed.mtime_secs(), None);
        // Kept through the cache.
        let facts = Facts::Story(dushanbe.with_mtime(Some(at("2025-06-18T08:05:09+05:00"))));
        let back: Facts = postcard::from_bytes(&postcard::to_allocvec(&facts).unwrap()).unwrap();
        assert_eq!(back, facts);
    }

    #[test]
    fn garbage_is_not_a_cache() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CACHE_FILE);
        std::fs::write(&path, b"<rss/>").unwrap();
        let matched = load_matching(&path, 7, &mut FileList::default());
        assert_eq!(matched.note.as_deref(), Some("not a wirefeed cache"));
    }

    #[test]
    fn other_settings_rebuild() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CACHE_FILE);
        write(&path, 7);
        let mut files = walked(&[("a.txt", 10)]);
        let matched = load_matching(&path, 8, &mut files);
        assert_eq!(files[0].facts, None);
        assert_eq!(matched.note.as_deref(), Some("settings changed"));
    }
}
