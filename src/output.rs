//! Writing feeds safely under cron: atomic replacement, no churn, one writer at a time.
//!
//! A feed is written to a temporary file in the same folder, flushed to disk and renamed over
//! the old one, so a reader (or a crash) sees the old feed or the new one, never a mix. When the
//! new bytes equal the old file nothing is written, so the file's mtime (and HTTP caches keyed on
//! it) stay as they are. A lock file in the output folder keeps two overlapping builds from
//! writing at once; the kernel releases it when the process exits, even on a crash.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::Error;

/// Name of the lock file in the output folder.
pub const LOCK_FILE: &str = ".wirefeed.lock";

/// The largest feed file a build reads back (to compare, or to see what it publishes); a larger
/// file in the output folder is not one of ours.
pub const MAX_FEED_SIZE: u64 = 256 * 1024 * 1024;

/// What happened to one output file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOutcome {
    /// The file was (re)written.
    Written,
    /// The file already had these bytes; it was not touched.
    Unchanged,
}

/// Writes `bytes` to `path` atomically, unless the file already holds exactly these bytes.
pub fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<WriteOutcome, Error> {
    write_with(path, bytes, |file, bytes| file.write_all(bytes))
}

/// Like [`write_if_changed`] (still atomic) but without flushing to disk: for the cache, which
/// is rebuilt silently if a crash leaves it empty or stale, so it need not cost two `fsync`s.
pub fn write_scratch(path: &Path, bytes: &[u8]) -> Result<WriteOutcome, Error> {
    write_atomically(path, bytes, false, |file, bytes| file.write_all(bytes))
}

/// [`write_if_changed`] with the write step given, so tests can make it fail half-way.
pub fn write_with(
    path: &Path,
    bytes: &[u8],
    write: impl FnOnce(&mut File, &[u8]) -> io::Result<()>,
) -> Result<WriteOutcome, Error> {
    write_atomically(path, bytes, true, write)
}

fn write_atomically(
    path: &Path,
    bytes: &[u8],
    durable: bool,
    write: impl FnOnce(&mut File, &[u8]) -> io::Result<()>,
) -> Result<WriteOutcome, Error> {
    if let Ok(old) = std::fs::read(path) {
        if old == bytes {
            return Ok(WriteOutcome::Unchanged);
        }
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let io = |e| Error::io("cannot write", path, e);
    let mut tmp = tempfile::Builder::new()
        .prefix(".wirefeed-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(io)?;
    write(tmp.as_file_mut(), bytes).map_err(io)?;
    if durable {
        tmp.as_file().sync_all().map_err(io)?;
    }
    set_readable(tmp.as_file(), path).map_err(io)?;
    // On error the temporary file is removed when `tmp` drops; the old feed is untouched.
    tmp.persist(path).map_err(|e| io(e.error))?;
    if durable {
        if let Ok(d) = File::open(&dir) {
            // Makes the rename durable; not every platform can sync a folder, so best effort.
            let _ = d.sync_all();
        }
    }
    Ok(WriteOutcome::Written)
}

/// Temporary files are created private (0600); feeds are served by a web server, so give the
/// new file the old one's permissions, or 0644.
#[cfg(unix)]
fn set_readable(file: &File, old: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(old)
        .map(|m| m.permissions().mode() & 0o7777)
        .unwrap_or(0o644);
    file.set_permissions(std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_readable(_file: &File, _old: &Path) -> io::Result<()> {
    Ok(())
}

/// An exclusive lock on an output folder, held until dropped (or the process ends).
#[derive(Debug)]
pub struct OutputLock {
    _file: File,
    path: PathBuf,
}

impl OutputLock {
    /// Takes the lock on `dir`, waiting up to `timeout` for another build to finish.
    pub fn acquire(dir: &Path, timeout: Duration) -> Result<OutputLock, Error> {
        let path = dir.join(LOCK_FILE);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io("cannot open lock file", &path, e))?;
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
}
