//! The per-file cache never changes the output: after every kind of change to the archive, a
//! build that uses the cache writes the same bytes as a build from scratch.

use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::common::*;
use filetime::FileTime;

const SITE: &str = "https://example.org/";

fn build(dir: &Path, out: &str, extra: &[&str]) -> String {
    let output = wirefeed(dir)
        // The shipped articles name a photo on khovar.example: allowed, so no warning stops
        // the no-change rerun from being skipped.
        .args(["build", "--site-url", SITE, "--link-host", "khovar.example"])
        .args(["--out", out, "-v"])
        .args(extra)
        .output()
        .unwrap();
    assert!(output.status.code() == Some(0) || output.status.code() == Some(1));
    String::from_utf8(output.stderr).unwrap()
}

/// Builds with the cache (into `cached`, which keeps its cache between calls) and without it
/// (into a fresh folder), and asserts identical feeds. Returns the cached build's summary.
fn assert_same_as_fresh(dir: &Path) -> String {
    let summary = build(dir, "cached", &[]);
    let _ = std::fs::remove_dir_all(dir.join("fresh"));
    build(dir, "fresh", &["--no-cache"]);
    for file in ["rss.xml", "atom.xml"] {
        let cached = std::fs::read(dir.join("cached").join(file)).unwrap();
        let fresh = std::fs::read(dir.join("fresh").join(file)).unwrap();
        assert!(
            cached == fresh,
            "{file} differs between cached and fresh builds\n{summary}"
        );
        read_feed(&dir.join("cached").join(file));
    }
    summary
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("articles"), &dir.path().join("articles"));
    copy_dir(&fixture("mixed"), &dir.path().join("articles/mixed"));
    dir
}

#[test]
fn rerun_uses_the_cache_for_every_file() {
    let dir = project();
    let first = assert_same_as_fresh(dir.path());
    assert!(
        first.contains(".wirefeed-cache: note: 0 of 38 files unchanged (no cache yet)"),
        "{first}"
    );
    let second = assert_same_as_fresh(dir.path());
    assert!(
        second.contains(".wirefeed-cache: note: 38 of 38 files unchanged"),
        "{second}"
    );
    // Problems found in earlier runs are still reported from the cache.
    assert!(
        second.contains("impossible-date.txt:2:10: error: the date `31.02.2025` does not exist"),
        "{second}"
    );
    assert!(second.contains("control-chars.txt:2: warning"), "{second}");
}

#[test]
fn edit_with_same_size_is_seen() {
    let dir = project();
    // The shipped story is under embargo until 2099: lift it, the edit must show.
    std::fs::remove_file(dir.path().join("articles/2025/06/den-energetika.toml")).unwrap();
    assert_same_as_fresh(dir.path());
    let path = dir.path().join("articles/2025/06/den-energetika.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    // Same byte length, new date: the story must move in the feed.
    let edited = text.replacen("12.06.2025", "29.06.2025", 1);
    assert_eq!(edited.len(), text.len());
    std::fs::write(&path, edited).unwrap();
    let summary = assert_same_as_fresh(dir.path());
    assert!(
        summary.contains(".wirefeed-cache: note: 37 of 38"),
        "{summary}"
    );
    let (_, feed) = read_feed(&dir.path().join("cached/atom.xml"));
    assert!(feed.entries[0]
        .title
        .as_ref()
        .unwrap()
        .content
        .starts_with("День энергетика"));
}

#[test]
fn headline_edit_relinks_related_entries() {
    let dir = project();
    assert_same_as_fresh(dir.path());
    let path = dir.path().join("articles/2025/06/cikorii.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("цикория", "топинамбура", 1)).unwrap();
    assert_same_as_fresh(dir.path());
    let rss = std::fs::read_to_string(dir.path().join("cached/rss.xml")).unwrap();
    assert!(
        rss.contains("<li>Таджикские ученые освоили новые технологии выращивания цикория"),
        "the seed cites it as text now"
    );
}

#[test]
fn deleted_added_and_renamed_files() {
    let dir = project();
    assert_same_as_fresh(dir.path());
    let a = dir.path().join("articles");
    std::fs::remove_file(a.join("2025/06/agro-innovacii.txt")).unwrap();
    assert_same_as_fresh(dir.path());
    std::fs::rename(
        a.join("2025/05/tajiktelecom-internet.txt"),
        a.join("2025/05/telecom.txt"),
    )
    .unwrap();
    let summary = assert_same_as_fresh(dir.path());
    assert!(summary.contains("36 of 37"), "{summary}");
    std::fs::copy(fixture("mixed/good-russian.txt"), a.join("2025/06/new.txt")).unwrap();
    assert_same_as_fresh(dir.path());
    // A bad file that is fixed is published on the next run.
    std::fs::write(
        a.join("mixed/bad/headline-only.txt"),
        "Только заголовок\nДУШАНБЕ, 20.06.2025 /НИАТ «Ховар»/. Теперь с текстом.\n",
    )
    .unwrap();
    let summary = assert_same_as_fresh(dir.path());
    assert!(!summary.contains("headline-only.txt:1"), "{summary}");
}

#[test]
fn mtime_going_backwards_is_still_a_change() {
    let dir = project();
    assert_same_as_fresh(dir.path());
    let path = dir.path().join("articles/2025/06/cikorii.txt");
    let old = std::fs::metadata(&path).unwrap().modified().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replacen("9 июня 2025 года", "1 июня 2025 года", 1),
    )
    .unwrap();
    let past = old - Duration::from_secs(86_400 * 365);
    filetime::set_file_mtime(&path, FileTime::from_system_time(past)).unwrap();
    assert!(std::fs::metadata(&path).unwrap().modified().unwrap() < SystemTime::now());
    let summary = assert_same_as_fresh(dir.path());
    assert!(summary.contains("37 of 38"), "{summary}");
}

#[test]
fn corrupt_or_foreign_cache_is_rebuilt_silently() {
    let dir = project();
    assert_same_as_fresh(dir.path());
    let cache = dir.path().join("cached").join(wirefeed::CACHE_FILE);
    let mut bytes = std::fs::read(&cache).unwrap();
    let mid = bytes.len() / 2;
    bytes.truncate(mid);
    std::fs::write(&cache, &bytes).unwrap();
    let summary = assert_same_as_fresh(dir.path());
    assert!(summary.contains("corrupt cache"), "{summary}");
    std::fs::write(&cache, b"not a cache").unwrap();
    let summary = assert_same_as_fresh(dir.path());
    assert!(summary.contains("not a wirefeed cache"), "{summary}");
    let summary = assert_same_as_fresh(dir.path());
    assert!(
        summary.contains("38 of 38"),
        "rebuilt cache is used again: {summary}"
    );
}

#[test]
fn changed_settings_invalidate_the_cache() {
    let dir = project();
    assert_same_as_fresh(dir.path());
    let summary = build(dir.path(), "cached", &["--time-zone", "Europe/Moscow"]);
    assert!(summary.contains("settings changed"), "{summary}");
}

#[test]
fn nothing_changed_skips_rendering_but_never_trusts_a_tampered_feed() {
    let dir = project();
    build(dir.path(), "cached", &[]);
    let summary = build(dir.path(), "cached", &[]);
    assert!(
        summary.contains("feeds up to date, not rendered"),
        "{summary}"
    );
    assert!(
        summary.contains("cached/rss.xml: note: rss feed unchanged"),
        "{summary}"
    );
    // Problems are still reported when nothing is rendered.
    assert!(summary.contains("impossible-date.txt:2"), "{summary}");
    assert!(summary.contains("related headlines: "), "{summary}");

    // A feed changed behind wirefeed's back is rebuilt.
    let rss = dir.path().join("cached/rss.xml");
    let good = std::fs::read(&rss).unwrap();
    std::fs::write(&rss, b"<rss>broken").unwrap();
    let summary = build(dir.path(), "cached", &[]);
    assert!(
        summary.contains("cached/rss.xml: note: rss feed written"),
        "{summary}"
    );
    assert_eq!(std::fs::read(&rss).unwrap(), good);

    // Other settings render again.
    let summary = build(dir.path(), "cached", &["--limit", "3"]);
    assert!(!summary.contains("not rendered"), "{summary}");
    let (_, feed) = read_feed(&rss);
    assert_eq!(feed.entries.len(), 3);

    // A deleted feed file is written again.
    build(dir.path(), "cached", &[]);
    std::fs::remove_file(dir.path().join("cached/atom.xml")).unwrap();
    let summary = build(dir.path(), "cached", &[]);
    assert!(
        summary.contains("cached/atom.xml: note: atom feed written"),
        "{summary}"
    );
}
