//! Watching the articles folder (`wirefeed watch`): file-system events, debounced into
//! batches that the caller answers with a build.
//!
//! Events are only a trigger. Every build walks and stamps the archive itself, so an event with
//! a stale path (a folder renamed under the watch), a lost event (an overflowed inotify queue)
//! or a burst of thousands costs at most one build more, never a wrong feed.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher as _};

/// How the watcher waits for changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchOptions {
    /// A batch ends once no event came for this long…
    pub debounce: Duration,
    /// …or this long after its first event, so that a folder that never stays quiet is still
    /// published.
    pub max_delay: Duration,
    /// Poll instead of using the system's events, at this interval.
    pub poll: Option<Duration>,
    /// The interval of polling when the system's events are not available.
    pub fallback_poll: Duration,
    /// Follow symbolic links (as the build does with `follow_symlinks`).
    pub follow_symlinks: bool,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions {
            debounce: Duration::from_millis(50),
            max_delay: Duration::from_secs(1),
            poll: None,
            fallback_poll: Duration::from_secs(2),
            follow_symlinks: false,
        }
    }
}

/// How changes are noticed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// The system's file events (inotify on Linux).
    Events,
    /// A walk of the folder at an interval; `because` says why events could not be used.
    Polling {
        /// The interval.
        every: Duration,
        /// Why the system's events are not used (`None`: asked for).
        because: Option<String>,
    },
}

/// Why the folder cannot be watched at all.
#[derive(Debug, thiserror::Error)]
#[error("cannot watch {}: {reason}", crate::diagnostic::shown(path))]
pub struct WatchError {
    /// The folder.
    pub path: PathBuf,
    /// What went wrong.
    pub reason: String,
}

/// The changes of one quiet period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batch {
    /// Paths that changed, relative to the articles folder (`""` for the folder itself).
    pub paths: BTreeSet<PathBuf>,
    /// The system lost events (or reported an error): what changed is not known.
    pub rescan: bool,
    /// The events' errors, for the log.
    pub errors: Vec<String>,
}

/// What [`Watcher::next`] returns.
#[derive(Debug)]
pub enum Next {
    /// Changes to build.
    Changes(Batch),
    /// The deadline passed with no change.
    Deadline,
    /// The caller asked to stop.
    Stopped,
}

/// A watch on an articles folder.
pub struct Watcher {
    // Kept for its effect: dropping it ends the watch.
    _watcher: Box<dyn notify::Watcher + Send>,
    events: Receiver<notify::Result<notify::Event>>,
    root: PathBuf,
    /// The root folder's identity when the watch started: a folder renamed away and another
    /// put in its place is a different folder, which this watch does not see.
    identity: Option<(u64, u64)>,
    ignored: Vec<PathBuf>,
    backend: Backend,
    options: WatchOptions,
}

/// How often a wait looks at the caller's stop flag.
const TICK: Duration = Duration::from_millis(100);

impl Watcher {
    /// Starts watching `root` and everything under it, except the folders in `ignored` (the
    /// output folder and the ledger's, whose writes are the build's own). Falls back to polling
    /// when the system's events are not available.
    pub fn start(
        root: &Path,
        ignored: &[PathBuf],
        options: &WatchOptions,
    ) -> Result<Self, WatchError> {
        let root = std::fs::canonicalize(root).map_err(|e| WatchError {
            path: root.to_path_buf(),
            reason: e.to_string(),
        })?;
        // Only folders strictly inside the root: an output folder that holds the articles
        // folder must not hide it.
        let ignored = ignored
            .iter()
            .map(|p| absolute(p))
            .filter(|p| p.starts_with(&root) && *p != root)
            .collect();
        let identity = identity(&root);
        let config = notify::Config::default().with_follow_symlinks(options.follow_symlinks);
        let (tx, events) = mpsc::channel();
        let mut because = None;
        // Debug builds only: a test can have the system's events refused, as when the limit
        // of watches is reached.
        #[cfg(debug_assertions)]
        if std::env::var_os("WIREFEED_TEST_NO_EVENTS").is_some() {
            because = Some(why_no_events(&notify::Error::new(
                notify::ErrorKind::MaxFilesWatch,
            )));
        }
        if options.poll.is_none() && because.is_none() {
            match notify::RecommendedWatcher::new(tx.clone(), config) {
                Ok(mut w) => match w.watch(&root, RecursiveMode::Recursive) {
                    Ok(()) => {
                        return Ok(Watcher {
                            _watcher: Box::new(w),
                            events,
                            root,
                            identity,
                            ignored,
                            backend: Backend::Events,
                            options: options.clone(),
                        })
                    }
                    Err(e) => because = Some(why_no_events(&e)),
                },
                Err(e) => because = Some(why_no_events(&e)),
            }
        }
        let every = options.poll.unwrap_or(options.fallback_poll);
        let fail = |e: notify::Error| WatchError {
            path: root.clone(),
            reason: e.to_string(),
        };
        let mut w = notify::PollWatcher::new(tx, config.with_poll_interval(every)).map_err(fail)?;
        w.watch(&root, RecursiveMode::Recursive).map_err(fail)?;
        Ok(Watcher {
            _watcher: Box::new(w),
            events,
            root,
            identity,
            ignored,
            backend: Backend::Polling { every, because },
            options: options.clone(),
        })
    }

    /// How changes are noticed.
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// The watched folder, resolved.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether the folder this watch started on is still there, at its path: false once it
    /// was removed or renamed away, even if another folder took its name (watch that anew).
    pub fn is_intact(&self) -> bool {
        identity(&self.root).is_some() && identity(&self.root) == self.identity
    }

    /// Waits for changes and returns them once the folder has been quiet for the debounce
    /// interval; or returns at `deadline`, or when `stop` says so (looked at every tenth of a
    /// second).
    pub fn next(&self, deadline: Option<Instant>, stop: &dyn Fn() -> bool) -> Next {
        let mut batch = Batch::default();
        // Waiting for the first relevant event.
        loop {
            if stop() {
                return Next::Stopped;
            }
            let mut wait = TICK;
            if let Some(d) = deadline {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Next::Deadline;
                }
                wait = wait.min(left);
            }
            match self.events.recv_timeout(wait) {
                Ok(event) => {
                    if self.add(&mut batch, event) {
                        break;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                // The watcher's thread is gone: nothing more will come; say so as a rescan.
                Err(RecvTimeoutError::Disconnected) => {
                    batch.rescan = true;
                    batch.errors.push("the watch stopped".into());
                    return Next::Changes(batch);
                }
            }
        }
        // Debouncing: more of the same burst.
        let first = Instant::now();
        let mut quiet_until = first + self.options.debounce;
        loop {
            if stop() {
                return Next::Stopped;
            }
            let now = Instant::now();
            let end = quiet_until.min(first + self.options.max_delay);
            if now >= end {
                return Next::Changes(batch);
            }
            match self.events.recv_timeout((end - now).min(TICK)) {
                Ok(event) => {
                    if self.add(&mut batch, event) {
                        quiet_until = Instant::now() + self.options.debounce;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return Next::Changes(batch),
            }
        }
    }

    /// Adds an event to the batch; says whether it concerns the stories.
    fn add(&self, batch: &mut Batch, event: notify::Result<notify::Event>) -> bool {
        let event = match event {
            Ok(e) => e,
            Err(e) => {
                batch.rescan = true;
                batch.errors.push(e.to_string());
                return true;
            }
        };
        if event.need_rescan() {
            batch.rescan = true;
            return true;
        }
        // Opening and reading a file (the build itself does, for every story it reads) changes
        // nothing; its writes show as modifications.
        if matches!(event.kind, EventKind::Access(_)) {
            return false;
        }
        let mut relevant = event.paths.is_empty();
        for path in &event.paths {
            if let Some(rel) = self.concerns(path) {
                batch.paths.insert(rel);
                relevant = true;
            }
        }
        relevant
    }

    /// The path relative to the root, if a change there can change the feeds: not in an
    /// ignored folder, and not hidden (the build skips hidden files and folders, so an
    /// editor's swap file is nothing to build for).
    fn concerns(&self, path: &Path) -> Option<PathBuf> {
        if self.ignored.iter().any(|i| path.starts_with(i)) {
            return None;
        }
        let Ok(rel) = path.strip_prefix(&self.root) else {
            // Not under the root as it was resolved (a symlink followed): a change all the same.
            return Some(path.to_path_buf());
        };
        let hidden = rel.components().any(|c| match c {
            Component::Normal(name) => name.as_encoded_bytes().first() == Some(&b'.'),
            _ => false,
        });
        (!hidden).then(|| rel.to_path_buf())
    }
}

/// A folder's device and inode (on Unix; elsewhere only whether it is a folder).
fn identity(path: &Path) -> Option<(u64, u64)> {
    let meta = std::fs::metadata(path)
        .ok()
        .filter(std::fs::Metadata::is_dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        Some((0, 0))
    }
}

/// An absolute, resolved form of `path`, comparable with the resolved root: its nearest
/// existing ancestor resolved (the output folder may not exist before the first build), the
/// rest appended.
fn absolute(path: &Path) -> PathBuf {
    let Ok(whole) = std::path::absolute(path) else {
        return path.to_path_buf();
    };
    let mut base = whole.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(resolved) = std::fs::canonicalize(base) {
            return rest.iter().rev().fold(resolved, |p, name| p.join(name));
        }
        match (base.parent(), base.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                base = parent;
            }
            _ => return whole,
        }
    }
}

/// Why the system's events cannot be used, and what to do about it.
fn why_no_events(e: &notify::Error) -> String {
    match &e.kind {
        notify::ErrorKind::MaxFilesWatch => "the system's limit of watched folders is reached \
             (raise it: sysctl fs.inotify.max_user_watches=524288)"
            .into(),
        notify::ErrorKind::Io(io) if io.raw_os_error() == Some(24) => {
            "too many file watches are open (raise fs.inotify.max_user_instances)".into()
        }
        _ => format!("file events are not available: {e}"),
    }
}

/// In short, what a batch changed: `2025/06/a.txt, 2025/06/b.txt and 3 more`.
pub fn describe(batch: &Batch) -> String {
    const SHOWN: usize = 3;
    let mut names: Vec<String> = batch
        .paths
        .iter()
        .take(SHOWN)
        .map(|p| {
            if p.as_os_str().is_empty() {
                ".".to_string()
            } else {
                crate::diagnostic::shown(p)
            }
        })
        .collect();
    let more = batch.paths.len().saturating_sub(SHOWN);
    if more > 0 {
        names.push(format!("{more} more"));
    }
    let mut text = match names.len() {
        0 => String::new(),
        1 => names.remove(0),
        _ => {
            let last = names.pop().unwrap_or_default();
            format!("{} and {last}", names.join(", "))
        }
    };
    if batch.rescan {
        if !text.is_empty() {
            text.push_str("; ");
        }
        text.push_str("events lost, whole folder looked at");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};

    fn watcher(root: &Path, ignored: &[PathBuf], poll: Option<Duration>) -> Watcher {
        let options = WatchOptions {
            debounce: Duration::from_millis(30),
            poll,
            ..WatchOptions::default()
        };
        Watcher::start(root, ignored, &options).unwrap()
    }

    fn next_batch(w: &Watcher) -> Option<Batch> {
        match w.next(Some(Instant::now() + Duration::from_secs(10)), &|| false) {
            Next::Changes(b) => Some(b),
            _ => None,
        }
    }

    #[test]
    fn a_burst_is_one_batch_of_relative_paths() {
        let dir = tempfile::tempdir().unwrap();
        let w = watcher(dir.path(), &[], None);
        assert_eq!(w.backend(), &Backend::Events);
        for i in 0..50 {
            std::fs::write(dir.path().join(format!("{i}.txt")), "x").unwrap();
        }
        let batch = next_batch(&w).unwrap();
        assert_eq!(batch.paths.len(), 50, "{batch:?}");
        assert!(batch.paths.contains(Path::new("7.txt")));
        assert!(!batch.rescan);
    }

    #[test]
    fn reads_hidden_files_and_ignored_folders_are_not_changes() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(dir.path().join("a.txt"), "x").unwrap();
        let w = watcher(dir.path(), std::slice::from_ref(&out), None);
        std::fs::read(dir.path().join("a.txt")).unwrap();
        std::fs::write(dir.path().join(".a.txt.swp"), "x").unwrap();
        std::fs::write(out.join("rss.xml"), "x").unwrap();
        let quiet = w.next(Some(Instant::now() + Duration::from_millis(400)), &|| false);
        assert!(matches!(quiet, Next::Deadline), "{quiet:?}");
        std::fs::write(dir.path().join("b.txt"), "x").unwrap();
        let batch = next_batch(&w).unwrap();
        assert_eq!(batch.paths, BTreeSet::from([PathBuf::from("b.txt")]));
    }

    #[test]
    fn polling_sees_changes_too() {
        let dir = tempfile::tempdir().unwrap();
        let w = watcher(dir.path(), &[], Some(Duration::from_millis(50)));
        assert!(matches!(
            w.backend(),
            Backend::Polling { because: None, .. }
        ));
        std::fs::write(dir.path().join("a.txt"), "x").unwrap();
        let batch = next_batch(&w).unwrap();
        assert!(batch.paths.contains(Path::new("a.txt")), "{batch:?}");
    }

    #[test]
    fn stop_is_heard_while_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let w = watcher(dir.path(), &[], None);
        let stop = AtomicBool::new(true);
        let started = Instant::now();
        let next = w.next(None, &|| stop.load(Ordering::SeqCst));
        assert!(matches!(next, Next::Stopped));
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn a_folder_renamed_away_or_replaced_is_no_longer_watched() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("articles");
        std::fs::create_dir(&root).unwrap();
        let w = watcher(&root, &[], None);
        assert!(w.is_intact());
        std::fs::rename(&root, dir.path().join("old")).unwrap();
        assert!(!w.is_intact());
        std::fs::create_dir(&root).unwrap();
        assert!(!w.is_intact(), "another folder under the same name");
    }

    #[test]
    fn an_output_folder_around_the_articles_hides_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("articles");
        std::fs::create_dir(&root).unwrap();
        let w = watcher(&root, &[dir.path().to_path_buf()], None);
        std::fs::write(root.join("a.txt"), "x").unwrap();
        assert!(next_batch(&w).unwrap().paths.contains(Path::new("a.txt")));
    }

    #[test]
    fn a_missing_folder_cannot_be_watched() {
        let dir = tempfile::tempdir().unwrap();
        let e = Watcher::start(&dir.path().join("nope"), &[], &WatchOptions::default());
        let e = e.err().unwrap();
        assert!(e.to_string().contains("nope"), "{e}");
    }

    #[test]
    fn describe_names_a_few_paths() {
        let mut b = Batch::default();
        assert_eq!(describe(&b), "");
        b.paths.insert("a.txt".into());
        assert_eq!(describe(&b), "a.txt");
        for p in ["b.txt", "c.txt", "d.txt", "e.txt"] {
            b.paths.insert(p.into());
        }
        assert_eq!(describe(&b), "a.txt, b.txt, c.txt and 2 more");
        b.rescan = true;
        assert!(describe(&b).ends_with("; events lost, whole folder looked at"));
    }
}
