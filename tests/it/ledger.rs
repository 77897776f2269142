//! The publication ledger across builds: honest times for date-only stories, corrections,
//! tombstones and their expiry, a ledger that is missing, damaged or newer, a `kill -9` in the
//! middle of its write, and `wirefeed history`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, Utc};
use filetime::FileTime;

use crate::common::{code_and_stderr, read_feed, wirefeed};

const SITE: &str = "https://example.org/";
/// 2025-06-18T14:10:00+05:00, a Wednesday afternoon in Dushanbe.
const DAY1: i64 = 1_750_237_800;
const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;
/// 2025-06-19T11:00:00+05:00.
const DAY2: i64 = DAY1 + DAY - 3 * HOUR - 10 * 60;

fn story(title: &str, date: &str, body: &str) -> String {
    format!("{title}\nДУШАНБЕ, {date} /НИАТ «Ховар»/. {body}\n\nФОТО: Ховар\n")
}

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join("articles").join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A build at the build clock `epoch`; returns the exit code and stderr.
fn build_at(dir: &Path, epoch: i64, extra: &[&str]) -> (i32, String) {
    code_and_stderr(
        wirefeed(dir)
            .args(["build", "--site-url", SITE, "--format", "all", "-v"])
            .args(extra)
            .env("SOURCE_DATE_EPOCH", epoch.to_string()),
    )
}

fn ok_at(dir: &Path, epoch: i64, extra: &[&str]) -> String {
    let (code, stderr) = build_at(dir, epoch, extra);
    assert_eq!(code, 0, "{stderr}");
    stderr
}

fn ledger(dir: &Path) -> PathBuf {
    dir.join(".wirefeed/ledger.sqlite")
}

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap()
}

fn local(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

/// (published, updated) of the entry with id `tag:…:id` in `public/<file>` (validated and
/// parsed back by feed-rs).
fn times(dir: &Path, file: &str, id: &str) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    let (_, feed) = read_feed(&dir.join("public").join(file));
    let entry = feed
        .entries
        .iter()
        .find(|e| e.id.ends_with(&format!(":{id}")))
        .unwrap_or_else(|| panic!("no entry {id} in {file}"));
    (entry.published, entry.updated)
}

fn text(dir: &Path, file: &str) -> String {
    let (bytes, _) = read_feed(&dir.join("public").join(file));
    String::from_utf8(bytes).unwrap()
}

/// `wirefeed history` as parsed JSON, or the exit code and stderr.
fn history(dir: &Path, story: &str) -> Result<serde_json::Value, (i32, String)> {
    let out = wirefeed(dir).args(["history", story]).output().unwrap();
    match out.status.code() {
        Some(0) => Ok(serde_json::from_slice(&out.stdout).unwrap()),
        code => Err((
            code.unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )),
    }
}

fn set_mtime(dir: &Path, rel: &str, secs: i64) {
    let path = dir.join("articles").join(rel);
    filetime::set_file_mtime(path, FileTime::from_unix_time(secs, 0)).unwrap();
}

#[test]
fn date_only_stories_get_the_time_they_were_first_seen_and_keep_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "a.txt", &story("Первая", "18.06.2025", "Текст."));
    write(
        d,
        "timed.txt",
        &story("Точная", "18.06.2025 09:00", "Текст."),
    );
    let stderr = ok_at(d, DAY1, &[]);
    assert!(
        stderr.contains("created the publication ledger"),
        "{stderr}"
    );
    let first = local("2025-06-18T14:10:00+05:00");
    assert_eq!(times(d, "atom.xml", "a"), (Some(first), Some(first)));
    assert!(text(d, "atom.xml").contains("<published>2025-06-18T14:10:00+05:00</published>"));
    // A dateline with a time keeps its own.
    let nine = local("2025-06-18T09:00:00+05:00");
    assert_eq!(times(d, "atom.xml", "timed").0, Some(nine));
    // Two hours later a second story of the same day: its own time; the first keeps its.
    write(d, "b.txt", &story("Вторая", "18.06.2025", "Текст."));
    ok_at(d, DAY1 + 2 * HOUR, &[]);
    assert_eq!(times(d, "atom.xml", "a").0, Some(first));
    assert_eq!(
        times(d, "atom.xml", "b").0,
        Some(local("2025-06-18T16:10:00+05:00"))
    );
    for file in ["rss.xml", "feed.json"] {
        assert_eq!(times(d, file, "b").0, Some(at(DAY1 + 2 * HOUR)), "{file}");
    }
    let (_, feed) = read_feed(&d.join("public/atom.xml"));
    let order: Vec<&str> = feed.entries.iter().map(|e| e.id.as_str()).collect();
    assert!(
        order[0].ends_with(":b") && order[1].ends_with(":a"),
        "{order:?}"
    );
    // The same files and the same ledger give the same bytes, whatever the clock, even from
    // scratch (no cache, a fresh output folder).
    ok_at(d, DAY2 + 30 * DAY, &["--no-cache", "--out", "again"]);
    for file in ["rss.xml", "atom.xml", "feed.json"] {
        assert_eq!(
            std::fs::read(d.join("public").join(file)).unwrap(),
            std::fs::read(d.join("again").join(file)).unwrap(),
            "{file}"
        );
    }
    let record = history(d, "a").unwrap();
    assert_eq!(record["time_from"], "first-seen");
    assert_eq!(record["published"], "2025-06-18T14:10:00+05:00");
    assert_eq!(record["first_seen"], "2025-06-18T09:10:00+00:00");
    assert_eq!(history(d, "timed").unwrap()["time_from"], "story");
    // Without the ledger, midnight as before.
    ok_at(d, DAY2, &["--no-ledger", "--out", "plain"]);
    let (_, feed) = read_feed(&d.join("plain/atom.xml"));
    let a = feed.entries.iter().find(|e| e.id.ends_with(":a")).unwrap();
    assert_eq!(a.published, Some(local("2025-06-18T00:00:00+05:00")));
}

#[test]
fn the_file_time_when_first_seen_on_another_day_else_midnight() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "a.txt", &story("Первая", "18.06.2025", "Текст."));
    write(d, "b.txt", &story("Вторая", "18.06.2025", "Текст."));
    set_mtime(d, "a.txt", local("2025-06-18T08:05:00+05:00").timestamp());
    // b's file was written the day after its date: nothing on the day is known.
    set_mtime(d, "b.txt", DAY2);
    ok_at(d, DAY2, &[]);
    assert_eq!(
        times(d, "atom.xml", "a").0,
        Some(local("2025-06-18T08:05:00+05:00"))
    );
    assert_eq!(
        times(d, "atom.xml", "b").0,
        Some(local("2025-06-18T00:00:00+05:00"))
    );
    assert_eq!(history(d, "a").unwrap()["time_from"], "mtime");
    assert_eq!(history(d, "b").unwrap()["time_from"], "midnight");
    // Once chosen, kept: a later touch of the file changes nothing.
    set_mtime(d, "a.txt", local("2025-06-18T20:00:00+05:00").timestamp());
    ok_at(d, DAY2 + HOUR, &[]);
    assert_eq!(
        times(d, "atom.xml", "a").0,
        Some(local("2025-06-18T08:05:00+05:00"))
    );
}

#[test]
fn a_correction_moves_updated_and_keeps_the_id_and_publication_time() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "a.txt", &story("Первая", "18.06.2025", "Текст."));
    write(d, "b.txt", &story("Вторая", "17.06.2025", "Текст."));
    ok_at(d, DAY1, &[]);
    let (_, rss_before) = read_feed(&d.join("public/rss.xml"));
    let first = local("2025-06-18T14:10:00+05:00");
    // Touched, not changed: no correction.
    set_mtime(d, "a.txt", DAY1 + HOUR);
    ok_at(d, DAY1 + HOUR, &[]);
    assert_eq!(times(d, "atom.xml", "a"), (Some(first), Some(first)));
    // The desk corrects the text the next morning.
    write(
        d,
        "a.txt",
        &story("Первая", "18.06.2025", "Текст, исправленный."),
    );
    let stderr = ok_at(d, DAY2, &[]);
    assert!(stderr.contains("ledger: 0 new, 1 corrected"), "{stderr}");
    assert_eq!(times(d, "atom.xml", "a"), (Some(first), Some(at(DAY2))));
    assert!(text(d, "atom.xml").contains("<updated>2025-06-19T11:00:00+05:00</updated>"));
    assert_eq!(times(d, "feed.json", "a"), (Some(first), Some(at(DAY2))));
    // RSS: the same guid and pubDate, so readers show no duplicate.
    let (_, rss_after) = read_feed(&d.join("public/rss.xml"));
    let find = |f: &feed_rs::model::Feed| {
        let e = f.entries.iter().find(|e| e.id.ends_with(":a")).unwrap();
        (e.id.clone(), e.published)
    };
    assert_eq!(find(&rss_before), find(&rss_after));
    assert_eq!(find(&rss_after).1, Some(first));
    let record = history(d, "a").unwrap();
    assert_eq!(record["events"][0]["kind"], "changed");
    assert_eq!(record["revised"], "2025-06-19T11:00:00+05:00");
    // The other story is untouched.
    let b_midnight = local("2025-06-17T00:00:00+05:00");
    assert_eq!(
        times(d, "atom.xml", "b"),
        (Some(b_midnight), Some(b_midnight))
    );
    // A sidecar's `updated` wins over the ledger's.
    write(d, "a.toml", "updated = 2025-06-19T09:30:00+05:00\n");
    ok_at(d, DAY2 + HOUR, &[]);
    assert_eq!(
        times(d, "atom.xml", "a").1,
        Some(local("2025-06-19T09:30:00+05:00"))
    );
}

#[test]
fn withdrawn_and_deleted_stories_leave_tombstones_until_they_expire() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (name, date) in [
        ("a", "16"),
        ("b", "17"),
        ("c", "18"),
        ("d", "15"),
        ("e", "14"),
    ] {
        write(
            d,
            &format!("{name}.txt"),
            &story(name, &format!("{date}.06.2025"), "Текст."),
        );
    }
    ok_at(d, DAY1, &[]);
    std::fs::remove_file(d.join("articles/b.txt")).unwrap();
    write(d, "c.toml", "status = \"withdrawn\"\n");
    let stderr = ok_at(d, DAY2, &[]);
    assert!(stderr.contains("2 withdrawn or deleted"), "{stderr}");
    assert!(stderr.contains("2 tombstone(s)"), "{stderr}");
    let atom = text(d, "atom.xml");
    for id in ["b", "c"] {
        let tombstone = format!(
            r#"<at:deleted-entry ref="tag:example.org,2025:{id}" when="2025-06-19T11:00:00+05:00">"#
        );
        assert!(atom.contains(&tombstone), "{atom}");
        assert!(!atom.contains(&format!("<id>tag:example.org,2025:{id}</id>")));
    }
    assert!(atom.contains(r#"xmlns:at="http://purl.org/atompub/tombstones/1.0""#));
    // The feed changed now, so its `updated` is now.
    let (_, feed) = read_feed(&d.join("public/atom.xml"));
    assert_eq!(feed.updated, Some(at(DAY2)));
    // RSS and JSON Feed have no tombstones: the entries are just gone.
    for file in ["rss.xml", "feed.json"] {
        let doc = text(d, file);
        assert!(!doc.contains("2025:b") && !doc.contains("2025:c"), "{file}");
    }
    assert_eq!(history(d, "b").unwrap()["state"], "deleted");
    assert_eq!(history(d, "c").unwrap()["state"], "withdrawn");
    assert_eq!(
        history(d, "c").unwrap()["tombstone_until"],
        "2025-06-26T06:00:00+00:00"
    );
    // Three days on, nothing changed: still there, not even rewritten.
    let modified = std::fs::metadata(d.join("public/atom.xml"))
        .unwrap()
        .modified()
        .unwrap();
    let stderr = ok_at(d, DAY2 + 3 * DAY, &[]);
    assert!(stderr.contains("feeds up to date"), "{stderr}");
    assert_eq!(
        std::fs::metadata(d.join("public/atom.xml"))
            .unwrap()
            .modified()
            .unwrap(),
        modified
    );
    // Seven days on, though no file changed, the build takes them out.
    let stderr = ok_at(d, DAY2 + 7 * DAY, &[]);
    assert!(!stderr.contains("feeds up to date"), "{stderr}");
    assert!(!text(d, "atom.xml").contains("deleted-entry"));
    assert!(!text(d, "atom.xml").contains("xmlns:at="));
    // The story comes back: an entry again, no tombstone, and its history says so.
    write(d, "c.toml", "status = \"published\"\n");
    ok_at(d, DAY2 + 8 * DAY, &[]);
    assert!(text(d, "atom.xml").contains("<id>tag:example.org,2025:c</id>"));
    let record = history(d, "c").unwrap();
    assert_eq!(record["state"], "published");
    let kinds: Vec<&str> = record["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds[..2], ["withdrawn", "restored"], "{record}");
}

#[test]
fn a_story_never_in_a_feed_leaves_no_tombstone_and_zero_days_means_none() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "new.txt", &story("Новая", "18.06.2025", "Текст."));
    write(d, "old.txt", &story("Старая", "01.06.2025", "Текст."));
    write(d, "mid.txt", &story("Средняя", "10.06.2025", "Текст."));
    ok_at(d, DAY1, &["--limit", "2"]);
    // `old` was never in the feeds (older than the newest two): nobody has a copy to drop.
    std::fs::remove_file(d.join("articles/old.txt")).unwrap();
    ok_at(d, DAY2, &["--limit", "2"]);
    assert!(!text(d, "atom.xml").contains("deleted-entry"));
    std::fs::remove_file(d.join("articles/mid.txt")).unwrap();
    ok_at(d, DAY2 + HOUR, &["--limit", "2", "--tombstone-days", "0"]);
    assert!(!text(d, "atom.xml").contains("deleted-entry"));
}

#[test]
fn a_rerun_with_nothing_changed_changes_neither_the_feeds_nor_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "a.txt", &story("Первая", "18.06.2025", "Текст."));
    ok_at(d, DAY1, &[]);
    let snapshot = |d: &Path| {
        [
            "public/atom.xml",
            "public/rss.xml",
            ".wirefeed/ledger.sqlite",
        ]
        .map(|f| {
            let path = d.join(f);
            (
                std::fs::read(&path).unwrap(),
                std::fs::metadata(&path).unwrap().modified().unwrap(),
            )
        })
    };
    let before = snapshot(d);
    ok_at(d, DAY2, &[]);
    assert!(snapshot(d) == before, "a no-change rerun");
    // Not even when everything is read and rendered again (no cache).
    ok_at(d, DAY2, &["--no-cache"]);
    assert!(snapshot(d) == before, "a rerun without the cache");
}

#[test]
fn a_missing_ledger_is_created_and_a_bad_one_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "a.txt", &story("Первая", "18.06.2025", "Текст."));
    ok_at(d, DAY1, &[]);
    let feeds = std::fs::read(d.join("public/atom.xml")).unwrap();
    let good = std::fs::read(ledger(d)).unwrap();
    write(d, "b.txt", &story("Вторая", "18.06.2025", "Текст."));
    // Damaged: exit 4, named, untouched, and no feed written.
    let garbage = vec![b'x'; 4096];
    std::fs::write(ledger(d), &garbage).unwrap();
    let (code, stderr) = build_at(d, DAY2, &[]);
    assert_eq!(code, 4, "{stderr}");
    assert!(
        stderr.contains(".wirefeed/ledger.sqlite` is damaged or not an SQLite database"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(ledger(d)).unwrap(), garbage);
    assert_eq!(std::fs::read(d.join("public/atom.xml")).unwrap(), feeds);
    // Of a newer schema: the same.
    std::fs::write(ledger(d), &good).unwrap();
    let conn = rusqlite::Connection::open(ledger(d)).unwrap();
    conn.execute_batch("PRAGMA user_version = 99").unwrap();
    drop(conn);
    let newer = std::fs::read(ledger(d)).unwrap();
    let (code, stderr) = build_at(d, DAY2, &[]);
    assert_eq!(code, 4, "{stderr}");
    assert!(stderr.contains("schema version 99, newer"), "{stderr}");
    assert_eq!(std::fs::read(ledger(d)).unwrap(), newer);
    // Some other SQLite database: the same.
    std::fs::remove_file(ledger(d)).unwrap();
    let conn = rusqlite::Connection::open(ledger(d)).unwrap();
    conn.execute_batch("CREATE TABLE notes (x TEXT)").unwrap();
    drop(conn);
    let (code, stderr) = build_at(d, DAY2, &[]);
    assert_eq!(code, 4, "{stderr}");
    assert!(stderr.contains("not a wirefeed ledger"), "{stderr}");
    // Missing: created again, and the build says so.
    std::fs::remove_file(ledger(d)).unwrap();
    let stderr = ok_at(d, DAY2, &[]);
    assert!(
        stderr.contains("created the publication ledger"),
        "{stderr}"
    );
    assert!(history(d, "b").is_ok());
    // Never inside the output folder, which is served to anyone.
    let (code, stderr) = build_at(d, DAY2, &["--ledger", "public/ledger.sqlite"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("inside the output folder"), "{stderr}");
}

/// Starts a build that stops inside the ledger's transaction, waits until it is there and
/// kills it with SIGKILL.
fn kill_during_the_ledger_write(d: &Path, epoch: i64) {
    let marker = d.join(".wirefeed/ledger.sqlite.paused");
    let _ = std::fs::remove_file(&marker);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("wirefeed"))
        .current_dir(d)
        .args(["build", "--site-url", SITE, "-q"])
        .env("SOURCE_DATE_EPOCH", epoch.to_string())
        .env("WIREFEED_TEST_LEDGER_PAUSE_MS", "60000")
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !marker.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the build never reached the ledger write"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
}

#[test]
#[cfg(unix)]
fn kill_9_during_the_ledger_write_leaves_it_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "a.txt", &story("Первая", "18.06.2025", "Текст."));
    // Killed while creating it: no ledger to speak of, and the next build creates it.
    kill_during_the_ledger_write(d, DAY1);
    let (code, _) = history(d, "a").unwrap_err();
    assert_eq!(code, 1);
    ok_at(d, DAY1, &[]);
    assert_eq!(
        history(d, "a").unwrap()["published"],
        "2025-06-18T14:10:00+05:00"
    );
    // Killed while recording a new story: the ledger is as before it.
    write(d, "b.txt", &story("Вторая", "18.06.2025", "Текст."));
    kill_during_the_ledger_write(d, DAY1 + HOUR);
    assert!(history(d, "b").is_err(), "b is not half-recorded");
    assert_eq!(
        history(d, "a").unwrap()["published"],
        "2025-06-18T14:10:00+05:00"
    );
    // …and the next build records it, as after.
    ok_at(d, DAY1 + 2 * HOUR, &[]);
    assert_eq!(
        history(d, "b").unwrap()["published"],
        "2025-06-18T16:10:00+05:00"
    );
    let offset: FixedOffset = "+05:00".parse().unwrap();
    assert_eq!(
        times(d, "atom.xml", "b")
            .0
            .map(|t| t.with_timezone(&offset).to_rfc3339()),
        Some("2025-06-18T16:10:00+05:00".into())
    );
}

#[test]
fn history_by_id_or_file_and_its_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (code, stderr) = history(d, "a").unwrap_err();
    assert_eq!(code, 1);
    assert!(stderr.contains("no publication ledger"), "{stderr}");
    write(d, "2025/06/a.txt", &story("Первая", "18.06.2025", "Текст."));
    ok_at(d, DAY1, &[]);
    let by_id = history(d, "2025/06/a").unwrap();
    let by_file = history(d, "articles/2025/06/a.txt").unwrap();
    assert_eq!(by_id, by_file);
    assert_eq!(by_id["id"], "2025/06/a");
    assert_eq!(by_id["path"], "2025/06/a.txt");
    assert_eq!(by_id["state"], "published");
    assert_eq!(by_id["feed_sets"][0]["set"], "");
    assert_eq!(by_id["content_hash"].as_str().unwrap().len(), 16);
    let (code, stderr) = history(d, "2025/06/nope").unwrap_err();
    assert_eq!(code, 1);
    assert!(stderr.contains("no story `2025/06/nope`"), "{stderr}");
    std::fs::write(ledger(d), b"garbage").unwrap();
    let (code, _) = history(d, "2025/06/a").unwrap_err();
    assert_eq!(code, 4);
}
