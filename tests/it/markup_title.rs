//! Issue 13: a headline that looks like markup (`Обновление <script> и A&B`) is published so
//! that readers show it as that text and the W3C validator has nothing to say: RSS titles are
//! HTML-escaped with the RSS Best Practices Profile's hexadecimal references before the XML
//! escaping, Atom titles holding `<` or `&` go out as `type="html"`, and the related link's
//! `title` attribute (plain text in RFC 4287) carries the headline as it is.
//! Fixture: `tests/fixtures/markup-title`, the story and one that cites it as related.

use std::path::Path;

use crate::common::{code_and_stderr, copy_dir, fixture, read_feed, wirefeed};

const HEADLINE: &str = "Обновление <script> и A&B";

/// Builds the fixture archive into `dir/public` in every format.
fn build(dir: &Path) {
    copy_dir(&fixture("markup-title"), &dir.join("articles"));
    let (code, stderr) = code_and_stderr(wirefeed(dir).args([
        "build",
        "--site-url",
        "https://news.example.com/",
        "--format",
        "all",
        "--no-stylesheet",
    ]));
    assert_eq!(code, 0, "{stderr}");
}

/// A title as a reader shows it: RSS titles, and Atom ones of type html, are HTML.
fn shown(feed: &feed_rs::model::Feed, title: &feed_rs::model::Text) -> String {
    let html = feed.feed_type == feed_rs::model::FeedType::RSS2
        || title.content_type.essence().to_string() == "text/html";
    if html {
        decode_html(&title.content)
    } else {
        title.content.clone()
    }
}

/// Decodes HTML character references, as a browser would in text (named: the five XML ones).
fn decode_html(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let end = tail.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &tail[1..e];
            let c = match name {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            }?;
            Some((c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &tail[len..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn the_decoder_of_this_test_decodes() {
    assert_eq!(
        decode_html("a&#x3C;b &#x26;#x3C; &lt;&amp;&#60; &x"),
        "a<b &#x3C; <&< &x"
    );
}

#[test]
fn a_markup_like_headline_reads_as_its_text_in_rss_atom_and_json() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path());
    let public = dir.path().join("public");
    for name in ["rss.xml", "atom.xml"] {
        // `read_feed` runs the project's validator (no finding at all, not even a warning) and
        // feed-rs over the file.
        let (bytes, feed) = read_feed(&public.join(name));
        let xml = String::from_utf8(bytes).unwrap();
        let entry = feed
            .entries
            .iter()
            .find(|e| e.id.ends_with("2025/06/obnovlenie"))
            .unwrap_or_else(|| panic!("{name}: the story is in the feed: {xml}"));
        let title = entry.title.as_ref().unwrap();
        assert_eq!(shown(&feed, title), HEADLINE, "{name}: {xml}");
        // Never live markup, in any reader.
        assert!(!xml.contains("<script"), "{name}: {xml}");
        if name == "rss.xml" {
            // HTML-escaped, then XML-escaped with `&#x26;`, the form the W3C validator takes.
            assert!(
                xml.contains("<title>Обновление &#x26;#x3C;script&gt; и A&#x26;#x26;B</title>"),
                "{xml}"
            );
        } else {
            assert_eq!(title.content_type.essence().to_string(), "text/html");
            assert!(
                xml.contains(r#"<title xml:lang="ru" type="html">"#),
                "{xml}"
            );
            // The citing story's related link names the headline as plain text.
            let citing = feed
                .entries
                .iter()
                .find(|e| e.id.ends_with("2025/06/otvety"))
                .unwrap();
            let related = citing
                .links
                .iter()
                .find(|l| l.rel.as_deref() == Some("related"))
                .expect("a related link");
            assert_eq!(related.title.as_deref(), Some(HEADLINE), "{xml}");
        }
    }
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(public.join("feed.json")).unwrap()).unwrap();
    let titles: Vec<&str> = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["title"].as_str())
        .collect();
    assert!(titles.contains(&HEADLINE), "{json}");
}

#[test]
fn wirefeed_check_finds_nothing_in_them() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path());
    let out = wirefeed(dir.path())
        .args([
            "check",
            "public/rss.xml",
            "public/atom.xml",
            "public/feed.json",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        stderr.contains("3 files checked: 0 errors, 0 warnings"),
        "{stderr}"
    );
}

#[test]
fn a_title_escaped_only_for_xml_draws_the_warning() {
    // What the renderer wrote before issue 13: the headline XML-escaped only, so readers that
    // render the title as HTML would take `<script>` as a tag. The check must catch that.
    let dir = tempfile::tempdir().unwrap();
    build(dir.path());
    let rss = std::fs::read_to_string(dir.path().join("public/rss.xml")).unwrap();
    let regressed = rss.replace(
        "Обновление &#x26;#x3C;script&gt; и A&#x26;#x26;B",
        "Обновление &lt;script&gt; и A&amp;B",
    );
    assert_ne!(regressed, rss, "the escaped title was in the feed");
    let path = dir.path().join("regressed.xml");
    std::fs::write(&path, regressed).unwrap();
    let out = wirefeed(dir.path())
        .args(["check", "regressed.xml"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(": warning: rss.title.html: "), "{stdout}");
}
