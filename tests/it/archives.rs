//! RFC 5005 archived feeds (`--archives`): the chain from the subscription feed through every
//! month's archive document, their validity, and that a rerun rewrites only what changed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::common::{self, code_and_stderr, wirefeed};

const SITE: &str = "https://e.org/";

/// Writes a story: `headline`, dated `date` (dd.mm.yyyy), citing `related` headlines.
fn story(dir: &Path, rel: &str, headline: &str, date: &str, related: &[&str]) {
    let path = dir.join("articles").join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut text = format!(
        "{headline}\nДУШАНБЕ, {date} /НИАТ «Ховар»/. Первый абзац новости «{headline}».\nВторой абзац.\n"
    );
    if !related.is_empty() {
        text.push_str("\n\n\n");
        for r in related {
            text.push_str(r);
            text.push('\n');
        }
    }
    std::fs::write(path, text).unwrap();
}

/// A project of seven stories over four months (April to July 2025), with related headlines
/// across months, and a subscription feed of two entries: most stories are in archives only.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("wirefeed.toml"),
        format!("[feed]\nsite_url = \"{SITE}\"\nlimit = 2\n[build]\narchives = true\n"),
    )
    .unwrap();
    let d = dir.path();
    story(
        d,
        "2025/04/a.txt",
        "Апрельская новость о дорогах",
        "10.04.2025",
        &[],
    );
    story(
        d,
        "2025/05/b.txt",
        "Майская новость о хлопке",
        "02.05.2025",
        &["Апрельская новость о дорогах"],
    );
    story(
        d,
        "2025/05/c.txt",
        "Майская новость о воде",
        "28.05.2025",
        &[],
    );
    story(
        d,
        "2025/06/d.txt",
        "Июньская новость о школах",
        "18.06.2025 14:30",
        &["Майская новость о хлопке"],
    );
    story(
        d,
        "2025/06/e.txt",
        "Июньская новость о мостах",
        "01.06.2025",
        &[],
    );
    story(
        d,
        "2025/07/f.txt",
        "Июльская новость о садах",
        "03.07.2025",
        &["Июньская новость о школах"],
    );
    story(
        d,
        "2025/07/g.txt",
        "Июльская новость о горах",
        "20.07.2025",
        &[],
    );
    dir
}

fn build(dir: &Path, extra: &[&str]) -> String {
    let (code, stderr) = code_and_stderr(wirefeed(dir).arg("build").arg("-v").args(extra));
    assert_eq!(code, 0, "{stderr}");
    stderr
}

/// The file a URL of the site names, in `public/`.
fn file_of(dir: &Path, url: &str) -> PathBuf {
    let rel = url
        .strip_prefix(SITE)
        .unwrap_or_else(|| panic!("{url} is not on the site"));
    dir.join("public").join(rel)
}

/// The href of the first link with `rel` in a parsed feed.
fn link(feed: &feed_rs::model::Feed, rel: &str) -> Option<String> {
    feed.links
        .iter()
        .find(|l| l.rel.as_deref() == Some(rel))
        .map(|l| l.href.clone())
}

/// Follows `prev-archive` from the subscription feed `name`: each archive document visited
/// (newest first) with the ids of its entries; every document is checked by the validator and
/// parsed back by feed-rs on the way.
fn chain(dir: &Path, name: &str) -> Vec<(PathBuf, Vec<String>, feed_rs::model::Feed)> {
    let (_, subscription) = common::read_feed(&dir.join("public").join(name));
    let mut next = link(&subscription, "prev-archive");
    let mut out = Vec::new();
    while let Some(url) = next {
        let path = file_of(dir, &url);
        let (bytes, feed) = common::read_feed(&path);
        let text = String::from_utf8(bytes).unwrap();
        assert!(
            text.contains("<fh:archive></fh:archive>"),
            "{}",
            path.display()
        );
        assert!(
            text.contains(r#"xmlns:fh="http://purl.org/syndication/history/1.0""#),
            "{text}"
        );
        assert!(out.len() < 100, "the chain loops");
        next = link(&feed, "prev-archive");
        let ids = feed.entries.iter().map(|e| e.id.clone()).collect();
        out.push((path, ids, feed));
    }
    out
}

fn all_ids() -> Vec<String> {
    let mut ids: Vec<String> = ["04/a", "05/b", "05/c", "06/d", "06/e", "07/f", "07/g"]
        .iter()
        .map(|s| format!("tag:e.org,2025:2025/{s}"))
        .collect();
    ids.sort();
    ids
}

/// Modification time and bytes of every archive document.
fn archive_files(dir: &Path) -> BTreeMap<String, (SystemTime, Vec<u8>)> {
    let folder = dir.join("public/archive");
    std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
            (name, (mtime, std::fs::read(&path).unwrap()))
        })
        .collect()
}

#[test]
fn following_prev_archive_reaches_every_story_exactly_once() {
    let dir = project();
    let stderr = build(dir.path(), &[]);
    assert!(stderr.contains("archives: 4 months, 8 written"), "{stderr}");
    for (name, ext) in [("atom.xml", ".xml"), ("rss.xml", ".rss.xml")] {
        let chain = chain(dir.path(), name);
        let months: Vec<String> = chain
            .iter()
            .map(|(p, _, _)| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        let want: Vec<String> = ["2025-07", "2025-06", "2025-05", "2025-04"]
            .iter()
            .map(|m| format!("{m}{ext}"))
            .collect();
        assert_eq!(months, want, "{name}");
        let mut ids: Vec<String> = chain.iter().flat_map(|(_, ids, _)| ids.clone()).collect();
        ids.sort();
        assert_eq!(ids, all_ids(), "{name}: every story once, and no other");
        for (i, (path, _, feed)) in chain.iter().enumerate() {
            // `current` is the subscription feed of the same format; `next-archive` is the
            // document the chain came from, and the newest has none.
            assert_eq!(link(feed, "current").unwrap(), format!("{SITE}{name}"));
            let next = i.checked_sub(1).map(|j| {
                let file = chain[j]
                    .0
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                format!("{SITE}archive/{file}")
            });
            assert_eq!(link(feed, "next-archive"), next, "{}", path.display());
            let me = path.file_name().unwrap().to_string_lossy().into_owned();
            assert_eq!(link(feed, "self").unwrap(), format!("{SITE}archive/{me}"));
        }
    }
    // Only the Atom and RSS documents, and `wirefeed check` finds nothing in them.
    let files: Vec<PathBuf> = common::files_under(&dir.path().join("public/archive"));
    assert_eq!(files.len(), 8);
    let (code, stderr) = code_and_stderr(wirefeed(dir.path()).arg("check").args(&files));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("0 errors, 0 warnings"), "{stderr}");
}

#[test]
fn a_story_edit_rewrites_its_month_only_and_a_rerun_writes_nothing() {
    let dir = project();
    build(dir.path(), &[]);
    let before = archive_files(dir.path());
    // Nothing changed: nothing is written, not even the cache.
    let stderr = build(dir.path(), &[]);
    assert!(stderr.contains("archives: 4 months, 0 written"), "{stderr}");
    assert!(stderr.contains("feeds up to date"), "{stderr}");
    assert_eq!(archive_files(dir.path()), before);
    // May's story `c` corrected: May's documents change, no other month's.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let c = dir.path().join("articles/2025/05/c.txt");
    let text = std::fs::read_to_string(&c).unwrap();
    std::fs::write(
        &c,
        text.replace("Второй абзац.", "Второй абзац, исправленный."),
    )
    .unwrap();
    let stderr = build(dir.path(), &[]);
    assert!(stderr.contains("archives: 4 months, 2 written"), "{stderr}");
    let after = archive_files(dir.path());
    for (name, (mtime, bytes)) in &after {
        let changed = name.starts_with("2025-05");
        assert_eq!(before[name].1 != *bytes, changed, "{name} bytes");
        assert_eq!(before[name].0 != *mtime, changed, "{name} mtime");
    }
    // The same again: nothing more is written.
    let stderr = build(dir.path(), &[]);
    assert!(stderr.contains("archives: 4 months, 0 written"), "{stderr}");
    assert_eq!(archive_files(dir.path()), after);
}

#[test]
fn entries_list_the_stories_without_their_text_and_a_new_headline_rewrites_its_month_only() {
    let dir = project();
    build(dir.path(), &[]);
    let before = archive_files(dir.path());
    let (_, june) = common::read_feed(&dir.path().join("public/archive/2025-06.xml"));
    for e in &june.entries {
        assert!(e.title.is_some() && !e.links.is_empty(), "{e:?}");
        assert!(e.published.is_some() && !e.authors.is_empty(), "{e:?}");
        assert!(e.content.is_none() && e.summary.is_none(), "no text: {e:?}");
    }
    // June's `d` gets a new headline: June's documents change, and only they.
    let d = dir.path().join("articles/2025/06/d.txt");
    let text = std::fs::read_to_string(&d).unwrap();
    std::fs::write(
        &d,
        text.replacen("Июньская новость о школах", "ИЮНЬСКАЯ новость о школах", 1),
    )
    .unwrap();
    build(dir.path(), &[]);
    let after = archive_files(dir.path());
    let june = String::from_utf8(after["2025-06.xml"].1.clone()).unwrap();
    assert!(june.contains("ИЮНЬСКАЯ новость о школах"), "{june}");
    for (name, file) in &before {
        if name.starts_with("2025-06.") {
            assert_ne!(file.1, after[name].1, "{name}");
        } else {
            assert_eq!(*file, after[name], "{name}");
        }
    }
}

#[test]
fn the_same_input_gives_byte_identical_archives() {
    let dir = project();
    build(dir.path(), &[]);
    build(dir.path(), &["--out", "fresh", "--no-cache"]);
    let ours = archive_files(dir.path());
    assert_eq!(ours.len(), 8);
    for (name, (_, bytes)) in &ours {
        let fresh = std::fs::read(dir.path().join("fresh/archive").join(name)).unwrap();
        // The self and other links are the configured site's in both.
        assert!(fresh == *bytes, "{name} differs");
    }
}

#[test]
fn a_month_left_without_stories_loses_its_documents_and_its_neighbours_relink() {
    let dir = project();
    build(dir.path(), &[]);
    for rel in ["2025/05/b.txt", "2025/05/c.txt"] {
        std::fs::remove_file(dir.path().join("articles").join(rel)).unwrap();
    }
    let stderr = build(dir.path(), &[]);
    assert!(stderr.contains("archives: 3 months"), "{stderr}");
    assert!(stderr.contains("2 removed"), "{stderr}");
    let files = archive_files(dir.path());
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "2025-04.rss.xml",
            "2025-04.xml",
            "2025-06.rss.xml",
            "2025-06.xml",
            "2025-07.rss.xml",
            "2025-07.xml"
        ]
    );
    let (_, april) = common::read_feed(&dir.path().join("public/archive/2025-04.xml"));
    let (_, june) = common::read_feed(&dir.path().join("public/archive/2025-06.xml"));
    assert_eq!(
        link(&april, "next-archive").unwrap(),
        format!("{SITE}archive/2025-06.xml")
    );
    assert_eq!(
        link(&june, "prev-archive").unwrap(),
        format!("{SITE}archive/2025-04.xml")
    );
    let chain = chain(dir.path(), "atom.xml");
    assert_eq!(chain.len(), 3);
}

#[test]
fn turning_archives_on_is_not_up_to_date_and_off_writes_none() {
    let dir = project();
    let stderr = build(
        dir.path(),
        &["--config", "/dev/null", "--site-url", SITE, "--limit", "2"],
    );
    assert!(!stderr.contains("archives:"), "{stderr}");
    assert!(!dir.path().join("public/archive").exists());
    // Same stories, archives now on: the build goes on and writes them, and the subscription
    // feed gains its prev-archive link.
    let stderr = build(dir.path(), &[]);
    assert!(stderr.contains("archives: 4 months, 8 written"), "{stderr}");
    let (_, atom) = common::read_feed(&dir.path().join("public/atom.xml"));
    assert_eq!(
        link(&atom, "prev-archive").unwrap(),
        format!("{SITE}archive/2025-07.xml")
    );
    // An archive document deleted behind the build's back is made again.
    std::fs::remove_file(dir.path().join("public/archive/2025-05.xml")).unwrap();
    let stderr = build(dir.path(), &[]);
    assert!(stderr.contains("archives: 4 months, 1 written"), "{stderr}");
}

/// A small archive document in each format, reviewed.
#[test]
fn snapshot_of_a_small_archive_document() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("wirefeed.toml"),
        format!("[feed]\nsite_url = \"{SITE}\"\ntitle = \"Лента\"\nlimit = 1\n[build]\narchives = true\nstylesheet = false\n"),
    )
    .unwrap();
    let d = dir.path();
    story(d, "2025/05/a.txt", "Майская новость", "02.05.2025", &[]);
    story(
        d,
        "2025/06/b.txt",
        "Июньская новость",
        "18.06.2025 14:30",
        &["Майская новость", "Нет такой"],
    );
    story(d, "2025/07/c.txt", "Июльская новость", "03.07.2025", &[]);
    build(d, &[]);
    let read = |name: &str| {
        let (bytes, _) = common::read_feed(&d.join("public/archive").join(name));
        String::from_utf8(bytes).unwrap()
    };
    insta::assert_snapshot!("archive_atom", read("2025-06.xml"));
    insta::assert_snapshot!("archive_rss", read("2025-06.rss.xml"));
}

#[test]
fn months_made_from_the_cache_are_the_bytes_of_a_full_scan() {
    let dir = project();
    build(dir.path(), &[]);
    let full = archive_files(dir.path());
    // The archive documents are gone, the cache is not: each month is made again from the
    // cached facts, reading each story's headline and dateline from its file.
    std::fs::remove_dir_all(dir.path().join("public/archive")).unwrap();
    let stderr = build(dir.path(), &[]);
    assert!(stderr.contains("files unchanged"), "{stderr}");
    let again = archive_files(dir.path());
    assert_eq!(full.len(), again.len());
    for (name, (_, bytes)) in &full {
        assert!(again[name].1 == *bytes, "{name} differs");
    }
}

#[test]
fn archive_entries_carry_the_ledgers_times() {
    let dir = project();
    // A date-only story first seen at 15:00 in Dushanbe on its own date.
    story(
        dir.path(),
        "2025/08/e.txt",
        "Августовская новость",
        "05.08.2025",
        &[],
    );
    let at = "1754388000"; // 2025-08-05T10:00:00Z
    let (code, stderr) = code_and_stderr(
        wirefeed(dir.path())
            .args(["build", "-v"])
            .env("SOURCE_DATE_EPOCH", at),
    );
    assert_eq!(code, 0, "{stderr}");
    let august = std::fs::read_to_string(dir.path().join("public/archive/2025-08.xml")).unwrap();
    assert!(
        august.contains("<published>2025-08-05T15:00:00+05:00</published>"),
        "{august}"
    );
    common::read_feed(&dir.path().join("public/archive/2025-08.xml"));
}
