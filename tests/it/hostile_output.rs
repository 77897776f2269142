//! The output folder is not trusted: a feed, the cache or the lock file there may be a symlink
//! to `/dev/zero`, a FIFO, a folder or a huge sparse file, and a build may be stopped by a
//! signal half-way. The real binary must neither hang nor read without bound, never write
//! through a symlink, and never leave a temporary file or a half-written feed behind.
//!
//! Every run has a deadline and an address-space cap, so a regression fails the test instead
//! of hanging CI or eating the machine's memory; its peak memory is measured (`wait4`), which
//! is how a read without bound that still ends (the cap makes it fail quietly) is caught.

use std::io::Read;
use std::os::unix::fs::{symlink, FileTypeExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant, SystemTime};

use crate::common::*;

/// Longest a build may take before it is taken for hung.
const DEADLINE: Duration = Duration::from_secs(60);

/// Address space a run may map: plenty for a build of the shipped stories, small enough that a
/// regression reading `/dev/zero` stops long before the machine runs short.
const ADDRESS_SPACE: u64 = 4 << 30;

/// Peak resident memory a build of the shipped stories stays well under.
const PEAK_RSS_MIB: i64 = 256;

/// A `wirefeed` process started by a test; killed and reaped if the test fails before it ends.
struct Running {
    child: Child,
    reaped: bool,
}

/// How a run ended.
struct Finished {
    /// The exit code (`None` if a signal killed it).
    code: Option<i32>,
    stderr: String,
    /// Peak resident memory, in MiB.
    peak_rss_mib: i64,
}

/// Starts `wirefeed ARGS` in `dir` with the environment `env` added.
fn start(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Running {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("wirefeed"));
    cmd.current_dir(dir)
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    // SAFETY: between fork and exec the closure only calls setrlimit, which is
    // async-signal-safe, and allocates nothing.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: ADDRESS_SPACE as libc::rlim_t,
                rlim_max: ADDRESS_SPACE as libc::rlim_t,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    Running {
        child: cmd.spawn().expect("wirefeed starts"),
        reaped: false,
    }
}

impl Running {
    fn pid(&self) -> libc::pid_t {
        self.child.id() as libc::pid_t
    }

    /// Waits for the process (killing it past `deadline`) and says how it ended.
    fn finish(mut self, deadline: Duration) -> Finished {
        let mut pipe = self.child.stderr.take().expect("stderr is piped");
        let reader = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        });
        let start = Instant::now();
        let (mut status, mut usage) = (0, unsafe { std::mem::zeroed::<libc::rusage>() });
        let mut timed_out = false;
        loop {
            // SAFETY: wait4 only writes into the two out-parameters.
            let r = unsafe { libc::wait4(self.pid(), &mut status, libc::WNOHANG, &mut usage) };
            if r == self.pid() {
                break;
            }
            assert_eq!(r, 0, "wait4: {}", std::io::Error::last_os_error());
            if start.elapsed() > deadline {
                timed_out = true;
                // SAFETY: the child is not reaped yet, so the pid is still ours.
                unsafe {
                    libc::kill(self.pid(), libc::SIGKILL);
                    libc::wait4(self.pid(), &mut status, 0, &mut usage);
                }
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.reaped = true;
        let stderr = reader.join().expect("stderr reader");
        assert!(
            !timed_out,
            "wirefeed did not finish within {deadline:?} (killed); stderr:\n{stderr}"
        );
        let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
        // Linux counts in KiB, macOS in bytes.
        let unit = if cfg!(target_os = "macos") {
            1 << 20
        } else {
            1 << 10
        };
        Finished {
            code,
            stderr,
            peak_rss_mib: usage.ru_maxrss / unit,
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if !self.reaped {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Runs `wirefeed build -v` in `dir` and checks it neither hung nor used much memory.
fn build(dir: &Path, extra: &[&str]) -> Finished {
    let mut args = vec!["build", "-v"];
    args.extend_from_slice(extra);
    let run = start(dir, &args, &[]).finish(DEADLINE);
    assert!(
        run.peak_rss_mib < PEAK_RSS_MIB,
        "peak memory {} MiB: something was read without bound; stderr:\n{}",
        run.peak_rss_mib,
        run.stderr
    );
    run
}

/// A copy of the shipped project with an empty output folder; returns (project, `public/`).
fn project() -> (tempfile::TempDir, PathBuf) {
    let dir = shipped_project();
    let public = dir.path().join("public");
    std::fs::create_dir(&public).unwrap();
    (dir, public)
}

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: mkfifo only reads the NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
}

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap()
        .permissions()
        .mode()
        & 0o7777
}

/// The temporary files in `dir`.
fn temp_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with(".wirefeed-") && name.ends_with(".tmp")
        })
        .collect()
}

/// Asserts `path` is now a regular, world-readable, valid feed.
fn assert_replaced_by_a_feed(path: &Path) {
    let meta = std::fs::symlink_metadata(path).unwrap();
    assert!(meta.is_file(), "{} is not a regular file", path.display());
    assert_eq!(mode(path), 0o644);
    read_feed(path);
}

#[test]
fn feed_symlinked_to_dev_zero_is_replaced_without_reading_it() {
    let (dir, public) = project();
    symlink("/dev/zero", public.join("rss.xml")).unwrap();
    let run = build(dir.path(), &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_replaced_by_a_feed(&public.join("rss.xml"));
    assert!(std::fs::metadata("/dev/zero")
        .unwrap()
        .file_type()
        .is_char_device());
}

#[test]
fn feed_that_is_a_fifo_is_replaced_without_blocking() {
    let (dir, public) = project();
    mkfifo(&public.join("rss.xml"));
    let run = build(dir.path(), &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_replaced_by_a_feed(&public.join("rss.xml"));
}

#[test]
fn huge_sparse_feed_is_replaced_without_reading_it() {
    // 1 GiB fits under the address-space cap, so a regression really reads it (and shows in
    // the peak memory); 10 GiB is the file one actually fears.
    for size in [1u64 << 30, 10 << 30] {
        let (dir, public) = project();
        let file = std::fs::File::create(public.join("atom.xml")).unwrap();
        file.set_len(size).unwrap();
        drop(file);
        let run = build(dir.path(), &[]);
        assert_eq!(run.code, Some(0), "{size} bytes: {}", run.stderr);
        let atom = public.join("atom.xml");
        assert!(std::fs::metadata(&atom).unwrap().len() < 1 << 20);
        read_feed(&atom);
    }
}

#[test]
fn cache_symlinked_to_dev_zero_is_rebuilt() {
    let (dir, public) = project();
    let cache = public.join(".wirefeed-cache");
    symlink("/dev/zero", &cache).unwrap();
    let run = build(dir.path(), &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("(not a wirefeed cache: not a regular file (it is a symbolic link))"),
        "{}",
        run.stderr
    );
    assert!(std::fs::symlink_metadata(&cache).unwrap().is_file());
}

#[test]
fn cache_that_is_a_fifo_is_rebuilt() {
    let (dir, public) = project();
    let cache = public.join(".wirefeed-cache");
    mkfifo(&cache);
    let run = build(dir.path(), &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("(not a wirefeed cache: not a regular file (it is a FIFO))"),
        "{}",
        run.stderr
    );
    assert!(std::fs::symlink_metadata(&cache).unwrap().is_file());
}

#[test]
fn lock_as_dangling_symlink_fails_with_exit_4_and_creates_nothing() {
    let (dir, public) = project();
    let target = dir.path().join("planted");
    symlink(&target, public.join(".wirefeed.lock")).unwrap();
    let run = build(dir.path(), &[]);
    assert_eq!(run.code, Some(4), "{}", run.stderr);
    assert!(
        run.stderr
            .contains(".wirefeed.lock`: it is a symbolic link, not a regular file; remove it"),
        "{}",
        run.stderr
    );
    assert!(!target.exists(), "the symlink's target was created");
    assert!(!public.join("rss.xml").exists());
}

#[test]
fn lock_as_fifo_fails_with_exit_4_without_blocking() {
    let (dir, public) = project();
    mkfifo(&public.join(".wirefeed.lock"));
    let run = build(dir.path(), &[]);
    assert_eq!(run.code, Some(4), "{}", run.stderr);
    assert!(
        run.stderr
            .contains(".wirefeed.lock`: it is a FIFO, not a regular file; remove it"),
        "{}",
        run.stderr
    );
}

#[test]
fn feed_replacing_a_symlink_is_0644_and_the_target_is_untouched() {
    for target_mode in [0o600, 0o755] {
        let (dir, public) = project();
        let target = dir.path().join("private.xml");
        std::fs::write(&target, b"<not-a-feed/>").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(target_mode)).unwrap();
        symlink(&target, public.join("rss.xml")).unwrap();
        let run = build(dir.path(), &[]);
        assert_eq!(run.code, Some(0), "{}", run.stderr);
        assert_replaced_by_a_feed(&public.join("rss.xml"));
        assert_eq!(std::fs::read(&target).unwrap(), b"<not-a-feed/>");
        assert_eq!(mode(&target), target_mode);
    }
}

#[test]
fn stale_temp_file_is_removed_and_a_fresh_one_kept() {
    let (dir, public) = project();
    let (stale, fresh) = (
        public.join(".wirefeed-x.tmp"),
        public.join(".wirefeed-y.tmp"),
    );
    std::fs::write(&stale, b"left by kill -9").unwrap();
    std::fs::write(&fresh, b"maybe someone's live write").unwrap();
    let two_minutes_ago = SystemTime::now() - Duration::from_secs(120);
    filetime::set_file_mtime(
        &stale,
        filetime::FileTime::from_system_time(two_minutes_ago),
    )
    .unwrap();
    let run = build(dir.path(), &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(!stale.exists(), "the stale temporary file is still there");
    assert!(fresh.exists(), "a fresh temporary file was removed");
}

/// Stops a build with `signal` while it waits between writing a temporary feed and renaming
/// it, and checks the exit code, the one-line message, that no temporary file is left and that
/// the published feeds still hold the previous build's bytes.
fn signal_during_a_write(signal: libc::c_int, name: &str, code: i32) {
    let (dir, public) = project();
    wirefeed(dir.path())
        .args(["build", "--no-cache"])
        .timeout(DEADLINE)
        .assert()
        .code(0);
    let feeds = [public.join("rss.xml"), public.join("atom.xml")];
    let before: Vec<Vec<u8>> = feeds.iter().map(|f| std::fs::read(f).unwrap()).collect();

    // Another title: every feed changes, so the build has something to write.
    let running = start(
        dir.path(),
        &["build", "--title", "Другой заголовок"],
        &[("WIREFEED_TEST_PAUSE_BEFORE_RENAME_MS", "20000")],
    );
    let waiting = Instant::now();
    while temp_files(&public).is_empty() {
        assert!(
            waiting.elapsed() < Duration::from_secs(20),
            "no temporary file appeared in {}",
            public.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: the child has not been reaped, so the pid still names it.
    assert_eq!(unsafe { libc::kill(running.pid(), signal) }, 0);
    let run = running.finish(DEADLINE);

    assert_eq!(run.code, Some(code), "{}", run.stderr);
    assert_eq!(
        run.stderr,
        format!(
            "wirefeed: interrupted by {name}; temporary files removed, no feed left half-written\n"
        )
    );
    assert_eq!(temp_files(&public), Vec::<PathBuf>::new());
    for (feed, old) in feeds.iter().zip(&before) {
        assert_eq!(&std::fs::read(feed).unwrap(), old, "{}", feed.display());
    }
}

#[test]
fn sigint_during_a_write_removes_the_temp_file_and_exits_130() {
    signal_during_a_write(libc::SIGINT, "SIGINT", 130);
}

#[test]
fn sigterm_during_a_write_removes_the_temp_file_and_exits_143() {
    signal_during_a_write(libc::SIGTERM, "SIGTERM", 143);
}

#[test]
fn sighup_during_a_write_removes_the_temp_file_and_exits_129() {
    signal_during_a_write(libc::SIGHUP, "SIGHUP", 129);
}

/// After a clean build, the cache's memo of what was written lets a rerun skip rendering if the
/// feeds on disk still hold those bytes. That check must not read a feed that has since been
/// replaced by a FIFO or a symlink to `/dev/zero` either.
#[test]
fn feeds_replaced_after_a_clean_build_are_not_read_by_the_up_to_date_check() {
    for plant in ["fifo", "/dev/zero"] {
        let (dir, public) = project();
        assert_eq!(build(dir.path(), &[]).code, Some(0));
        let rss = public.join("rss.xml");
        std::fs::remove_file(&rss).unwrap();
        if plant == "fifo" {
            mkfifo(&rss);
        } else {
            symlink(plant, &rss).unwrap();
        }
        let run = build(dir.path(), &[]);
        assert_eq!(run.code, Some(0), "{plant}: {}", run.stderr);
        assert_replaced_by_a_feed(&rss);
    }
}
