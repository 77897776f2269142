//! Scanning an archive: every story file, in parallel, through the cache.
//!
//! Sorting by date and resolving related headlines need the whole archive, but a feed needs the
//! text of only its newest stories. So the scan keeps a small [`Scanned`] record per file
//! (headline, title key, date, problems) and drops the text; the build reads the few published
//! stories again in full.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, FixedOffset, TimeZone};
use rayon::prelude::*;

use crate::article::meta::{self, Meta, Status};
use crate::article::{self, ParseOptions};
use crate::article::{ArticleError, ArticleErrorKind, ArticleWarning, ArticleWarningKind};
use crate::cache::{CachedFile, Facts, FileStamp, Mastheads, StoryFacts};
use crate::file_list::{FileList, Located, RelPath};
use crate::fsx;

/// One file of the archive and what is known of it.
#[derive(Debug, Clone)]
pub(crate) struct Scanned {
    /// Path relative to the articles folder, `/`-separated, in its list's arena.
    pub rel_path: RelPath,
    /// Its stamp, for the cache.
    pub stamp: FileStamp,
    /// What parsing found.
    pub facts: Facts,
}

impl Located for Scanned {
    fn rel_path(&self) -> RelPath {
        self.rel_path
    }

    fn relocated(self, rel_path: RelPath) -> Self {
        Scanned { rel_path, ..self }
    }
}

/// The scan of an archive: a record per file, sorted by path.
pub(crate) type ScanList = FileList<Scanned>;

impl StoryFacts {
    /// The story's publication time.
    pub(crate) fn date(&self) -> DateTime<FixedOffset> {
        FixedOffset::east_opt(self.offset)
            .and_then(|tz| tz.timestamp_opt(self.secs, 0).single())
            .unwrap_or_else(|| DateTime::UNIX_EPOCH.fixed_offset())
    }
}

/// A story file found by [`Archive::walk`], with its stamp and, once the cache is matched
/// with the walk, the facts it has for that stamp: one list from the walk to the scan, filled
/// in place, since at a million stories each copy of it is a hundred megabytes.
pub(crate) type Walked = CachedFile;

/// What [`Archive::walk`] found: the story files, and what it could not or would not read.
#[derive(Debug, Default)]
pub(crate) struct Walk {
    /// Story files, sorted by relative path.
    pub files: FileList<Walked>,
    /// Folders that could not be read and names that cannot be published.
    pub problems: Vec<ArticleError>,
    /// Entries passed over on purpose (links not followed, FIFOs…), each said once.
    pub skipped: Vec<ArticleWarning>,
    /// Image files: photos, never stories.
    pub photos: usize,
}

/// Extensions of photo files, in the order a story's photo is looked for.
pub(crate) const PHOTO_EXTS: [&str; 5] = ["jpg", "jpeg", "png", "webp", "gif"];

/// The extension of a relative path's file name, if it has one.
fn extension(rel: &str) -> Option<&str> {
    // Bytes, not chars: this runs for every file of the archive on every build, and `/` and
    // `.` are ASCII, so byte positions are char boundaries.
    let bytes = rel.as_bytes();
    let name = memchr::memrchr(b'/', bytes).map_or(0, |i| i + 1);
    let dot = memchr::memrchr(b'.', &bytes[name..])?;
    (dot > 0).then(|| rel.get(name + dot + 1..)).flatten()
}

/// A folder's identity on disk (device and inode), to recognise it under any spelling.
pub(crate) type FolderId = (u64, u64);

/// The identity of the folder at `path`, where the platform has one.
pub(crate) fn folder_id(path: &Path) -> Option<FolderId> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path)
            .ok()
            .filter(|m| m.is_dir())
            .map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

#[cfg(unix)]
fn id_of_meta(meta: &std::fs::Metadata) -> Option<FolderId> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn id_of_meta(_meta: &std::fs::Metadata) -> Option<FolderId> {
    None
}

impl Listing {
    /// Adds the story file at `path` (`rel` in the archive), with its stamp.
    fn add_file(&mut self, path: &Path, rel: &str, stamp: FileStamp) {
        if self
            .files
            .push(rel, |at| CachedFile::walked(at, stamp))
            .is_err()
        {
            self.problems.push(ArticleError {
                path: path.to_path_buf(),
                line: None,
                column: None,
                kind: ArticleErrorKind::FileName(
                    "the path is longer than 16 MiB; shorten it".into(),
                ),
            });
        }
    }
}

/// The error for files of `folder` left out because the paths of the archive's files would
/// exceed the arena's 1 TiB: never in practice, since their list would not fit in memory.
pub(crate) fn too_many_paths(folder: &Path) -> ArticleError {
    folder_problem(
        folder,
        &std::io::Error::other("the archive's paths exceed 1 TiB; its files were left out"),
    )
}

/// A folder of the archive that could not be read (or not to the end).
fn folder_problem(folder: &Path, e: &std::io::Error) -> ArticleError {
    ArticleError {
        path: folder.to_path_buf(),
        line: None,
        column: None,
        kind: ArticleErrorKind::Folder(e.to_string()),
    }
}

/// Threads that walk and read the archive. On a cold page cache each file read waits on the
/// disk, and a virtual disk serves many requests at once: at 100,000 stories a full build took
/// 9.8 s with two readers and 4.8 s with sixteen (two `cat`s: 9.0 s; docs/PERFORMANCE.md,
/// issue 14). On a warm cache the work is bound by the two cores either way. Reading only the
/// head of each file would not help: a story is one or two pages, and the kernel's readahead
/// fetches them whole.
const READ_THREADS: usize = 16;

/// The pool of [`READ_THREADS`] threads the walk and the scan run on.
fn read_pool() -> &'static rayon::ThreadPool {
    static POOL: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| crate::output::named_pool(READ_THREADS, "read", "read files"))
}

/// Gives the system back the memory the walk freed. Each thread lists folders into a list that
/// it then hands over, between the paths it allocated for the files: the freed lists leave
/// holes in the threads' malloc arenas that glibc keeps (at 100,000 stories in folders of
/// 833, 9 MB, a quarter of a rerun's peak). `malloc_trim` returns whole free pages of every
/// arena; it takes well under a millisecond here, once per walk.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only releases free memory the allocator holds.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Files listed between two returns of freed memory to the system (see [`Archive::list`]):
/// about thirty at a million stories, each well under a millisecond.
const TRIM_EVERY: usize = 1 << 15;

/// The articles folder as a build reads it: where it is, and which symbolic links it follows.
///
/// A link inside the archive may point anywhere, e.g. at `/etc/passwd`. By default only links
/// whose target lies inside the archive are read; `follow_symlinks` reads every link (and walks
/// linked folders, each folder once, so a link cycle cannot loop).
#[derive(Debug, Clone)]
pub(crate) struct Archive {
    root: PathBuf,
    real_root: PathBuf,
    follow_symlinks: bool,
}

/// What each folder held at a walk, by relative path (`""` for the top folder).
pub(crate) type Folders = std::collections::BTreeMap<String, FolderSummary>;

/// What one folder held at a walk, besides its story files: enough to tell, when it is listed
/// again, whether the rest of the walk still holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct FolderSummary {
    /// Its folders, by relative path, sorted: one added, removed or renamed means walking
    /// the whole archive again.
    pub subfolders: Vec<String>,
    /// Names that cannot be published, and its entries that could not be read.
    pub problems: Vec<ArticleError>,
    /// Entries passed over on purpose, and sidecars with no story.
    pub skipped: Vec<ArticleWarning>,
    /// Its photo files.
    pub photos: usize,
}

impl FolderSummary {
    fn of(listing: &Listing, photos: usize) -> Self {
        let mut subfolders: Vec<String> = listing
            .folders
            .iter()
            .map(|(_, rel, _)| rel.clone())
            .collect();
        subfolders.sort_unstable();
        FolderSummary {
            subfolders,
            problems: listing.problems.clone(),
            skipped: listing.skipped.clone(),
            photos,
        }
    }
}

/// One folder's entries, before they are merged into the [`Walk`].
#[derive(Default)]
struct Listing {
    /// The folder listed.
    folder: PathBuf,
    files: FileList<Walked>,
    folders: Vec<(PathBuf, String, Option<FolderId>)>,
    problems: Vec<ArticleError>,
    skipped: Vec<ArticleWarning>,
}

impl Archive {
    /// Opens the archive at `root`; fails when the folder cannot be read.
    pub(crate) fn open(root: &Path, follow_symlinks: bool) -> std::io::Result<Self> {
        std::fs::read_dir(root)?; // the top folder itself must be readable
        Ok(Archive {
            root: root.to_path_buf(),
            real_root: std::fs::canonicalize(root)?,
            follow_symlinks,
        })
    }

    /// The path of a story file from its relative path.
    pub(crate) fn path_of(&self, rel_path: &str) -> PathBuf {
        self.root.join(rel_path)
    }

    /// Lists the story files with their stamps: regular files, recursively, skipping hidden
    /// names (the cache, editors' swap files, `.git`) and the folder `exclude` (the output
    /// folder, when it lies inside the archive). Sorted by relative path so every run sees one
    /// order.
    ///
    /// Folders are read one depth at a time, each depth in parallel: no recursion, so a tree
    /// thousands of folders deep cannot overflow the stack. Each file is stat-ed through its
    /// folder's handle (`DirEntry::metadata`, i.e. `fstatat`), which spares the kernel a path
    /// lookup per file: on a rerun with nothing changed, these stats are most of the work.
    ///
    /// With `folders`, also notes what each folder held (by relative path, `""` for the top),
    /// so that a session can later list again only the folders that changed
    /// ([`Archive::relist`]).
    pub(crate) fn walk(
        &self,
        exclude: Option<FolderId>,
        mut folders: Option<&mut Folders>,
    ) -> Walk {
        let mut walk = Walk::default();
        let mut seen: HashSet<FolderId> = exclude.into_iter().collect();
        seen.extend(folder_id(&self.root));
        let mut level = vec![(self.root.clone(), String::new())];
        while !level.is_empty() {
            // Borrowed, and dropped here on the calling thread: a folder's path freed on a
            // worker other than the one that allocated it would seed that worker's malloc cache
            // with the other's memory, and glibc then takes the other arena's lock on every
            // reuse, which made the parallel scan that follows up to twice as slow.
            let listings: Vec<Listing> = read_pool().install(|| {
                level
                    .par_iter()
                    .map(|(folder, prefix)| self.list(folder, prefix))
                    .collect()
            });
            let prefixes: Vec<String> = std::mem::take(&mut level)
                .into_iter()
                .map(|(_, prefix)| prefix)
                .collect();
            // A story's companions lie in its folder: pairing folder by folder is pairing
            // the whole archive.
            let listings: Vec<(Listing, usize)> = listings
                .into_iter()
                .map(|mut listing| {
                    let photos = self.pair_companions(&mut listing.files, &mut listing.skipped);
                    (listing, photos)
                })
                .collect();
            // Exactly: the list is the largest thing a build holds, and growing it by
            // doubling left up to a third of it unused.
            let files: usize = listings.iter().map(|(l, _)| l.files.len()).sum();
            let text: usize = listings.iter().map(|(l, _)| l.files.text_len()).sum();
            walk.files.reserve_exact(files, text);
            // The listings' memory, freed as they are moved, is given back every eighth of
            // the level: else glibc keeps it, and at a million stories the walk held the
            // list twice (170 MB, where the scan that follows holds 143).
            let step = (files / 8).max(1 << 16);
            let mut moved = 0;
            for ((listing, photos), prefix) in listings.into_iter().zip(prefixes) {
                moved += listing.files.len();
                if moved >= step {
                    moved = 0;
                    release_freed_memory();
                }
                walk.photos += photos;
                if let Some(folders) = folders.as_deref_mut() {
                    folders.insert(prefix, FolderSummary::of(&listing, photos));
                }
                if walk.files.append(listing.files).is_err() {
                    walk.problems.push(too_many_paths(&listing.folder));
                }
                walk.problems.extend(listing.problems);
                walk.skipped.extend(listing.skipped);
                for (path, rel, id) in listing.folders {
                    // A folder met twice (through a followed link) is walked once.
                    if id.is_none_or(|id| seen.insert(id)) {
                        level.push((path, rel));
                    }
                }
            }
        }
        // On both cores: at a million files this sort (of 120-byte records) is several
        // per cent of a no-change rerun.
        let (files, paths) = walk.files.parts_mut();
        read_pool().install(|| {
            files.par_sort_unstable_by(|a, b| paths.get(a.rel_path).cmp(paths.get(b.rel_path)));
        });
        walk.problems.sort_by(|a, b| a.path.cmp(&b.path));
        walk.skipped.sort_by(|a, b| a.path.cmp(&b.path));
        release_freed_memory();
        walk
    }

    /// Lists one folder again (`prefix` relative to the top, as [`Archive::walk`] noted it):
    /// its story files with their stamps, sorted, and what else it holds. `None` when it cannot
    /// be read now.
    pub(crate) fn relist(&self, prefix: &str) -> Option<(FileList<Walked>, FolderSummary)> {
        let folder = if prefix.is_empty() {
            self.root.clone()
        } else {
            self.root.join(prefix)
        };
        let mut listing = self.list(&folder, prefix);
        if !listing.problems.is_empty() && listing.files.is_empty() && listing.folders.is_empty() {
            return None;
        }
        let photos = self.pair_companions(&mut listing.files, &mut listing.skipped);
        let summary = FolderSummary::of(&listing, photos);
        listing.files.sort_by_path();
        Some((listing.files, summary))
    }

    fn list(&self, folder: &Path, prefix: &str) -> Listing {
        let mut out = Listing {
            folder: folder.to_path_buf(),
            ..Listing::default()
        };
        let entries = match std::fs::read_dir(folder) {
            Ok(e) => e,
            Err(e) => {
                out.problems.push(folder_problem(folder, &e));
                return out;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    out.problems.push(folder_problem(folder, &e));
                    continue;
                }
            };
            let os_name = entry.file_name();
            if os_name.as_encoded_bytes().starts_with(b".") {
                continue;
            }
            let path = entry.path();
            // Ids and URLs are text: a name that is not UTF-8 is refused rather than read
            // through a lossy copy, which would open another file or merge two names into one.
            let Some(name) = os_name.to_str() else {
                out.problems.push(ArticleError {
                    path,
                    line: None,
                    column: None,
                    kind: ArticleErrorKind::FileName(
                        "the name is not valid UTF-8; rename it (ids and URLs are made from names)"
                            .into(),
                    ),
                });
                continue;
            };
            let rel = if prefix.is_empty() {
                name.to_string()
            } else {
                // Exactly as long as it is: it becomes a `Box<str>` without a copy.
                [prefix, "/", name].concat()
            };
            self.sort_entry(&entry, path, rel, &mut out);
        }
        // Listing leaves its threads' malloc arenas full of small holes (each entry's names,
        // freed, between the growing list's blocks), which glibc keeps: at a million stories
        // the listed folders held 150 MB where their records are 112. Given back every
        // `TRIM_EVERY` files listed, by whichever thread passes the mark.
        static LISTED: AtomicUsize = AtomicUsize::new(0);
        let before = LISTED.fetch_add(out.files.len(), Ordering::Relaxed);
        if (before + out.files.len()) / TRIM_EVERY != before / TRIM_EVERY {
            release_freed_memory();
        }
        out
    }

    /// Files to the files, folders to the folders, anything else skipped with a reason.
    fn sort_entry(&self, entry: &std::fs::DirEntry, path: PathBuf, rel: String, out: &mut Listing) {
        let skip = |out: &mut Listing, why: String| {
            out.skipped.push(ArticleWarning {
                path: path.clone(),
                line: None,
                kind: ArticleWarningKind::Skipped(why),
            });
        };
        match entry.file_type() {
            Ok(t) if t.is_dir() => {
                let id = entry.metadata().ok().as_ref().and_then(id_of_meta);
                out.folders.push((path.clone(), rel, id));
            }
            Ok(t) if t.is_file() => {
                // A file that cannot be stat-ed gets an empty stamp; reading it reports why.
                let stamp = entry
                    .metadata()
                    .map(|m| FileStamp::of(&m))
                    .unwrap_or_default();
                out.add_file(&path, &rel, stamp);
            }
            Ok(t) if t.is_symlink() => match std::fs::metadata(&path) {
                Err(_) => skip(out, "a broken symbolic link".into()),
                Ok(_) if !self.follow_symlinks && !self.inside(&path) => skip(
                    out,
                    "a symbolic link to a place outside the articles folder; not followed (set `follow_symlinks = true` to publish it)".into(),
                ),
                Ok(meta) if meta.is_file() => out.add_file(&path, &rel, FileStamp::of(&meta)),
                Ok(meta) if meta.is_dir() && self.follow_symlinks => {
                    out.folders.push((path.clone(), rel, id_of_meta(&meta)));
                }
                Ok(meta) if meta.is_dir() => skip(
                    out,
                    "a symbolic link to a folder; not followed (set `follow_symlinks = true` to walk it)".into(),
                ),
                Ok(meta) => skip(
                    out,
                    format!("a symbolic link to {}; not a story file", fsx::kind_of(&meta)),
                ),
            },
            Ok(_) => match entry.metadata() {
                Ok(meta) => skip(
                    out,
                    format!("{}, not a story file", fsx::kind_of(&meta)),
                ),
                Err(e) => skip(out, format!("cannot be examined: {e}")),
            },
            Err(e) => skip(out, format!("cannot be examined: {e}")),
        }
    }

    /// Sidecars (`<stem>.toml`) and photos are a story's companions, never stories: each
    /// sidecar's stamp goes into its story's, so that editing, adding or removing it makes the
    /// story read again; a sidecar with no story is said once and ignored.
    /// Returns how many photos there were.
    fn pair_companions(
        &self,
        files: &mut FileList<Walked>,
        skipped: &mut Vec<ArticleWarning>,
    ) -> usize {
        // In place, and with a map of the companions only: the list is the largest thing a
        // rerun holds, and most stories have no companion.
        let mut companions: HashMap<String, (bool, u64)> = HashMap::new();
        let mut photos = 0;
        files.retain(|rel, CachedFile { stamp, .. }| {
            let sidecar = match extension(rel) {
                Some(ext) if ext.eq_ignore_ascii_case(meta::SIDECAR_EXT) => true,
                Some(ext) if PHOTO_EXTS.iter().any(|p| ext.eq_ignore_ascii_case(p)) => {
                    photos += 1;
                    false
                }
                _ => return true,
            };
            let entry = companions
                .entry(article::id_of(rel).to_string())
                .or_default();
            entry.0 |= sidecar;
            // Order-free, so the walk's order does not matter; the extension is mixed in so
            // that a.jpg turning into a.png is a change too.
            entry.1 ^= stamp.as_companion() ^ xxhash_rust::xxh3::xxh3_64(rel.as_bytes());
            false
        });
        if companions.is_empty() {
            return photos;
        }
        let (files, paths) = files.parts_mut();
        for CachedFile {
            rel_path, stamp, ..
        } in files.iter_mut()
        {
            if let Some((sidecar, hash)) = companions.remove(article::id_of(paths.get(*rel_path))) {
                *stamp = stamp.with_companions(sidecar, hash);
            }
        }
        let mut orphans: Vec<String> = companions
            .into_iter()
            .filter(|(_, (sidecar, _))| *sidecar)
            .map(|(id, _)| id)
            .collect();
        orphans.sort_unstable();
        for id in orphans {
            skipped.push(ArticleWarning {
                path: self.path_of(&format!("{id}.{}", meta::SIDECAR_EXT)),
                line: None,
                kind: ArticleWarningKind::Skipped(
                    "metadata with no story beside it (`<stem>.toml` goes with `<stem>.txt`)"
                        .into(),
                ),
            });
        }
        photos
    }

    /// Whether a link's final target lies inside the archive.
    fn inside(&self, link: &Path) -> bool {
        std::fs::canonicalize(link).is_ok_and(|real| real.starts_with(&self.real_root))
    }

    /// Reads the metadata sidecar of a story (which the walk saw beside it).
    pub(crate) fn read_meta(&self, rel_path: &str) -> Result<Meta, ArticleError> {
        meta::read(&meta::sidecar_of(&self.path_of(rel_path)))
    }

    /// Reads a story file's bytes, never through a link the walk would not follow, never
    /// blocking on a FIFO, and never more than `cap` bytes.
    pub(crate) fn read(&self, rel_path: &str, cap: u64) -> Result<Vec<u8>, ArticleError> {
        self.read_dated(rel_path, cap).map(|(bytes, _)| bytes)
    }

    /// [`Archive::read`], with the file's modification time in seconds (as its open handle
    /// gives it, so of the version read), where the system has one.
    pub(crate) fn read_dated(
        &self,
        rel_path: &str,
        cap: u64,
    ) -> Result<(Vec<u8>, Option<i64>), ArticleError> {
        let path = self.path_of(rel_path);
        let first = fsx::open_regular(&path, self.follow_symlinks);
        let opened = match first {
            // The walk took this link because it points inside: open the real file, checked
            // again now, so a link swapped in since the walk is not followed out.
            Err(fsx::ReadError::NotRegular(_)) if !self.follow_symlinks && self.inside(&path) => {
                std::fs::canonicalize(&path)
                    .map_err(fsx::ReadError::from)
                    .and_then(|real| fsx::open_regular(&real, false))
            }
            other => other,
        };
        opened
            .and_then(|(file, meta)| {
                let mtime = meta.modified().ok().and_then(|t| {
                    match t.duration_since(std::time::UNIX_EPOCH) {
                        Ok(d) => i64::try_from(d.as_secs()).ok(),
                        // Before 1970: whole seconds down, as `div_euclid` would give.
                        Err(e) => {
                            let d = e.duration();
                            let secs = i64::try_from(d.as_secs()).ok()?;
                            Some(-secs - i64::from(d.subsec_nanos() > 0))
                        }
                    }
                });
                fsx::read_capped(file, meta.len(), cap).map(|bytes| (bytes, mtime))
            })
            .map_err(|e| article::read_error(&path, e))
    }
}

/// Reads and parses one file into its facts. `stamp` is the walk's: a file changed after it is
/// stat-ed gets a newer stamp, so the next run reads it again.
pub(crate) fn read_facts(
    archive: &Archive,
    rel_path: &str,
    stamp: FileStamp,
    (opts, mastheads): (&ParseOptions, Option<&Mastheads>),
) -> Facts {
    let path = archive.path_of(rel_path);
    let (bytes, mtime) = match archive.read_dated(rel_path, opts.max_file_size) {
        Ok(read) => read,
        Err(e) => return Facts::Failed(Box::new(e)),
    };
    let summary = match article::summarize(&bytes, &path, opts) {
        Ok(s) => s,
        Err(e) => return Facts::Failed(Box::new(e)),
    };
    let meta = if !stamp.has_sidecar() {
        Meta::default()
    } else {
        match archive.read_meta(rel_path) {
            Ok(m) => m,
            Err(e) => return Facts::Failed(Box::new(e)),
        }
    };
    if meta.status == Status::Withdrawn {
        return Facts::Withdrawn;
    }
    let date = meta.published.unwrap_or(summary.date);
    if let Some(updated) = meta.updated.filter(|u| *u < date) {
        return Facts::Failed(Box::new(ArticleError {
            path: meta::sidecar_of(&path),
            line: None,
            column: None,
            kind: ArticleErrorKind::Meta(format!(
                "`updated` ({updated}) is earlier than the story's publication ({date}); a correction comes after the story"
            )),
        }));
    }
    let hash = crate::cache::content_hash(&bytes, &meta);
    if let Some(m) = mastheads {
        m.put((rel_path, hash), &summary.title, &summary.agency_name);
    }
    Facts::Story(
        StoryFacts::new(
            crate::related::title_key(&summary.title),
            date.timestamp(),
            date.offset().local_minus_utc(),
            (summary.encoding != "UTF-8").then(|| summary.encoding.to_string()),
            summary.warnings,
            meta.embargo.map(|e| e.timestamp()),
        )
        .with_sidecar(meta.updated, meta.author.clone())
        .with_content(hash, summary.timed || meta.published.is_some())
        .with_mtime(mtime)
        .with_facets(
            (summary.lang, summary.city, summary.agency),
            meta.lang,
            meta.tags,
        ),
    )
}

/// Scans the archive's files in parallel: a file that comes with facts (from the cache, for
/// an unchanged stamp) is taken as it is, any other is read and parsed. With `mastheads`, the
/// headline and agency of each file read are kept there (for the archive documents, which
/// would otherwise read every file a second time). Returns the records, in the order of
/// `files`, and how many files were read (the others' facts came with them).
pub(crate) fn scan(
    archive: &Archive,
    mut files: FileList<CachedFile>,
    (opts, mastheads): (&ParseOptions, Option<&Mastheads>),
    progress: Option<&AtomicUsize>,
) -> (ScanList, usize) {
    // Counted here rather than flagged in each record: a flag would cost every record 8 bytes
    // of padding.
    let read = AtomicUsize::new(0);
    let (list, paths) = files.parts_mut();
    read_pool().install(|| {
        list.par_iter_mut().for_each(|file| {
            if let Some(p) = progress {
                p.fetch_add(1, Ordering::Relaxed);
            }
            if file.facts.is_none() {
                read.fetch_add(1, Ordering::Relaxed);
                file.facts = Some(read_facts(
                    archive,
                    paths.get(file.rel_path),
                    file.stamp,
                    (opts, mastheads),
                ));
            }
        })
    });
    // A plain map of the list into records of the same size: the standard library collects it
    // in place, so the archive's list is never held twice.
    let scanned = files.map(|rel, file| Scanned {
        // Every file has its facts by now; reading it here is only what the type asks.
        facts: file
            .facts
            .unwrap_or_else(|| read_facts(archive, rel, file.stamp, (opts, mastheads))),
        rel_path: file.rel_path,
        stamp: file.stamp,
    });
    (scanned, read.into_inner())
}

#[cfg(test)]
mod tests {
    use super::{extension, CachedFile, Scanned};

    /// The scan turns the walk's list into its own in place only while a record of one is no
    /// smaller than a record of the other (see [`super::scan`]).
    #[test]
    fn the_scan_can_reuse_the_walks_list() {
        // One record per file of the archive: 72 bytes (it was 112 with a 24-byte stamp and a
        // flag of its own, padded to 8, then 96 with a `Box<str>` path, 88 with the archive
        // headline's place in the facts, 80 with a 16-byte stamp), and its path in the list's
        // arena.
        assert_eq!(std::mem::size_of::<Scanned>(), 72);
        assert!(std::mem::size_of::<CachedFile>() >= std::mem::size_of::<Scanned>());
        assert_eq!(
            std::mem::align_of::<CachedFile>(),
            std::mem::align_of::<Scanned>()
        );
    }

    #[test]
    fn extension_of_the_file_name_only() {
        assert_eq!(extension("2025/06/a.txt"), Some("txt"));
        assert_eq!(extension("a.b/c.TOML"), Some("TOML"));
        assert_eq!(extension("a.b/c"), None);
        assert_eq!(extension("x/.hidden"), None);
        assert_eq!(extension("шос.jpg"), Some("jpg"));
        assert_eq!(extension("a."), Some(""));
    }
}
