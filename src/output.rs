//! Writing feeds safely under cron: atomic replacement, no churn, one writer at a time, and an
//! output folder that is not trusted.
//!
//! A feed is written to a temporary file (`.wirefeed-*.tmp`) in the same folder, flushed to disk
//! and renamed over the old one, so a reader (or a crash) sees the old feed or the new one, never
//! a mix. When the new bytes equal the old file nothing is written, so the file's mtime (and HTTP
//! caches keyed on it) stay as they are. A lock file in the output folder keeps two overlapping
//! builds from writing at once; the kernel releases it when the process exits, even on a crash.
//!
//! Anything already in the output folder may be hostile: a feed, the cache or the lock file can
//! be a symlink (to `/dev/zero`, to someone else's file), a FIFO, a device, a folder or a huge
//! sparse file. So an old file is only read when it is a regular file (never through a symlink)
//! of exactly the new length; a symlink is replaced by the rename, never written through; the
//! lock file is opened without following links or blocking. Temporary files alive in this
//! process are registered, so a signal handler can remove them ([`remove_temp_files`]); those a
//! `kill -9` leaves behind are removed by the next build ([`remove_stale_temp_files`]).

use std::ffi::OsStr;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use crate::{fsx, Error};

/// Name of the lock file in the output folder.
pub const LOCK_FILE: &str = ".wirefeed.lock";

/// The largest feed file a build reads back (to compare, or to see what it publishes); a larger
/// file in the output folder is not one of ours.
pub const MAX_FEED_SIZE: u64 = 256 * 1024 * 1024;

/// Temporary files are named `TEMP_PREFIX` + random hex + [`TEMP_SUFFIX`].
pub const TEMP_PREFIX: &str = ".wirefeed-";

/// See [`TEMP_PREFIX`].
pub const TEMP_SUFFIX: &str = ".tmp";

/// Age past which a build removes temporary files left in its output folder (see
/// [`remove_stale_temp_files`]). Every writer holds the lock, so any temporary file found under
/// the lock is already an orphan; the margin only spares a writer that does not lock (an old
/// wirefeed, another tool using the same names).
pub const STALE_TEMP_AGE: Duration = Duration::from_secs(60);

/// Test hook: when set to a number of milliseconds, every write sleeps that long between
/// writing its temporary file and renaming it, so a test can signal the process mid-write.
/// Does nothing when unset or not a number.
const PAUSE_BEFORE_RENAME_ENV: &str = "WIREFEED_TEST_PAUSE_BEFORE_RENAME_MS";

/// What happened to one output file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOutcome {
    /// The file was (re)written.
    Written,
    /// The file already had these bytes; it was not touched.
    Unchanged,
}

/// Threads for work that mostly waits on the disk (each durable write waits for two syncs), so
/// that many writes wait at once instead of one per core.
const IO_THREADS: usize = 8;

/// A thread pool for writing many files at once: a build with many feed sets writes hundreds of
/// documents and photo copies, each synced to disk.
pub(crate) fn io_pool() -> &'static rayon::ThreadPool {
    static POOL: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| named_pool(IO_THREADS, "io", "write files"))
}

/// A pool of `threads` threads named `wirefeed-{name}-N`; one thread where the system will not
/// start more. Not even one is a machine the build cannot run on (`to` says what for).
pub(crate) fn named_pool(threads: usize, name: &'static str, to: &str) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(move |i| format!("wirefeed-{name}-{i}"))
        .build()
        .or_else(|_| rayon::ThreadPoolBuilder::new().num_threads(1).build())
        .unwrap_or_else(|e| panic!("cannot start a thread to {to}: {e}"))
}

/// Writes `bytes` to `path` atomically, unless the file already holds exactly these bytes.
pub fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<WriteOutcome, Error> {
    write_with(path, bytes, |file, bytes| file.write_all(bytes))
}

/// The folders of a batch of writes whose renames are still to be synced: a build writes many
/// files into few folders, and one sync per folder at the end of the batch makes every rename
/// as durable as one sync per file would, at a fraction of the waits.
#[derive(Debug, Default)]
pub(crate) struct DirSyncs(std::sync::Mutex<std::collections::BTreeSet<PathBuf>>);

impl DirSyncs {
    /// Syncs each folder once, many at a time (best effort, as for a single write).
    pub(crate) fn sync(self) {
        let dirs = self.0.into_inner().unwrap_or_else(|e| e.into_inner());
        io_pool().install(|| {
            use rayon::prelude::*;
            dirs.par_iter().for_each(|dir| {
                if let Ok(d) = File::open(dir) {
                    let _ = d.sync_all();
                }
            });
        });
    }
}

/// [`write_if_changed`] as part of a batch: the file's bytes are synced before its rename, as
/// always, and its folder is synced by [`DirSyncs::sync`] once the batch is written.
pub(crate) fn write_in_batch(
    path: &Path,
    bytes: &[u8],
    syncs: &DirSyncs,
) -> Result<WriteOutcome, Error> {
    write_atomically(path, bytes, Durability::Batch(syncs), |file, bytes| {
        file.write_all(bytes)
    })
}

/// How far a write goes to survive a crash.
#[derive(Clone, Copy)]
enum Durability<'a> {
    /// Atomic only (the cache).
    Scratch,
    /// The file and its folder synced before returning.
    Durable,
    /// The file synced; its folder left to the batch.
    Batch(&'a DirSyncs),
}

/// Like [`write_if_changed`] (still atomic) but without flushing to disk: for the cache, which
/// is rebuilt silently if a crash leaves it empty or stale, so it need not cost two `fsync`s.
pub fn write_scratch(path: &Path, bytes: &[u8]) -> Result<WriteOutcome, Error> {
    write_atomically(path, bytes, Durability::Scratch, |file, bytes| {
        file.write_all(bytes)
    })
}

/// The metadata of the file at `path`, not followed through a link (the mode a replacement
/// keeps is the file's own, never a link target's); an error when a folder is in its place.
fn replaceable(path: &Path) -> Result<Option<std::fs::Metadata>, Error> {
    let old = std::fs::symlink_metadata(path).ok();
    if old.as_ref().is_some_and(|m| m.is_dir()) {
        let e = io::Error::new(
            io::ErrorKind::IsADirectory,
            "it is a folder, not a file; move or remove it, then build again",
        );
        return Err(Error::io("cannot replace", path, e));
    }
    Ok(old)
}

/// [`write_scratch`] for content produced while it is written (`write` gets the temporary
/// file): the cache of a million stories is a hundred megabytes that need never be in memory
/// at once. Always replaces the file (the bytes are not at hand to compare with the old ones).
pub(crate) fn write_scratch_streamed(
    path: &Path,
    write: impl FnOnce(&mut File) -> io::Result<()>,
) -> Result<(), Error> {
    let old = replaceable(path)?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let io = |e| Error::io("cannot write", path, e);
    let mut tmp = TempFile::create_in(&REGISTRY, &dir).map_err(io)?;
    write(&mut tmp.file).map_err(io)?;
    set_mode(&tmp.file, old.as_ref()).map_err(io)?;
    // On error the temporary file is removed when `tmp` drops; the old file is untouched.
    tmp.persist(path).map_err(io)?;
    Ok(())
}

/// [`write_if_changed`] with the write step given, so tests can make it fail half-way.
pub fn write_with(
    path: &Path,
    bytes: &[u8],
    write: impl FnOnce(&mut File, &[u8]) -> io::Result<()>,
) -> Result<WriteOutcome, Error> {
    write_atomically(path, bytes, Durability::Durable, write)
}

fn write_atomically(
    path: &Path,
    bytes: &[u8],
    durability: Durability<'_>,
    write: impl FnOnce(&mut File, &[u8]) -> io::Result<()>,
) -> Result<WriteOutcome, Error> {
    let old = replaceable(path)?;
    if holds(path, bytes) {
        return Ok(WriteOutcome::Unchanged);
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let io = |e| Error::io("cannot write", path, e);
    let mut tmp = TempFile::create_in(&REGISTRY, &dir).map_err(io)?;
    write(&mut tmp.file, bytes).map_err(io)?;
    if !matches!(durability, Durability::Scratch) {
        tmp.file.sync_all().map_err(io)?;
    }
    set_mode(&tmp.file, old.as_ref()).map_err(io)?;
    pause_for_tests();
    // On error the temporary file is removed when `tmp` drops; the old feed is untouched.
    tmp.persist(path).map_err(io)?;
    match durability {
        Durability::Scratch => {}
        Durability::Durable => {
            if let Ok(d) = File::open(&dir) {
                // Makes the rename durable; not every platform can sync a folder, so best effort.
                let _ = d.sync_all();
            }
        }
        Durability::Batch(syncs) => {
            let mut dirs = syncs.0.lock().unwrap_or_else(|e| e.into_inner());
            dirs.insert(dir);
        }
    }
    Ok(WriteOutcome::Written)
}

/// Whether `path` is a regular file (not a symlink) holding exactly `bytes`. Anything else, or
/// a file of another length, is not read at all: it may be a FIFO that never answers, a device
/// that never ends or a sparse file of many gigabytes, and it is about to be replaced anyway.
fn holds(path: &Path, bytes: &[u8]) -> bool {
    let Ok((file, meta)) = fsx::open_regular(path, false) else {
        return false;
    };
    let len = bytes.len() as u64;
    meta.len() == len && fsx::read_capped(file, len, len).is_ok_and(|old| old == bytes)
}

/// Sleeps as long as [`PAUSE_BEFORE_RENAME_ENV`] asks.
fn pause_for_tests() {
    if let Some(ms) = std::env::var_os(PAUSE_BEFORE_RENAME_ENV)
        .and_then(|v| v.to_str().and_then(|v| v.parse::<u64>().ok()))
    {
        std::thread::sleep(Duration::from_millis(ms));
    }
}

/// Temporary files are created private (0600); feeds are served by a web server, so give the
/// new file the old one's permissions when the old one is a regular file, or 0644. Setuid and
/// sticky bits are dropped: they mean nothing on a feed and should not spread to a new file.
#[cfg(unix)]
fn set_mode(file: &File, old: Option<&std::fs::Metadata>) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = old
        .filter(|m| m.is_file())
        .map_or(0o644, |m| m.permissions().mode() & 0o777);
    file.set_permissions(std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_file: &File, _old: Option<&std::fs::Metadata>) -> io::Result<()> {
    Ok(())
}

/// The temporary files alive in this process, so a signal handler can remove them.
static REGISTRY: TempRegistry = TempRegistry::new();

/// A set of temporary files, closed for good once they have been removed on the way out.
#[derive(Debug)]
struct TempRegistry(Mutex<RegistryState>);

#[derive(Debug)]
struct RegistryState {
    files: Vec<PathBuf>,
    closed: bool,
}

impl TempRegistry {
    const fn new() -> Self {
        TempRegistry(Mutex::new(RegistryState {
            files: Vec::new(),
            closed: false,
        }))
    }

    /// A panic elsewhere while the lock was held leaves the list itself intact: keep using it.
    fn lock(&self) -> MutexGuard<'_, RegistryState> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Removes every registered file and refuses new ones; returns how many were removed.
    fn remove_all(&self) -> usize {
        let mut state = self.lock();
        state.closed = true;
        state
            .files
            .drain(..)
            .filter(|p| std::fs::remove_file(p).is_ok())
            .count()
    }
}

impl RegistryState {
    fn forget(&mut self, path: &Path) {
        self.files.retain(|p| p != path);
    }
}

/// Removes every temporary file this process is writing, for a signal handler that exits right
/// after; returns how many were removed.
///
/// From then on no write of this process can create or rename a temporary file (each fails),
/// so nothing half-written can appear after the cleanup.
pub fn remove_temp_files() -> usize {
    REGISTRY.remove_all()
}

fn exiting() -> io::Error {
    io::Error::other("wirefeed is exiting after a signal; nothing more is written")
}

/// A temporary file in the output folder, registered from its creation until it is renamed
/// into place or removed.
struct TempFile<'r> {
    registry: &'r TempRegistry,
    path: PathBuf,
    file: File,
    persisted: bool,
}

impl<'r> TempFile<'r> {
    /// Creates a new, empty, private temporary file in `dir`.
    fn create_in(registry: &'r TempRegistry, dir: &Path) -> io::Result<Self> {
        let mut options = OpenOptions::new();
        // `create_new` (O_EXCL) never follows a symlink planted under the chosen name.
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        for _ in 0..64 {
            let path = dir.join(temp_name());
            // Created and registered under one lock: a signal handler removing the registered
            // files then never misses one that is being created.
            let mut state = registry.lock();
            if state.closed {
                return Err(exiting());
            }
            match options.open(&path) {
                Ok(file) => {
                    state.files.push(path.clone());
                    return Ok(TempFile {
                        registry,
                        path,
                        file,
                        persisted: false,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "cannot find a free temporary file name",
        ))
    }

    /// Renames the file over `to` (replacing a symlink there, never its target).
    fn persist(mut self, to: &Path) -> io::Result<()> {
        let result = {
            // Renamed under the lock, so a signal handler either removes the file before the
            // rename (and the old feed stays) or runs after it.
            let mut state = self.registry.lock();
            if state.closed {
                Err(exiting())
            } else {
                let renamed = std::fs::rename(&self.path, to);
                if renamed.is_ok() {
                    state.forget(&self.path);
                    self.persisted = true;
                }
                renamed
            }
        };
        // On error, dropping `self` removes the file (after the lock above is released).
        result
    }
}

impl Drop for TempFile<'_> {
    fn drop(&mut self) {
        if !self.persisted {
            let mut state = self.registry.lock();
            let _ = std::fs::remove_file(&self.path);
            state.forget(&self.path);
        }
    }
}

/// A fresh, unpredictable temporary file name.
fn temp_name() -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    // `RandomState` is randomly keyed per process: names cannot be guessed in advance.
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u32(std::process::id());
    format!("{TEMP_PREFIX}{:016x}{TEMP_SUFFIX}", h.finish())
}

/// Whether `name` is one of wirefeed's temporary file names (`.wirefeed-*.tmp`).
pub fn is_temp_name(name: &OsStr) -> bool {
    let b = name.as_encoded_bytes();
    b.len() >= TEMP_PREFIX.len() + TEMP_SUFFIX.len()
        && b.starts_with(TEMP_PREFIX.as_bytes())
        && b.ends_with(TEMP_SUFFIX.as_bytes())
}

/// Removes the temporary files (`.wirefeed-*.tmp`) in `dir` last modified more than
/// `older_than` ago, as a `kill -9` or a power cut leaves them; returns those removed.
///
/// Only regular files and symlinks are removed, and a symlink is unlinked, never followed.
/// Call it only while holding the folder's [`OutputLock`], so no live write is in `dir`.
/// Problems (a folder that cannot be listed, a file that cannot be removed) are skipped: the
/// leftovers cost only disk space, and the next build tries again.
pub fn remove_stale_temp_files(dir: &Path, older_than: Duration) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let now = SystemTime::now();
    entries
        .filter_map(Result::ok)
        .filter(|e| is_temp_name(&e.file_name()))
        .map(|e| e.path())
        .filter(|path| {
            std::fs::symlink_metadata(path).is_ok_and(|m| {
                let kind = m.file_type();
                // A modification time in the future is not "old".
                let old = m
                    .modified()
                    .ok()
                    .and_then(|t| now.duration_since(t).ok())
                    .is_some_and(|age| age > older_than);
                (kind.is_file() || kind.is_symlink()) && old
            })
        })
        .filter(|path| std::fs::remove_file(path).is_ok())
        .collect()
}

/// An exclusive lock on an output folder, held until dropped (or the process ends).
#[derive(Debug)]
pub struct OutputLock {
    _file: File,
    path: PathBuf,
}

impl OutputLock {
    /// Takes the lock on `dir`, waiting up to `timeout` for another build to finish.
    ///
    /// The lock file is created if missing. A symlink (even dangling: its target is never
    /// created), FIFO, device or folder in its place is an error that says what it is.
    pub fn acquire(dir: &Path, timeout: Duration) -> Result<OutputLock, Error> {
        let path = dir.join(LOCK_FILE);
        let mut options = OpenOptions::new();
        // Read and write: opening a FIFO write-only without a reader would fail with a baffling
        // "no such device or address" instead of being recognised below.
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            // Without O_NOFOLLOW, O_CREAT on a dangling symlink creates its target wherever it
            // points; without O_NONBLOCK, opening a FIFO waits for a peer forever.
            options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY);
        }
        let not_regular = |kind: &str| {
            let e = io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "it is {kind}, not a regular file; remove it \
                     (wirefeed creates the lock file itself)"
                ),
            );
            Error::io("cannot use lock file", &path, e)
        };
        let file = match options.open(&path) {
            Ok(f) => f,
            // The errno (ELOOP, EISDIR, ENXIO…) says little: name what is there instead.
            Err(e) => {
                return Err(match std::fs::symlink_metadata(&path) {
                    Ok(meta) if !meta.is_file() => not_regular(fsx::kind_of(&meta)),
                    _ => Error::io("cannot open lock file", &path, e),
                })
            }
        };
        let meta = file
            .metadata()
            .map_err(|e| Error::io("cannot open lock file", &path, e))?;
        if !meta.is_file() {
            return Err(not_regular(fsx::kind_of(&meta)));
        }
        let start = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(OutputLock { _file: file, path }),
                Err(std::fs::TryLockError::WouldBlock) if start.elapsed() < timeout => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(Error::Locked {
                        dir: dir.to_path_buf(),
                        lock: path,
                        waited_secs: timeout.as_secs(),
                    })
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(Error::io("cannot lock", &path, e))
                }
            }
        }
    }

    /// The lock file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An error and its causes, as the CLI prints them.
    fn chain(e: &dyn std::error::Error) -> String {
        let mut out = e.to_string();
        let mut source = e.source();
        while let Some(s) = source {
            out.push_str(&format!(": {s}"));
            source = s.source();
        }
        out
    }

    #[test]
    fn unchanged_bytes_do_not_touch_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rss.xml");
        assert_eq!(
            write_if_changed(&path, b"<a/>").unwrap(),
            WriteOutcome::Written
        );
        let before = std::fs::metadata(&path).unwrap().modified().unwrap();
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(
            write_if_changed(&path, b"<a/>").unwrap(),
            WriteOutcome::Unchanged
        );
        assert_eq!(
            std::fs::metadata(&path).unwrap().modified().unwrap(),
            before
        );
    }

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rss.xml");
        std::fs::write(&path, b"old feed").unwrap();
        let result = write_with(&path, b"new feed, much longer", |file, bytes| {
            file.write_all(&bytes[..5])?;
            Err(io::Error::other("disk full (injected)"))
        });
        assert!(result.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"old feed");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("rss.xml")]);
    }

    #[cfg(unix)]
    #[test]
    fn new_feeds_are_world_readable() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rss.xml");
        write_if_changed(&path, b"x").unwrap();
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o644
        );
    }

    #[test]
    fn second_lock_times_out() {
        let dir = tempfile::tempdir().unwrap();
        let _held = OutputLock::acquire(dir.path(), Duration::ZERO).unwrap();
        let err = OutputLock::acquire(dir.path(), Duration::from_millis(100)).unwrap_err();
        assert!(matches!(err, Error::Locked { .. }), "{err}");
    }

    #[test]
    fn lock_is_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        drop(OutputLock::acquire(dir.path(), Duration::ZERO).unwrap());
        assert!(OutputLock::acquire(dir.path(), Duration::ZERO).is_ok());
    }

    /// Runs `f` on a thread and fails the test if it has not returned within `secs`: a
    /// regression that blocks must fail, not hang the test run.
    fn within<T: Send + 'static>(secs: u64, f: impl FnOnce() -> T + Send + 'static) -> T {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || tx.send(f()));
        rx.recv_timeout(Duration::from_secs(secs))
            .expect("did not return in time: blocked")
    }

    #[cfg(unix)]
    use crate::fsx::mkfifo;

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::symlink_metadata(path)
            .unwrap()
            .permissions()
            .mode()
            & 0o7777
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_feed_is_replaced_and_its_target_untouched() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("private.txt");
        std::fs::write(&target, b"secret").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).unwrap();
        let feed = dir.path().join("rss.xml");
        std::os::unix::fs::symlink(&target, &feed).unwrap();
        assert_eq!(
            write_if_changed(&feed, b"<rss/>").unwrap(),
            WriteOutcome::Written
        );
        assert!(std::fs::symlink_metadata(&feed).unwrap().is_file());
        assert_eq!(std::fs::read(&feed).unwrap(), b"<rss/>");
        assert_eq!(mode(&feed), 0o644, "the target's mode must not be copied");
        assert_eq!(std::fs::read(&target).unwrap(), b"secret");
        assert_eq!(mode(&target), 0o600);
        // A regular old file does pass its mode on.
        write_if_changed(&target, b"public").unwrap();
        assert_eq!(mode(&target), 0o600);
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_in_place_of_a_feed_is_replaced_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let feed = dir.path().join("rss.xml");
        mkfifo(&feed);
        let path = feed.clone();
        let outcome = within(10, move || write_if_changed(&path, b"<rss/>"));
        assert_eq!(outcome.unwrap(), WriteOutcome::Written);
        assert!(std::fs::symlink_metadata(&feed).unwrap().is_file());
        assert_eq!(mode(&feed), 0o644);
    }

    #[test]
    fn a_folder_in_place_of_a_feed_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let feed = dir.path().join("rss.xml");
        std::fs::create_dir(&feed).unwrap();
        let e = chain(&write_if_changed(&feed, b"<rss/>").unwrap_err());
        assert!(e.contains("rss.xml") && e.contains("it is a folder"), "{e}");
        assert_eq!(names(dir.path()), ["rss.xml"], "no temporary file left");
    }

    #[cfg(unix)]
    #[test]
    fn a_dangling_symlink_as_lock_file_is_refused_and_its_target_not_created() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere");
        std::os::unix::fs::symlink(&target, dir.path().join(LOCK_FILE)).unwrap();
        let e = OutputLock::acquire(dir.path(), Duration::ZERO).unwrap_err();
        let e = chain(&e);
        assert!(
            e.contains("it is a symbolic link") && e.contains("remove it"),
            "{e}"
        );
        assert!(!target.exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_as_lock_file_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        mkfifo(&dir.path().join(LOCK_FILE));
        let path = dir.path().to_path_buf();
        let e = within(10, move || OutputLock::acquire(&path, Duration::ZERO)).unwrap_err();
        let e = chain(&e);
        assert!(e.contains("it is a FIFO") && e.contains("remove it"), "{e}");
    }

    #[test]
    fn a_folder_as_lock_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(LOCK_FILE)).unwrap();
        let e = OutputLock::acquire(dir.path(), Duration::ZERO).unwrap_err();
        let e = chain(&e);
        assert!(
            e.contains("it is a folder") && e.contains("remove it"),
            "{e}"
        );
    }

    #[test]
    fn temp_files_are_registered_until_renamed_or_dropped() {
        let registry = TempRegistry::new();
        let dir = tempfile::tempdir().unwrap();
        let registered = || registry.lock().files.clone();
        let kept = TempFile::create_in(&registry, dir.path()).unwrap();
        let dropped = TempFile::create_in(&registry, dir.path()).unwrap();
        assert!(is_temp_name(kept.path.file_name().unwrap()));
        assert_eq!(registered(), [kept.path.clone(), dropped.path.clone()]);
        let gone = dropped.path.clone();
        drop(dropped);
        assert!(!gone.exists());
        kept.persist(&dir.path().join("rss.xml")).unwrap();
        assert!(registered().is_empty());
        assert_eq!(names(dir.path()), ["rss.xml"]);
    }

    #[test]
    fn removing_temp_files_removes_them_and_refuses_new_ones() {
        let registry = TempRegistry::new();
        let dir = tempfile::tempdir().unwrap();
        let alive = TempFile::create_in(&registry, dir.path()).unwrap();
        assert_eq!(registry.remove_all(), 1);
        assert!(names(dir.path()).is_empty());
        assert!(alive.persist(&dir.path().join("rss.xml")).is_err());
        assert!(TempFile::create_in(&registry, dir.path()).is_err());
        assert!(names(dir.path()).is_empty());
    }

    #[test]
    fn stale_temp_files_are_removed_and_fresh_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let old =
            filetime::FileTime::from_system_time(SystemTime::now() - Duration::from_secs(120));
        for name in [
            ".wirefeed-old.tmp",
            ".wirefeed-new.tmp",
            "rss.xml",
            ".wirefeed-cache",
        ] {
            std::fs::write(d.join(name), b"x").unwrap();
        }
        std::fs::create_dir(d.join(".wirefeed-folder.tmp")).unwrap();
        for name in [
            ".wirefeed-old.tmp",
            "rss.xml",
            ".wirefeed-cache",
            ".wirefeed-folder.tmp",
        ] {
            filetime::set_file_mtime(d.join(name), old).unwrap();
        }
        #[cfg(unix)]
        {
            std::fs::write(d.join("target"), b"keep me").unwrap();
            filetime::set_file_mtime(d.join("target"), old).unwrap();
            std::os::unix::fs::symlink(d.join("target"), d.join(".wirefeed-link.tmp")).unwrap();
            filetime::set_symlink_file_times(d.join(".wirefeed-link.tmp"), old, old).unwrap();
        }
        let mut removed = remove_stale_temp_files(d, STALE_TEMP_AGE);
        removed.sort();
        let mut expected = vec![d.join(".wirefeed-old.tmp")];
        if cfg!(unix) {
            expected.insert(0, d.join(".wirefeed-link.tmp"));
        }
        assert_eq!(removed, expected);
        let mut left = vec![
            ".wirefeed-cache",
            ".wirefeed-folder.tmp",
            ".wirefeed-new.tmp",
            "rss.xml",
        ];
        if cfg!(unix) {
            left.push("target");
        }
        assert_eq!(names(d), left);
    }
}
