//! Opening files that may be hostile: a story, a feed or the cache in the output folder can be
//! a symlink to `/dev/zero`, a FIFO that never delivers a byte, a device or a huge file.
//!
//! Every file wirefeed reads goes through [`open_regular`]: it opens without blocking (a FIFO
//! with no writer would otherwise hang the build), optionally without following a final
//! symlink, and checks on the opened handle (not the path, which could be swapped in between)
//! that it is a regular file. [`read_regular`] then reads at most a cap, so a file that grows
//! while it is read cannot take the memory with it.

use std::fs::{File, Metadata, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

/// Why a file was not read: I/O trouble, the wrong kind of file, or too many bytes.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ReadError {
    /// The open or the read failed.
    #[error(transparent)]
    Io(#[from] io::Error),
    /// The path names something other than a regular file.
    #[error("not a regular file (it is {0})")]
    NotRegular(&'static str),
    /// The file is larger than the cap.
    #[error("{size} bytes, more than the {cap}-byte limit")]
    TooLarge {
        /// Bytes seen (the file's size, or what was read before stopping).
        size: u64,
        /// The cap.
        cap: u64,
    },
}

/// What kind of file `meta` describes, in words for a message.
pub(crate) fn kind_of(meta: &Metadata) -> &'static str {
    let t = meta.file_type();
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    if t.is_symlink() {
        "a symbolic link"
    } else if t.is_dir() {
        "a folder"
    } else if t.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}

/// Opens `path` for reading without blocking (a FIFO opens at once and reads as empty). With
/// `follow` false, a symlink as the last component is refused instead of followed. What was
/// opened is not checked: for a file the caller has just seen to be a regular file, where a
/// swapped-in FIFO reads as empty and a device is cut off by the read's cap.
pub(crate) fn open(path: &Path, follow: bool) -> Result<File, ReadError> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mut flags = libc::O_NONBLOCK | libc::O_NOCTTY;
        if !follow {
            flags |= libc::O_NOFOLLOW;
        }
        options.custom_flags(flags);
    }
    match options.open(path) {
        Ok(f) => Ok(f),
        // O_NOFOLLOW on a symlink fails with ELOOP: say what it is rather than "too many links".
        #[cfg(unix)]
        Err(e) if !follow && e.raw_os_error() == Some(libc::ELOOP) => {
            Err(ReadError::NotRegular("a symbolic link"))
        }
        Err(e) => Err(e.into()),
    }
}

/// Opens `path` for reading if it is a regular file (see [`open`]), checked on the handle.
pub(crate) fn open_regular(path: &Path, follow: bool) -> Result<(File, Metadata), ReadError> {
    let file = open(path, follow)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind_of(&meta)));
    }
    Ok((file, meta))
}

/// Reads a whole regular file of at most `cap` bytes (see [`open_regular`]).
pub(crate) fn read_regular(path: &Path, follow: bool, cap: u64) -> Result<Vec<u8>, ReadError> {
    let (file, meta) = open_regular(path, follow)?;
    read_capped(file, meta.len(), cap)
}

/// Reads an opened file of announced `size`, stopping past `cap` bytes.
pub(crate) fn read_capped(file: File, size: u64, cap: u64) -> Result<Vec<u8>, ReadError> {
    if size > cap {
        return Err(ReadError::TooLarge { size, cap });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0).saturating_add(1));
    // `take` guards against a file that grows while it is read.
    file.take(cap.saturating_add(1)).read_to_end(&mut bytes)?;
    let read = bytes.len() as u64;
    if read > cap {
        return Err(ReadError::TooLarge { size: read, cap });
    }
    Ok(bytes)
}

/// An unnamed temporary file in `dir`, where the platform has them.
#[cfg(target_os = "linux")]
pub(crate) fn unnamed_file(dir: &Path) -> Option<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .mode(0o600)
        .custom_flags(libc::O_TMPFILE)
        .open(dir)
        .ok()
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn unnamed_file(_dir: &Path) -> Option<std::fs::File> {
    None
}

/// Writes all of `bytes` at `offset` (without moving the file's position: threads may share it).
#[cfg(unix)]
pub(crate) fn write_at(file: &std::fs::File, bytes: &[u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, bytes, offset)
}

/// Reads exactly `bytes.len()` bytes at `offset`.
#[cfg(unix)]
pub(crate) fn read_at(file: &std::fs::File, bytes: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, bytes, offset)
}

#[cfg(not(unix))]
pub(crate) fn write_at(_file: &std::fs::File, _bytes: &[u8], _offset: u64) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

#[cfg(not(unix))]
pub(crate) fn read_at(
    _file: &std::fs::File,
    _bytes: &mut [u8],
    _offset: u64,
) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// Makes a FIFO at `path`, for the tests of code that must not block on one.
#[cfg(all(test, unix))]
pub(crate) fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: mkfifo only reads the NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, b"abc").unwrap();
        assert_eq!(read_regular(&path, false, 3).unwrap(), b"abc");
    }

    #[test]
    fn refuses_a_file_over_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, b"abcd").unwrap();
        let e = read_regular(&path, false, 3).unwrap_err();
        assert!(matches!(e, ReadError::TooLarge { size: 4, cap: 3 }), "{e}");
    }

    #[test]
    fn refuses_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        let e = read_regular(dir.path(), true, 10).unwrap_err();
        assert!(matches!(e, ReadError::NotRegular("a folder")), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_not_read() {
        let e = read_regular(Path::new("/dev/zero"), true, 10).unwrap_err();
        assert!(matches!(e, ReadError::NotRegular("a device")), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_does_not_block() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fifo");
        mkfifo(&path);
        let e = read_regular(&path, true, 10).unwrap_err();
        assert!(matches!(e, ReadError::NotRegular("a FIFO")), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_refused_unless_followed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("t.txt");
        std::fs::write(&target, b"x").unwrap();
        let link = dir.path().join("l.txt");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let e = read_regular(&link, false, 10).unwrap_err();
        assert!(matches!(e, ReadError::NotRegular("a symbolic link")), "{e}");
        assert_eq!(read_regular(&link, true, 10).unwrap(), b"x");
    }
}
