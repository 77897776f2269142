//! `wirefeed watch` end to end: the real binary on a copy of the shipped project, changed the
//! way desks change it. After every change the documents on disk must become, within a bounded
//! wait, byte for byte what a fresh `build` of the same folder writes, and stay valid.
#![cfg(unix)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::common::{self, shipped_project};

/// How long a change may take to reach the feeds before the test fails (generous: CI machines
/// are slow and busy; the latency itself is measured by `bench/watch.sh`, not here).
const BOUND: Duration = Duration::from_secs(30);

/// A running `wirefeed watch` in a project folder; killed if the test ends first.
struct Watch {
    child: Child,
    dir: PathBuf,
    stderr: PathBuf,
    stdout: PathBuf,
}

impl Watch {
    fn start(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Watch {
        let stderr = dir.join("watch.err");
        let stdout = dir.join("watch.out");
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("wirefeed"));
        cmd.current_dir(dir)
            .arg("watch")
            .args(args)
            .env(wirefeed::clock::SOURCE_DATE_EPOCH, "1767225600")
            .stdin(Stdio::null())
            .stdout(fs::File::create(&stdout).unwrap())
            .stderr(fs::File::create(&stderr).unwrap());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let watch = Watch {
            child: cmd.spawn().unwrap(),
            dir: dir.to_path_buf(),
            stderr,
            stdout,
        };
        watch.wait_for("the first build", |w| w.builds() >= 1);
        watch
    }

    fn log(&self) -> String {
        fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// Builds finished so far (one line each).
    fn builds(&self) -> usize {
        self.log()
            .lines()
            .filter(|l| l.starts_with("wirefeed watch: built in"))
            .count()
    }

    fn wait_for(&self, what: &str, done: impl Fn(&Watch) -> bool) {
        let started = Instant::now();
        while !done(self) {
            assert!(
                started.elapsed() < BOUND,
                "{what}: not within {BOUND:?}; the watch said:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Waits until the published documents are those of a fresh build of the folder as it is.
    /// Documents the fresh build does not write may remain only where `build` leaves them too:
    /// a photo of a story that has left the feeds (`media/`, for the readers that still show
    /// it) and the feeds of a tag no story has any more (`tags/`, no longer in `feeds.opml`).
    fn settles(&self, extra: &[&str], what: &str) {
        let expected = fresh_build(&self.dir, extra);
        let published = self.dir.join("public");
        self.wait_for(what, |_| {
            let now = documents(&published);
            expected.iter().all(|doc| now.contains(doc))
                && now.iter().all(|(path, bytes)| {
                    expected.iter().any(|(p, b)| p == path && b == bytes)
                        || path.starts_with("media")
                        || path.starts_with("tags")
                })
        });
    }

    fn signal(&self, signal: libc::c_int) {
        let pid = libc::pid_t::try_from(self.child.id()).unwrap();
        // SAFETY: kill(2) with our own child's pid; no memory is involved.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    }

    /// Waits for the process to end; returns its exit code.
    fn exit_code(&mut self) -> Option<i32> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let out = fs::read(&self.stdout).unwrap();
                assert!(out.is_empty(), "nothing on stdout");
                return status.code();
            }
            assert!(started.elapsed() < BOUND, "did not exit:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every published document under `dir` (hidden files, the cache and the lock, left out), by
/// relative path.
fn documents(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    if !dir.is_dir() {
        return Vec::new();
    }
    let mut docs: Vec<(PathBuf, Vec<u8>)> = common::files_under(dir)
        .into_iter()
        .filter_map(|p| {
            let rel = p.strip_prefix(dir).unwrap().to_path_buf();
            let hidden = rel
                .components()
                .any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
            // Read as it is now; a file replaced meanwhile is read at the next poll.
            (!hidden).then(|| Some((rel, fs::read(&p).ok()?))).flatten()
        })
        .collect();
    docs.sort();
    docs
}

/// What a fresh build of the folder as it is now writes (no cache, an empty output folder).
fn fresh_build(dir: &Path, extra: &[&str]) -> Vec<(PathBuf, Vec<u8>)> {
    let out = tempfile::tempdir().unwrap();
    let (code, err) = common::code_and_stderr(
        common::wirefeed(dir)
            .args(["build", "--no-cache", "--out"])
            .arg(out.path())
            .args(extra),
    );
    assert!(code == 0 || code == 1, "fresh build: {code}\n{err}");
    documents(out.path())
}

/// Checks every feed on disk with the validator and an independent parser.
fn all_valid(dir: &Path) {
    for name in ["rss.xml", "atom.xml"] {
        let bytes = fs::read(dir.join("public").join(name)).unwrap();
        common::assert_valid(&bytes);
        common::parse_back(&bytes);
    }
}

/// Puts a file in place as desks should: written beside, then renamed in.
fn rename_in(dir: &Path, rel: &str, text: &str) {
    let staging = dir.join("staging.tmp");
    fs::write(&staging, text).unwrap();
    fs::rename(&staging, dir.join("articles").join(rel)).unwrap();
}

fn story(headline: &str, time: &str) -> String {
    format!(
        "{headline}\nДУШАНБЕ, 31.12.2025 {time} /НИАТ «Ховар»/. Первый абзац новости «{headline}».\n\
         Второй абзац с подробностями.\nФОТО: НИАТ «Ховар»\n"
    )
}

const NO_LEDGER: &[&str] = &["--no-ledger"];

#[test]
fn the_feeds_follow_adds_edits_deletes_renames_and_sidecars() {
    let project = shipped_project();
    let dir = project.path();
    let watch = Watch::start(dir, &["--no-ledger", "--debounce", "30"], &[]);
    watch.settles(NO_LEDGER, "first build");

    rename_in(
        dir,
        "2025/06/srochno.txt",
        &story("Срочная новость", "10:00"),
    );
    watch.settles(NO_LEDGER, "a story added");
    assert!(common::public_feed(dir, "atom.xml").contains("Срочная новость"));

    // Edited in place, as an editor without save-by-rename does.
    let edited = dir.join("articles/2025/06/srochno.txt");
    let text = fs::read_to_string(&edited).unwrap();
    fs::write(
        &edited,
        text.replace("подробностями", "уточнёнными подробностями"),
    )
    .unwrap();
    watch.settles(NO_LEDGER, "a story edited");
    assert!(common::public_feed(dir, "atom.xml").contains("уточнёнными"));

    // A sidecar added, edited, then removed: its tags make a feed set and leave it.
    fs::write(
        dir.join("articles/2025/06/srochno.toml"),
        "tags = [\"срочно\"]\n",
    )
    .unwrap();
    watch.settles(NO_LEDGER, "a sidecar added");
    assert!(dir.join("public/tags/srochno/atom.xml").is_file());
    fs::write(
        dir.join("articles/2025/06/srochno.toml"),
        "tags = [\"срочно\", \"экономика\"]\nauthor = \"Алишер Каримов\"\n",
    )
    .unwrap();
    watch.settles(NO_LEDGER, "a sidecar edited");
    assert!(common::public_feed(dir, "atom.xml").contains("Алишер Каримов"));
    fs::remove_file(dir.join("articles/2025/06/srochno.toml")).unwrap();
    watch.settles(NO_LEDGER, "a sidecar removed");
    assert!(!common::public_feed(dir, "atom.xml").contains("Алишер Каримов"));

    // Renamed (a new id), then its folder renamed, then deleted.
    fs::rename(
        dir.join("articles/2025/06/srochno.txt"),
        dir.join("articles/2025/06/srochno-2.txt"),
    )
    .unwrap();
    watch.settles(NO_LEDGER, "a story renamed");
    assert!(common::public_feed(dir, "atom.xml").contains("srochno-2"));
    fs::rename(
        dir.join("articles/2025/05"),
        dir.join("articles/2025/05-old"),
    )
    .unwrap();
    watch.settles(NO_LEDGER, "a folder renamed");
    fs::remove_file(dir.join("articles/2025/06/srochno-2.txt")).unwrap();
    watch.settles(NO_LEDGER, "a story deleted");
    assert!(!common::public_feed(dir, "atom.xml").contains("Срочная новость"));
    all_valid(dir);
}

#[test]
fn a_burst_of_500_files_is_one_or_two_builds() {
    let project = shipped_project();
    let dir = project.path();
    let watch = Watch::start(dir, &["--no-ledger", "--debounce", "300"], &[]);
    let before = watch.builds();
    // Written outside the watched folder first, then renamed in one after the other.
    let staging = dir.join("burst");
    fs::create_dir(&staging).unwrap();
    for i in 0..500 {
        let text = story(&format!("Новость пакета номер {i}"), "09:00");
        fs::write(staging.join(format!("burst-{i:03}.txt")), text).unwrap();
    }
    for i in 0..500 {
        let name = format!("burst-{i:03}.txt");
        fs::rename(
            staging.join(&name),
            dir.join("articles/2025/06").join(&name),
        )
        .unwrap();
    }
    watch.settles(NO_LEDGER, "500 stories added");
    // The line comes after the writes; and a second build may follow the first.
    watch.wait_for("the build's line", |w| w.builds() > before);
    std::thread::sleep(Duration::from_millis(800));
    let builds = watch.builds() - before;
    assert!(
        (1..=2).contains(&builds),
        "{builds} builds for one burst:\n{}",
        watch.log()
    );
    all_valid(dir);
}

#[test]
fn a_bad_story_is_named_once_and_the_watch_goes_on() {
    let project = shipped_project();
    let dir = project.path();
    let watch = Watch::start(dir, &["--no-ledger", "--debounce", "30"], &[]);
    rename_in(dir, "2025/06/bad.txt", "Заголовок без даты\n");
    watch.wait_for("the error", |w| w.log().contains("bad.txt:1: error:"));
    rename_in(dir, "2025/06/good.txt", &story("Хорошая новость", "11:00"));
    watch.settles(NO_LEDGER, "a good story after a bad one");
    assert!(common::public_feed(dir, "atom.xml").contains("Хорошая новость"));
    assert_eq!(
        watch.log().matches("bad.txt:1: error:").count(),
        1,
        "{}",
        watch.log()
    );
    all_valid(dir);
}

#[test]
fn a_vanished_articles_folder_is_waited_for_and_the_feeds_kept() {
    let project = shipped_project();
    let dir = project.path();
    let watch = Watch::start(dir, &["--no-ledger", "--debounce", "30"], &[]);
    let published = documents(&dir.join("public"));
    fs::rename(dir.join("articles"), dir.join("articles-away")).unwrap();
    watch.wait_for("the folder's absence", |w| {
        w.log().contains("the articles folder is gone")
    });
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(documents(&dir.join("public")), published, "feeds kept");
    fs::rename(dir.join("articles-away"), dir.join("articles")).unwrap();
    rename_in(
        dir,
        "2025/06/back.txt",
        &story("Новость после возвращения", "12:00"),
    );
    watch.settles(NO_LEDGER, "the folder back, with a new story");
    assert!(common::public_feed(dir, "atom.xml").contains("Новость после возвращения"));
}

#[test]
fn polling_when_asked_sees_changes_too() {
    let project = shipped_project();
    let dir = project.path();
    let watch = Watch::start(dir, &["--no-ledger", "--poll", "0.2"], &[]);
    assert!(watch.log().contains("every 0.2 s"), "{}", watch.log());
    rename_in(
        dir,
        "2025/06/polled.txt",
        &story("Новость через опрос", "13:00"),
    );
    watch.settles(NO_LEDGER, "a story added, seen by polling");
}

#[test]
fn without_file_events_it_says_why_and_polls() {
    let project = shipped_project();
    let dir = project.path();
    let watch = Watch::start(dir, &["--no-ledger"], &[("WIREFEED_TEST_NO_EVENTS", "1")]);
    let log = watch.log();
    assert!(
        log.contains("warning: cannot use file events")
            && log.contains("fs.inotify.max_user_watches")
            && log.contains("every 2 s instead"),
        "{log}"
    );
    rename_in(
        dir,
        "2025/06/polled.txt",
        &story("Новость без событий", "13:30"),
    );
    watch.settles(NO_LEDGER, "a story added, seen by the fallback");
}

/// An embargo that lifts in two seconds of the build clock wakes the watch with no file
/// changed (the clock is held still in tests, so the story stays under embargo).
#[test]
fn the_watch_wakes_when_an_embargo_lifts() {
    let project = shipped_project();
    let dir = project.path();
    rename_in(
        dir,
        "2025/06/soon.txt",
        &story("Новость под эмбарго", "09:30"),
    );
    fs::write(
        dir.join("articles/2025/06/soon.toml"),
        "embargo = 2026-01-01T00:00:02Z\n",
    )
    .unwrap();
    let watch = Watch::start(dir, &["--no-ledger"], &[]);
    watch.wait_for("a build at the embargo", |w| {
        w.log()
            .contains("(the clock reached an embargo or an expiry)")
    });
    assert!(!common::public_feed(dir, "atom.xml").contains("Новость под эмбарго"));
}

#[test]
fn an_output_folder_inside_the_articles_does_not_wake_the_watch() {
    let project = shipped_project();
    let dir = project.path();
    let args = [
        "--no-ledger",
        "--debounce",
        "30",
        "--out",
        "articles/public",
    ];
    let watch = Watch::start(dir, &args, &[]);
    rename_in(
        dir,
        "2025/06/inside.txt",
        &story("Новость при выводе внутри", "14:00"),
    );
    watch.wait_for("the story", |w| {
        w.builds() >= 2
            && fs::read_to_string(dir.join("articles/public/atom.xml"))
                .is_ok_and(|f| f.contains("Новость при выводе внутри"))
    });
    let builds = watch.builds();
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(
        watch.builds(),
        builds,
        "its own writes woke it:\n{}",
        watch.log()
    );
    assert!(builds <= 3, "{}", watch.log());
}

#[test]
fn sighup_reads_the_configuration_again() {
    let project = shipped_project();
    let dir = project.path();
    let watch = Watch::start(dir, &["--no-ledger", "--debounce", "30"], &[]);
    // The file is not changed: the signal alone makes the build.
    watch.signal(libc::SIGHUP);
    watch.wait_for("a build after SIGHUP", |w| {
        w.log().contains("configuration read again (SIGHUP)")
    });
    watch.settles(NO_LEDGER, "the same configuration");
}

#[test]
fn an_edited_config_file_is_read_again_and_a_broken_one_is_reported() {
    let project = shipped_project();
    let dir = project.path();
    let watch = Watch::start(dir, &["--no-ledger", "--debounce", "30"], &[]);
    let config = dir.join("wirefeed.toml");
    let text = fs::read_to_string(&config).unwrap();
    // Saved the way editors do: a new file renamed over the old one.
    let saved = dir.join(".wirefeed.toml.swp");
    fs::write(&saved, text.replace("— новости", "— все новости")).unwrap();
    fs::rename(&saved, &config).unwrap();
    watch.wait_for("a build after the edit", |w| {
        w.log()
            .contains("configuration read again (the file changed)")
    });
    watch.settles(NO_LEDGER, "the new title");
    assert!(common::public_feed(dir, "atom.xml").contains("— все новости"));
    // A file that does not load: said once, and the watch goes on as it was.
    fs::write(&saved, "[feed\n").unwrap();
    fs::rename(&saved, &config).unwrap();
    watch.wait_for("the error", |w| {
        w.log()
            .contains("the watch goes on with the configuration it had")
    });
    rename_in(
        dir,
        "2025/06/after.txt",
        &story("Новость после ошибки", "15:00"),
    );
    watch.wait_for("the story", |_| {
        common::public_feed(dir, "atom.xml").contains("Новость после ошибки")
    });
    assert!(common::public_feed(dir, "atom.xml").contains("— все новости"));
    let said = watch
        .log()
        .matches("goes on with the configuration")
        .count();
    assert_eq!(said, 1, "{}", watch.log());
}

#[test]
fn sigterm_while_idle_exits_0() {
    let project = shipped_project();
    let mut watch = Watch::start(project.path(), &["--no-ledger"], &[]);
    watch.signal(libc::SIGTERM);
    assert_eq!(watch.exit_code(), Some(0));
    assert!(
        watch.log().contains("stopped by SIGTERM"),
        "{}",
        watch.log()
    );
}

/// SIGTERM in the middle of a build (held inside the ledger's transaction by a debug-only hook)
/// lets it finish: exit 0, the feeds and the ledger complete, no temporary file left.
#[test]
fn sigterm_mid_build_finishes_the_build_then_exits_0() {
    let project = shipped_project();
    let dir = project.path();
    let mut watch = Watch::start(dir, &["--debounce", "30"], &[]);
    // From the next build on, the ledger's commit waits.
    drop(watch);
    let marker = dir.join(".wirefeed/ledger.sqlite.paused");
    let _ = fs::remove_file(&marker);
    watch = Watch::start_paused(dir, 1500);
    rename_in(
        dir,
        "2025/06/term.txt",
        &story("Новость перед остановкой", "15:00"),
    );
    watch.wait_for("the build to reach the ledger", |_| marker.exists());
    watch.signal(libc::SIGTERM);
    assert_eq!(watch.exit_code(), Some(0), "{}", watch.log());
    assert!(common::public_feed(dir, "atom.xml").contains("Новость перед остановкой"));
    all_valid(dir);
    let leftovers: Vec<PathBuf> = common::files_under(&dir.join("public"))
        .into_iter()
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with(wirefeed::output::TEMP_PREFIX)
                && name.ends_with(wirefeed::output::TEMP_SUFFIX)
        })
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let history = common::wirefeed(dir)
        .args(["history", "2025/06/term"])
        .output()
        .unwrap();
    assert!(history.status.success(), "the ledger recorded the story");
    assert!(String::from_utf8_lossy(&history.stdout).contains("2025/06/term"));
}

impl Watch {
    /// A watch whose builds pause `ms` inside the ledger's transaction (debug builds only).
    fn start_paused(dir: &Path, ms: u64) -> Watch {
        let ms = ms.to_string();
        Watch::start(
            dir,
            &["--debounce", "30"],
            &[("WIREFEED_TEST_LEDGER_PAUSE_MS", ms.as_str())],
        )
    }
}

/// The session `watch` keeps between builds (the cache's records and the ledger's in memory,
/// and the folders of the paths that changed listed again instead of the whole archive walked)
/// changes nothing: through additions, corrections, deletions, a withdrawal, new and renamed
/// folders and a `build` run by cron in between, the documents are those of builds that read
/// everything from disk. Once with the changes noted, once without (every build walks).
#[test]
fn a_session_builds_what_separate_builds_do() {
    session_builds_what_separate_builds_do(true);
    session_builds_what_separate_builds_do(false);
}

fn session_builds_what_separate_builds_do(noted: bool) {
    use std::sync::Arc;
    use wirefeed::build::Session;

    let project = shipped_project();
    let dir = project.path();
    let raw = wirefeed::config::RawConfig::load(&dir.join("wirefeed.toml")).unwrap();
    let mut with = wirefeed::Config::from_raw(&raw).unwrap();
    with.articles = dir.join("articles");
    with.out = dir.join("with");
    with.ledger = Some(dir.join("with.sqlite"));
    let mut without = with.clone();
    without.out = dir.join("without");
    without.ledger = Some(dir.join("without.sqlite"));
    let session = Arc::new(Session::new());
    let mut clock = 1_767_225_600;
    // Builds both after the paths (relative to the articles) changed; `cron` builds the
    // session's folder once without it first, as a cron job would.
    let mut step = |what: &str, paths: &[&str], cron: bool| {
        clock += 3_600;
        let now = chrono::DateTime::from_timestamp(clock, 0);
        if noted {
            session.changed(paths.iter().map(Path::new));
        }
        for (config, session) in [(&with, Some(&session)), (&without, None)] {
            let mut opts = wirefeed::BuildOptions::new(config);
            opts.now = now;
            if cron && session.is_some() {
                wirefeed::build(config, &opts).unwrap();
            }
            opts.session = session.cloned();
            wirefeed::build(config, &opts).unwrap();
        }
        let (a, b) = (documents(&with.out), documents(&without.out));
        let differ: Vec<&PathBuf> = a
            .iter()
            .chain(&b)
            .filter(|doc| !a.contains(doc) || !b.contains(doc))
            .map(|(path, _)| path)
            .collect();
        assert!(
            differ.is_empty(),
            "{what} (noted: {noted}): these differ: {differ:?}"
        );
    };
    step("first build", &[], false);
    step("nothing changed", &[], false);
    let articles = dir.join("articles");
    rename_in(
        dir,
        "2025/06/new.txt",
        &story("Новость для сессии", "10:00"),
    );
    step("a story added", &["2025/06/new.txt"], false);
    let new = articles.join("2025/06/new.txt");
    fs::write(&new, story("Новость для сессии", "10:00") + "Поправка.\n").unwrap();
    step("a story corrected", &["2025/06/new.txt"], false);
    fs::write(articles.join("2025/06/new.toml"), "tags = [\"сессия\"]\n").unwrap();
    step("a sidecar added", &["2025/06/new.toml"], true);
    fs::write(
        articles.join("2025/06/new.toml"),
        "status = \"withdrawn\"\n",
    )
    .unwrap();
    step("the story withdrawn", &["2025/06/new.toml"], false);
    fs::remove_file(articles.join("2025/06/new.toml")).unwrap();
    step("the story back", &["2025/06/new.toml"], false);
    fs::write(articles.join("2025/06/orphan.toml"), "tags = [\"x\"]\n").unwrap();
    fs::write(articles.join("2025/06/photo.png"), b"not really").unwrap();
    step(
        "a sidecar with no story, a photo",
        &["2025/06/orphan.toml", "2025/06/photo.png"],
        false,
    );
    fs::remove_file(&new).unwrap();
    step("the story deleted", &["2025/06/new.txt"], false);
    let atom = fs::read_to_string(with.out.join("atom.xml")).unwrap();
    assert!(atom.contains("deleted-entry"), "a tombstone: {atom}");
    step("nothing changed after a deletion", &[], false);
    rename_in(
        dir,
        "2025/06/later.txt",
        &story("Ещё одна новость", "11:00"),
    );
    step(
        "another story: the tombstone stays as it was",
        &["2025/06/later.txt"],
        false,
    );
    fs::create_dir(articles.join("2025/07")).unwrap();
    rename_in(dir, "2025/07/july.txt", &story("Июльская новость", "12:00"));
    step("a new folder", &["2025/07", "2025/07/july.txt"], false);
    fs::rename(articles.join("2025/05"), articles.join("2025/05-old")).unwrap();
    step("a folder renamed", &["2025/05", "2025/05-old"], false);
    rename_in(dir, "top.txt", &story("Новость в корне", "13:00"));
    step("a story at the top", &["top.txt"], false);
}
