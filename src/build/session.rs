//! What a long-running caller (`wirefeed watch`) keeps from one build to the next.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use crate::cache::{CachedFile, FileStamp, Mastheads, Matched, OutputMemo};
use crate::corpus::{Archive, Folders, ScanList, Scanned, Walk};
use crate::file_list::{FileList, Located};
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
    /// The paths the caller said changed since the last build (relative to the articles
    /// folder); `None` when it did not say: the build walks the whole archive.
    changed: Option<BTreeSet<PathBuf>>,
    /// The caller said it does not know what changed (events were lost).
    lost: bool,
}

/// The cache as saved: the file, its stamp, the settings' fingerprint and its records.
struct KeptCache {
    path: PathBuf,
    stamp: FileStamp,
    fingerprint: u64,
    scan: KeptScan,
}

/// What a build starts from instead of reading the cache.
pub(crate) struct KeptScan {
    /// Every file's records, sorted by path.
    pub entries: ScanList,
    /// What the last build wrote.
    pub memo: Option<OutputMemo>,
    /// The headlines and agencies kept for the records' stories (for the archive documents).
    pub mastheads: Option<Mastheads>,
    /// What each folder held at the walk these records come from.
    pub folders: Option<Folders>,
    /// The paths that changed since (see [`Session::changed`]), when known.
    pub changed: Option<BTreeSet<PathBuf>>,
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
            .field("cache", &kept.cache.as_ref().map(|c| c.scan.entries.len()))
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

    /// Notes paths (relative to the articles folder) that changed since the last build, so
    /// that the next one lists again only their folders instead of walking the archive. A
    /// caller that does not note every change must not note any: without notes, every build
    /// walks the whole archive.
    pub fn changed<'a>(&self, paths: impl IntoIterator<Item = &'a Path>) {
        let mut kept = self.lock();
        if !kept.lost {
            let changed = kept.changed.get_or_insert_with(BTreeSet::new);
            changed.extend(paths.into_iter().map(Path::to_path_buf));
        }
    }

    /// Notes that what changed is not known (events were lost): the next build walks the
    /// whole archive.
    pub fn rescan(&self) {
        let mut kept = self.lock();
        kept.lost = true;
        kept.changed = None;
    }

    /// The records the last build saved at `path`, if the file is still the one it wrote,
    /// with what changed since. From now on, changes are noted afresh.
    pub(crate) fn take_cache(&self, path: &Path, fingerprint: u64) -> Option<KeptScan> {
        let mut kept = self.lock();
        let changed = kept.changed.take();
        kept.lost = false;
        let cache = kept.cache.take()?;
        drop(kept);
        let same = cache.path == path
            && cache.fingerprint == fingerprint
            && stamp_of(path) == Some(cache.stamp);
        same.then_some(KeptScan {
            changed,
            ..cache.scan
        })
    }

    /// Keeps what a build saved (or found already saved) at `path`, what each folder held,
    /// and the headlines kept for its records' stories.
    pub(crate) fn keep_cache(
        &self,
        path: &Path,
        fingerprint: u64,
        (entries, folders, mastheads): (ScanList, Option<Folders>, Option<Mastheads>),
        memo: Option<OutputMemo>,
    ) {
        let Some(stamp) = stamp_of(path) else {
            return;
        };
        self.lock().cache = Some(KeptCache {
            path: path.to_path_buf(),
            stamp,
            fingerprint,
            scan: KeptScan {
                entries,
                memo,
                mastheads,
                folders,
                changed: None,
            },
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

/// The folders a session's build lists again: those of the paths that changed, when each is a
/// folder the last walk listed and none of them gained or lost a folder. With them: their story
/// files, every folder's summary as it is now, and the walk's totals (problems, entries passed
/// over, photos), as [`crate::corpus::Archive::walk`] would give them. `None` when only a
/// walk of the whole archive can tell (events lost, a folder added, removed or renamed, or a
/// change in a folder the last walk did not list).
pub(crate) fn rewalk(archive: &Archive, kept: &KeptScan) -> Option<Rewalk> {
    let before = kept.folders.as_ref()?;
    let mut prefixes = BTreeSet::new();
    for path in kept.changed.as_ref()? {
        // A file's folder; and the path itself when it is a folder (its attributes changed).
        let parent = path.parent()?.to_str()?;
        if !before.contains_key(parent) {
            return None;
        }
        prefixes.insert(parent.to_string());
        if let Some(folder) = path.to_str().filter(|p| before.contains_key(*p)) {
            prefixes.insert(folder.to_string());
        }
    }
    let mut folders = before.clone();
    let mut walk = Walk::default();
    for prefix in &prefixes {
        let (files, summary) = archive.relist(prefix)?;
        if before.get(prefix).map(|s| &s.subfolders) != Some(&summary.subfolders) {
            return None;
        }
        if walk.files.append(files).is_err() {
            walk.problems
                .push(crate::corpus::too_many_paths(Path::new(prefix)));
        }
        folders.insert(prefix.clone(), summary);
    }
    for summary in folders.values() {
        walk.problems.extend(summary.problems.iter().cloned());
        walk.skipped.extend(summary.skipped.iter().cloned());
        walk.photos += summary.photos;
    }
    walk.problems.sort_by(|a, b| a.path.cmp(&b.path));
    walk.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    Some(Rewalk {
        walk,
        folders,
        prefixes,
        root: archive.path_of(""),
    })
}

/// The folder of a relative path, `""` at the top.
fn folder_of(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(folder, _)| folder)
}

/// What [`rewalk`] found.
pub(crate) struct Rewalk {
    /// The story files of the folders listed again, and the whole walk's totals.
    pub walk: Walk,
    /// Every folder's summary, as it is now.
    pub folders: Folders,
    /// The folders listed again.
    prefixes: BTreeSet<String>,
    /// The articles folder.
    root: PathBuf,
}

impl Rewalk {
    /// The files of the archive as a walk matched with the cache gives them (in
    /// [`Rewalk::walk`]): the kept records of the folders not listed again, and those listed
    /// again with their records when their stamp is the same. Returns how many records are of
    /// files gone or changed.
    pub(crate) fn merge(&mut self, entries: ScanList) -> usize {
        let listed = std::mem::take(&mut self.walk.files);
        let mut before: HashMap<String, Scanned> = HashMap::new();
        let mut files: FileList<CachedFile> = FileList::with_capacity(entries.len() + listed.len());
        let mut lost = false;
        entries.into_each(|rel, s| {
            if self.prefixes.contains(folder_of(rel)) {
                before.insert(rel.to_string(), s);
            } else {
                let kept = CachedFile {
                    rel_path: s.rel_path,
                    stamp: s.stamp,
                    facts: Some(s.facts),
                };
                lost |= files.push(rel, |at| kept.relocated(at)).is_err();
            }
        });
        let mut gone = 0;
        listed.into_each(|rel, mut file| {
            match before.remove(rel) {
                Some(old) if old.stamp == file.stamp => {
                    file.facts = Some(old.facts);
                }
                Some(_) => gone += 1,
                None => {}
            }
            lost |= files.push(rel, |at| file.relocated(at)).is_err();
        });
        if lost {
            // Never: these paths fitted in the lists they came from. Said as a folder that
            // could not be read, so that no story missing from the list is taken for deleted.
            self.walk
                .problems
                .push(crate::corpus::too_many_paths(&self.root));
        }
        files.sort_by_path();
        self.walk.files = files;
        gone + before.len()
    }
}

/// [`crate::cache::load_matching`] from a session's records instead of the cache file: each
/// of `files` (sorted, as walked) gets the facts kept for it when its stamp is unchanged.
pub(crate) fn match_kept(
    entries: ScanList,
    memo: Option<OutputMemo>,
    files: &mut FileList<CachedFile>,
) -> Matched {
    let mut gone = 0;
    let (files, paths) = files.parts_mut();
    let mut files = files.iter_mut().peekable();
    entries.into_each(|rel, s| {
        while files.next_if(|f| paths.get(f.rel_path) < rel).is_some() {}
        match files.next_if(|f| paths.get(f.rel_path) == rel) {
            Some(file) if file.stamp == s.stamp => {
                file.facts = Some(s.facts);
            }
            _ => gone += 1,
        }
    });
    Matched {
        gone,
        memo,
        note: None,
    }
}
