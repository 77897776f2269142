//! The shipped `articles/` and `wirefeed.toml`, end to end: the feeds a fresh clone publishes.

use crate::common::*;
use chrono::{DateTime, Utc};
use feed_rs::model::Feed;
use serde_json::Value;

const SEED_TITLE: &str =
    "В Китае состоялось министерское совещание ШОС по информационно-коммуникационным технологиям";

fn build_shipped() -> (tempfile::TempDir, Vec<u8>, Feed, Vec<u8>, Feed) {
    let dir = shipped_project();
    wirefeed(dir.path()).arg("build").assert().code(0);
    let (rss, rss_feed) = read_feed(&dir.path().join("public/rss.xml"));
    let (atom, atom_feed) = read_feed(&dir.path().join("public/atom.xml"));
    (dir, rss, rss_feed, atom, atom_feed)
}

fn inspect_all(dir: &std::path::Path) -> Vec<Value> {
    // The stories, not their metadata sidecars.
    let mut files: Vec<_> = files_under(&dir.join("articles"))
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    let out = wirefeed(dir).arg("inspect").args(&files).output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn both_feeds_match_the_parsed_model() {
    let (dir, _, rss, _, atom) = build_shipped();
    let articles = inspect_all(dir.path());
    assert_eq!(articles.len(), 15);
    // One story is withdrawn and one under embargo until 2099 (their sidecars say so).
    let published: Vec<&Value> = articles
        .iter()
        .filter(|a| a["state"] == "published")
        .collect();
    assert_eq!(published.len(), 13);
    for feed in [&rss, &atom] {
        assert_eq!(feed.entries.len(), 13);
        let mut ids = std::collections::HashSet::new();
        for entry in &feed.entries {
            assert!(ids.insert(entry.id.clone()), "duplicate id {}", entry.id);
            let title = &entry.title.as_ref().unwrap().content;
            let model = published
                .iter()
                .find(|a| a["title"].as_str() == Some(title.as_str()))
                .unwrap_or_else(|| panic!("no article titled {title}"));
            let id = model["id"].as_str().unwrap();
            assert_eq!(entry.id, format!("tag:khovar.example,2025:{id}"));
            let slug = id.rsplit('/').next().unwrap();
            let date = DateTime::parse_from_rfc3339(model["date"].as_str().unwrap()).unwrap();
            assert_eq!(entry.published.unwrap(), date.with_timezone(&Utc));
            assert_eq!(
                entry.links[0].href,
                format!(
                    "https://khovar.example/news/{}/{slug}/",
                    date.format("%Y/%m")
                )
            );
        }
        // Newest first.
        let dates: Vec<_> = feed.entries.iter().map(|e| e.published.unwrap()).collect();
        assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
    }
}

#[test]
fn seed_story_in_both_feeds() {
    let (_dir, rss_bytes, rss, atom_bytes, atom) = build_shipped();
    let rss_text = String::from_utf8(rss_bytes).unwrap();
    // The seed's sidecar gives the exact time, a correction, tags and a byline.
    assert!(rss_text.contains("<pubDate>Wed, 18 Jun 2025 14:30:00 +0500</pubDate>"));
    assert!(
        rss_text.contains("<dc:creator>Отдел международной информации НИАТ «Ховар»</dc:creator>")
    );
    assert!(rss_text.contains("<category>ШОС</category>"));
    // Its photo beside it: an enclosure, and Media RSS holding the credit and the caption.
    assert!(rss_text.contains(r#"<media:credit role="photographer" scheme="urn:ebu">Секретариат ШОС в Пекине</media:credit>"#));
    assert!(rss_text.contains(r#"<enclosure url="https://khovar.example/media/2025/06/shos-ikt.png" length="758" type="image/png"/>"#));
    assert!(rss_text.contains("Участники совещания в Карамае</media:description>"));
    let atom_text = String::from_utf8(atom_bytes).unwrap();
    assert!(atom_text.contains("<published>2025-06-18T14:30:00+05:00</published>"));
    assert!(atom_text.contains("<updated>2025-06-19T09:00:00+05:00</updated>"));

    for feed in [&rss, &atom] {
        let seed = feed
            .entries
            .iter()
            .find(|e| e.title.as_ref().unwrap().content == SEED_TITLE)
            .expect("seed story in feed");
        assert_eq!(
            seed.authors[0].name,
            "Отдел международной информации НИАТ «Ховар»"
        );
        let html = seed.content.as_ref().and_then(|c| c.body.clone()).unwrap();
        assert!(html.contains("Фото: Секретариат ШОС в Пекине"), "{html}");
        // Related entries are working links to entries of the feed.
        let links: Vec<&str> = feed
            .entries
            .iter()
            .map(|e| e.links[0].href.as_str())
            .collect();
        let linked = html.matches("<li><a href=\"").count();
        // Two of the twelve are withdrawn or under embargo: text, not links.
        assert_eq!(linked, 10, "related links in {html}");
        assert!(
            html.contains("<li>Таджикистан представил туристические"),
            "{html}"
        );
        for part in html.split("<li><a href=\"").skip(1) {
            let href = part.split('"').next().unwrap();
            assert!(links.contains(&href), "related link {href} is not an entry");
        }
    }
    let seed = atom
        .entries
        .iter()
        .find(|e| e.title.as_ref().unwrap().content == SEED_TITLE)
        .unwrap();
    let related = seed
        .links
        .iter()
        .filter(|l| l.rel.as_deref() == Some("related"))
        .count();
    assert_eq!(related, 10, "Atom related links");
}

#[test]
fn feeds_are_byte_identical_across_runs_and_cache() {
    let (dir, rss, _, atom, _) = build_shipped();
    for extra in [&[][..], &["--no-cache"][..]] {
        let out = tempfile::tempdir().unwrap();
        wirefeed(dir.path())
            .args(["build", "--out"])
            .arg(out.path())
            .args(extra)
            .assert()
            .code(0);
        assert_eq!(std::fs::read(out.path().join("rss.xml")).unwrap(), rss);
        assert_eq!(std::fs::read(out.path().join("atom.xml")).unwrap(), atom);
    }
}

#[test]
fn snapshot_of_shipped_feeds() {
    let (_dir, rss, _, atom, _) = build_shipped();
    insta::assert_snapshot!("shipped_rss", String::from_utf8(rss).unwrap());
    insta::assert_snapshot!("shipped_atom", String::from_utf8(atom).unwrap());
}

#[test]
fn json_feed_from_shipped_articles() {
    let dir = shipped_project();
    wirefeed(dir.path())
        .args(["build", "--format", "json"])
        .assert()
        .code(0);
    let (bytes, feed) = read_feed(&dir.path().join("public/feed.json"));
    assert_eq!(feed.entries.len(), 13);
    insta::assert_snapshot!("shipped_json", String::from_utf8(bytes).unwrap());
}

#[test]
fn atom_to_stdout_for_pipes() {
    let (dir, _, _, atom, _) = build_shipped();
    let out = wirefeed(dir.path())
        .args(["build", "--format", "atom", "--output", "-", "-v"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    // The same feed, but for the browsers' stylesheet and the link to the archive documents,
    // which are served beside the folder's feeds only.
    let text = String::from_utf8(atom).unwrap();
    let pi = text.lines().nth(1).unwrap();
    assert!(pi.starts_with("<?xml-stylesheet "), "{pi}");
    let archive = text
        .lines()
        .find(|l| l.contains(r#"rel="prev-archive""#))
        .unwrap();
    let without_pi =
        text.replacen(&format!("{pi}\n"), "", 1)
            .replacen(&format!("{archive}\n"), "", 1);
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        without_pi,
        "stdout carries exactly the feed"
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.contains('<'), "no XML on stderr: {stderr}");
    assert!(
        stderr.contains("-: note: atom feed written to stdout"),
        "{stderr}"
    );
}

#[test]
fn output_needs_a_single_format() {
    let dir = shipped_project();
    let out = wirefeed(dir.path())
        .args(["build", "--format", "all", "--output", "-"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

#[test]
fn summary_counts_related_and_files() {
    let dir = shipped_project();
    let out = wirefeed(dir.path()).args(["build", "-v"]).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("15 files read: 13 published, 0 older than the feed's newest, 0 skipped, 1 withdrawn, 1 under embargo"),
        "{stderr}"
    );
    assert!(
        stderr.contains("related headlines: 40 resolved, 13 unresolved"),
        "{stderr}"
    );
    assert!(
        stderr.contains("public/rss.xml: note: rss feed written"),
        "{stderr}"
    );
}

#[test]
fn quiet_without_a_terminal() {
    let dir = shipped_project();
    let out = wirefeed(dir.path()).arg("build").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn inspect_seed() {
    let out = wirefeed(&root())
        .args(["inspect", "articles/2025/06/shos-ikt.txt"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["path"], "articles/2025/06/shos-ikt.txt");
    assert_eq!(v["id"], "2025/06/shos-ikt");
    assert_eq!(v["title"], SEED_TITLE);
    assert_eq!(v["city"], "ДУШАНБЕ");
    assert_eq!(v["date"], "2025-06-18T14:30:00+05:00");
    assert_eq!(v["updated"], "2025-06-19T09:00:00+05:00");
    assert_eq!(v["state"], "published");
    assert_eq!(
        v["meta"]["tags"],
        serde_json::json!(["ШОС", "ИКТ", "Китай"])
    );
    assert_eq!(v["agency"], "НИАТ «Ховар»");
    assert_eq!(v["lang"], "ru");
    assert_eq!(v["credit"], "Секретариат ШОС в Пекине");
    assert_eq!(v["paragraphs"].as_array().unwrap().len(), 5);
    assert!(v["paragraphs"][0]
        .as_str()
        .unwrap()
        .starts_with("ДУШАНБЕ, 18.06.2025 /НИАТ «Ховар»/."));
    let related = v["related"].as_array().unwrap();
    assert_eq!(related.len(), 12);
    assert_eq!(
        related[0],
        "Таджикские ученые планируют внедрить инновационные методы в аграрный сектор"
    );
}

#[test]
fn inspect_reports_errors_with_line() {
    let out = wirefeed(&root())
        .args([
            "inspect",
            "tests/fixtures/mixed/bad/impossible-date.txt",
            "articles/2025/06/shos-ikt.txt",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["error"]["line"], 2);
    assert!(lines[0]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("31.02.2025"));
    assert_eq!(lines[1]["city"], "ДУШАНБЕ");
}

#[test]
fn help_has_examples_and_exit_codes() {
    for sub in ["build", "inspect", "check"] {
        let out = wirefeed(&root()).args([sub, "--help"]).output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("wirefeed "), "{sub}: {text}");
    }
    let out = wirefeed(&root())
        .args(["build", "--help"])
        .output()
        .unwrap();
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains("Exit codes"));
    wirefeed(&root()).arg("--version").assert().success();
}
