//! Story metadata sidecars (`<stem>.toml`): what each key does in every format, embargoes
//! lifting across builds at the build clock, withdrawals, bad sidecars failing closed, and the
//! cache noticing sidecars come, change and go.

use std::path::Path;

use crate::common::*;

const SITE: &str = "https://example.org/";

/// 2025-06-18T10:00:00Z, between the shipped-like stories' dates and the embargo below.
const BEFORE_LIFT: &str = "1750240800";
/// 2025-06-18T12:00:00Z: the embargo of 14:00+02:00 has lifted.
const AFTER_LIFT: &str = "1750248000";

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A story citing `cites` as related headlines.
fn story(headline: &str, day: &str, cites: &[&str]) -> String {
    let mut s = format!(
        "{headline}\nДУШАНБЕ, {day}.06.2025 /НИАТ «Ховар»/. Лид истории «{headline}».\nВторой абзац.\n"
    );
    if !cites.is_empty() {
        s.push_str("\n\n");
        for c in cites {
            s.push_str(c);
            s.push('\n');
        }
    }
    s
}

/// Runs a build at `epoch` (the build clock); returns (code, stderr).
fn build_at(dir: &Path, epoch: &str, extra: &[&str]) -> (i32, String) {
    code_and_stderr(
        wirefeed(dir)
            .args(["build", "--site-url", SITE, "--format", "all", "-v"])
            .args(extra)
            .env("SOURCE_DATE_EPOCH", epoch),
    )
}

/// An archive: `a` (with every metadata key), `b` under embargo until 14:00+02:00 on the 18th,
/// `c` withdrawn, and `d` citing all three.
fn archive() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let arts = dir.path().join("articles");
    write(&arts.join("a.txt"), &story("Первая", "10", &[]));
    write(
        &arts.join("a.toml"),
        "tags = [\"ШОС\", \"ИКТ & связь\"]\n\
         published = 2025-06-10T14:30:00+05:00\n\
         updated = \"2025-06-11T09:00:00+05:00\"\n\
         status = \"published\"\n\
         summary = \"Краткое <изложение> от редакции.\"\n\
         author = \"Иван Петров\"\n\
         caption = \"Подпись\"\n\
         lang = \"tg\"\n",
    );
    write(&arts.join("b.txt"), &story("Вторая", "12", &[]));
    write(
        &arts.join("b.toml"),
        "embargo = 2025-06-18T14:00:00+02:00\n",
    );
    write(&arts.join("c.txt"), &story("Третья", "13", &[]));
    write(&arts.join("c.toml"), "status = \"withdrawn\"\n");
    write(
        &arts.join("d.txt"),
        &story("Четвёртая", "14", &["Первая", "Вторая", "Третья"]),
    );
    dir
}

#[test]
fn every_key_reaches_every_format() {
    let dir = archive();
    let (code, stderr) = build_at(dir.path(), AFTER_LIFT, &[]);
    assert_eq!(code, 0, "{stderr}");
    let rss = public_feed(dir.path(), "rss.xml");
    let atom = public_feed(dir.path(), "atom.xml");
    let json: serde_json::Value =
        serde_json::from_str(&public_feed(dir.path(), "feed.json")).unwrap();

    // Tags.
    assert!(
        rss.contains("<category>ИКТ &amp; связь</category>"),
        "{rss}"
    );
    assert!(
        atom.contains(r#"<category term="ШОС" label="ШОС"/>"#),
        "{atom}"
    );
    let a = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "tag:example.org,2025:a")
        .unwrap();
    assert_eq!(a["tags"], serde_json::json!(["ШОС", "ИКТ & связь"]));
    // The exact publication time and the correction.
    assert!(
        rss.contains("<pubDate>Tue, 10 Jun 2025 14:30:00 +0500</pubDate>"),
        "{rss}"
    );
    assert!(
        atom.contains("<published>2025-06-10T14:30:00+05:00</published>"),
        "{atom}"
    );
    assert!(
        atom.contains("<updated>2025-06-11T09:00:00+05:00</updated>"),
        "{atom}"
    );
    assert_eq!(a["date_modified"], "2025-06-11T09:00:00+05:00");
    // The byline takes the agency's place as author.
    assert!(
        rss.contains("<dc:creator>Иван Петров</dc:creator>"),
        "{rss}"
    );
    assert!(atom.contains("<name>Иван Петров</name>"), "{atom}");
    assert_eq!(a["authors"][0]["name"], "Иван Петров");
    // The summary replaces the lead, escaped as every story text is.
    assert!(
        rss.contains("Краткое &lt;изложение&gt; от редакции."),
        "{rss}"
    );
    assert_eq!(a["summary"], "Краткое <изложение> от редакции.");
    // The language replaces the detected one.
    assert_eq!(a["language"], "tg");
    assert!(
        atom.contains(r#"<title xml:lang="tg">Первая</title>"#),
        "{atom}"
    );
}

#[test]
fn an_embargo_holds_the_story_until_the_build_clock_passes_it() {
    let dir = archive();
    let (code, stderr) = build_at(dir.path(), BEFORE_LIFT, &[]);
    assert_eq!(code, 0, "embargoes are not errors: {stderr}");
    assert!(stderr.contains("1 withdrawn, 1 under embargo"), "{stderr}");
    assert!(
        stderr.contains("note: the next embargo lifts at 2025-06-18T12:00:00+00:00"),
        "{stderr}"
    );
    for name in ["rss.xml", "atom.xml", "feed.json"] {
        let doc = public_feed(dir.path(), name);
        assert!(!doc.contains("tag:example.org,2025:b"), "{name}: no entry");
        assert!(
            !doc.contains("example.org/news/2025/06/b/"),
            "{name}: no link to it"
        );
    }
    // Nothing changed on disk, but the clock passed the embargo: the next build publishes it,
    // and the citing story now links to it.
    let (code, stderr) = build_at(dir.path(), AFTER_LIFT, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("under embargo"), "{stderr}");
    let atom = public_feed(dir.path(), "atom.xml");
    assert!(atom.contains("tag:example.org,2025:b"), "{atom}");
    assert!(atom.contains(r#"<link href="https://example.org/news/2025/06/b/" rel="related""#));
    // Before the embargo again (a replayed build): held back again.
    let (_, stderr) = build_at(dir.path(), BEFORE_LIFT, &[]);
    assert!(stderr.contains("1 under embargo"), "{stderr}");
    assert!(!public_feed(dir.path(), "atom.xml").contains("tag:example.org,2025:b"));
}

#[test]
fn a_withdrawn_story_leaves_every_feed_and_is_cited_as_text() {
    let dir = archive();
    std::fs::remove_file(dir.path().join("articles/c.toml")).unwrap();
    let (code, stderr) = build_at(dir.path(), AFTER_LIFT, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(public_feed(dir.path(), "atom.xml").contains("tag:example.org,2025:c"));
    // The desk withdraws it: the next build (cache on) takes it out everywhere.
    write(
        &dir.path().join("articles/c.toml"),
        "status = \"withdrawn\"\n",
    );
    let (code, stderr) = build_at(dir.path(), AFTER_LIFT, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("1 withdrawn"), "{stderr}");
    for name in ["rss.xml", "feed.json"] {
        let doc = public_feed(dir.path(), name);
        assert!(!doc.contains("tag:example.org,2025:c"), "{name}");
        assert!(!doc.contains("news/2025/06/c/"), "{name}: no link to it");
    }
    // Atom says so, for readers to drop their copy (RFC 6721), at the build clock.
    let atom = public_feed(dir.path(), "atom.xml");
    assert!(!atom.contains("<id>tag:example.org,2025:c</id>"), "{atom}");
    assert!(!atom.contains("news/2025/06/c/"), "no link to it");
    assert!(
        atom.contains(r#"<at:deleted-entry ref="tag:example.org,2025:c" when=""#),
        "{atom}"
    );
    assert!(public_feed(dir.path(), "atom.xml").contains("&lt;li&gt;Третья&lt;/li&gt;"));
}

#[test]
fn a_bad_sidecar_keeps_its_story_out_and_says_where() {
    let dir = archive();
    // A typo in `embargo` must not publish an embargoed story.
    write(
        &dir.path().join("articles/b.toml"),
        "tags = [\"x\"]\nembrago = 2030-01-01T00:00:00Z\n",
    );
    let (code, stderr) = build_at(dir.path(), AFTER_LIFT, &[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("articles/b.toml:2:1: error: unknown field `embrago`"),
        "{stderr}"
    );
    assert!(!public_feed(dir.path(), "atom.xml").contains("tag:example.org,2025:b"));
    // Other bad values, each named with its key; the rest of the archive is published.
    for (text, key) in [
        ("embargo = \"next week\"", "embargo"),
        ("status = \"killed\"", "killed"),
        (
            "published = 2025-06-18T10:00:00+05:00\nupdated = 2025-06-17T10:00:00+05:00",
            "earlier",
        ),
        ("photo = \"javascript:alert(1)\"", "photo"),
        ("\u{0}", "b.toml"),
    ] {
        write(&dir.path().join("articles/b.toml"), text);
        let (code, stderr) = build_at(dir.path(), AFTER_LIFT, &[]);
        assert_eq!(code, 1, "{text}: {stderr}");
        assert!(stderr.contains("articles/b.toml"), "{text}: {stderr}");
        assert!(stderr.contains(key), "{text}: {stderr}");
        let atom = public_feed(dir.path(), "atom.xml");
        assert!(!atom.contains("tag:example.org,2025:b"), "{text}");
        assert!(atom.contains("tag:example.org,2025:a"), "{text}");
    }
    // `updated` before the dateline's date, with no `published`: also refused.
    write(
        &dir.path().join("articles/b.toml"),
        "updated = 2025-01-01T00:00:00Z",
    );
    let (code, stderr) = build_at(dir.path(), AFTER_LIFT, &[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("earlier than the story's publication"),
        "{stderr}"
    );
}

#[test]
fn the_cache_notices_sidecars_added_edited_and_removed() {
    let dir = archive();
    let fresh = |dir: &Path| {
        let out = tempfile::tempdir().unwrap();
        let o = out.path().to_str().unwrap().to_string();
        let (code, stderr) = build_at(dir, AFTER_LIFT, &["--no-cache", "--out", &o]);
        assert!(code == 0 || code == 1, "{stderr}");
        std::fs::read(out.path().join("atom.xml")).unwrap()
    };
    let cached = |dir: &Path| {
        let (code, stderr) = build_at(dir, AFTER_LIFT, &[]);
        assert!(code == 0 || code == 1, "{stderr}");
        std::fs::read(dir.join("public/atom.xml")).unwrap()
    };
    let arts = dir.path().join("articles");
    assert_eq!(cached(dir.path()), fresh(dir.path()));
    // Added: a new sidecar withdraws d.
    write(&arts.join("d.toml"), "status = \"withdrawn\"\n");
    let after = cached(dir.path());
    assert!(!String::from_utf8_lossy(&after).contains("<id>tag:example.org,2025:d</id>"));
    assert_eq!(after, fresh(dir.path()));
    // Edited: d is published again, with tags.
    write(&arts.join("d.toml"), "tags = [\"новое\"]\n");
    let after = cached(dir.path());
    assert!(String::from_utf8_lossy(&after).contains("term=\"новое\""));
    assert_eq!(after, fresh(dir.path()));
    // Removed: back to no metadata.
    std::fs::remove_file(arts.join("d.toml")).unwrap();
    let after = cached(dir.path());
    assert!(!String::from_utf8_lossy(&after).contains("новое"));
    assert_eq!(after, fresh(dir.path()));
    // Unchanged input: the same bytes, file untouched.
    let mtime = std::fs::metadata(dir.path().join("public/atom.xml"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(cached(dir.path()), after);
    assert_eq!(
        std::fs::metadata(dir.path().join("public/atom.xml"))
            .unwrap()
            .modified()
            .unwrap(),
        mtime
    );
}

#[test]
fn photos_and_lone_sidecars_are_never_stories() {
    let dir = archive();
    let arts = dir.path().join("articles");
    std::fs::write(arts.join("a.jpg"), b"\xFF\xD8\xFF\xE0not really").unwrap();
    std::fs::write(arts.join("lonely.png"), b"\x89PNG").unwrap();
    write(&arts.join("orphan.toml"), "tags = [\"x\"]\n");
    let (code, stderr) = build_at(dir.path(), AFTER_LIFT, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("2 photo file(s)"), "{stderr}");
    assert!(
        stderr.contains("articles/orphan.toml: warning: skipped: metadata with no story"),
        "{stderr}"
    );
    assert!(!stderr.contains("error"), "{stderr}");
}

#[test]
fn inspect_shows_the_metadata_and_the_embargo_state() {
    let dir = archive();
    let inspect = |file: &str, epoch: &str| {
        let out = wirefeed(dir.path())
            .args(["inspect", file])
            .env("SOURCE_DATE_EPOCH", epoch)
            .output()
            .unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (out.status.code(), value)
    };
    let (code, a) = inspect("articles/a.txt", AFTER_LIFT);
    assert_eq!(code, Some(0));
    assert_eq!(a["meta"]["tags"], serde_json::json!(["ШОС", "ИКТ & связь"]));
    assert_eq!(a["date"], "2025-06-10T14:30:00+05:00");
    assert_eq!(a["updated"], "2025-06-11T09:00:00+05:00");
    assert_eq!(a["state"], "published");
    assert_eq!(
        inspect("articles/b.txt", BEFORE_LIFT).1["state"],
        "under embargo until 2025-06-18T14:00:00+02:00"
    );
    assert_eq!(
        inspect("articles/b.txt", AFTER_LIFT).1["state"],
        "published"
    );
    assert_eq!(
        inspect("articles/c.txt", AFTER_LIFT).1["state"],
        "withdrawn"
    );
    write(
        &dir.path().join("articles/c.toml"),
        "\nstatus = \"killed\"\n",
    );
    let (code, c) = inspect("articles/c.txt", AFTER_LIFT);
    assert_eq!(code, Some(1));
    assert_eq!(c["error"]["file"], "articles/c.toml");
    assert_eq!(c["error"]["line"], 2);
}
