//! What a long-running caller (`wirefeed watch`) keeps from one build to the next.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use crate::cache::{Cache, Facts, FileStamp, OutputMemo};
use crate::corpus::Scanned;
use crate::ledger::Records;

/// What a long-running caller keeps between builds, so that a build after a small change
/// neither decodes the cache nor reads the whole publication ledger again: every file's facts
/// as the last build saved them, and the ledger's records as the last build committed them.
///
/// Each is used only while its file on disk still has the stamp (size, times, inode) it had
/// then: a `build` run by cron in between, or a file restored from a backup, is read from disk
/// as it would be without a session. The output is the same either way.
#[derive(Default)]
pub struct Session {
    kept: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    cache: Option<KeptCache>,
    ledger: Option<KeptLedger>,
}

/// The cache as saved: the file, its stamp, the settings' fingerprint and its records.
struct KeptCache {
    path: PathBuf,
    stamp: FileStamp,
    fingerprint: u64,
    entries: Vec<(String, FileStamp, Facts)>,
    memo: Option<OutputMemo>,
}

/// The ledger as committed: the file, its stamp and its records.
struct KeptLedger {
    path: PathBuf,
    stamp: FileStamp,
    records: Records,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kept = self.lock();
        f.debug_struct("Session")
            .field("cache", &kept.cache.as_ref().map(|c| c.entries.len()))
            .field("ledger", &kept.ledger.as_ref().map(|l| l.records.len()))
            .finish()
    }
}

/// The stamp of a regular file, not followed through a link.
fn stamp_of(path: &Path) -> Option<FileStamp> {
    std::fs::symlink_metadata(path)
        .ok()
        .filter(std::fs::Metadata::is_file)
        .map(|m| FileStamp::of(&m))
}

impl Session {
    /// An empty session: the first build reads the cache and the ledger from disk.
    pub fn new() -> Self {
        Session::default()
    }

    fn lock(&self) -> MutexGuard<'_, Kept> {
        // A build that panicked left nothing half-kept that matters: every use checks stamps.
        self.kept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The cache saved at `path` by the last build, if the file is still the one it wrote.
    pub(crate) fn take_cache(&self, path: &Path, fingerprint: u64) -> Option<Cache> {
        let kept = self.lock().cache.take()?;
        (kept.path == path && kept.fingerprint == fingerprint && stamp_of(path) == Some(kept.stamp))
            .then(|| Cache::from_entries(kept.entries, kept.memo))
    }

    /// Keeps what a build saved (or found already saved) at `path`.
    pub(crate) fn keep_cache(
        &self,
        path: &Path,
        fingerprint: u64,
        scanned: Vec<Scanned>,
        memo: Option<OutputMemo>,
    ) {
        let Some(stamp) = stamp_of(path) else {
            return;
        };
        let entries = scanned
            .into_iter()
            .map(|s| (s.rel_path, s.stamp, s.facts))
            .collect();
        self.lock().cache = Some(KeptCache {
            path: path.to_path_buf(),
            stamp,
            fingerprint,
            entries,
            memo,
        });
    }

    /// The ledger's records as the last build committed them, if the file is still that one.
    pub(crate) fn take_ledger(&self, path: &Path) -> Option<Records> {
        let kept = self.lock().ledger.take()?;
        (kept.path == path && stamp_of(path) == Some(kept.stamp)).then_some(kept.records)
    }

    /// Keeps the ledger's records as committed now.
    pub(crate) fn keep_ledger(&self, path: &Path, records: Records) {
        if let Some(stamp) = stamp_of(path) {
            self.lock().ledger = Some(KeptLedger {
                path: path.to_path_buf(),
                stamp,
                records,
            });
        }
    }
}
