//! End-to-end tests of `wirefeed check` over the fixtures in
//! tests/fixtures/check: every rule code has a fixture named after it that
//! must trigger that code at a known position.

use assert_cmd::Command;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use wirefeed::validate::{check, rules, CheckOptions, Finding, Severity};

const DIR: &str = "tests/fixtures/check";

/// Fixture file → (expected code, line, column). The fixture name is the code.
const EXPECTED: &[(&str, &str, usize, usize)] = &[
    ("xml.wellformed.xml", "xml.wellformed", 13, 5),
    ("xml.encoding.mismatch.xml", "xml.encoding.mismatch", 10, 17),
    ("xml.char.invalid.xml", "xml.char.invalid", 10, 19),
    (
        "xml.namespace.undeclared.xml",
        "xml.namespace.undeclared",
        11,
        7,
    ),
    ("xml.stylesheet.xml", "xml.stylesheet", 2, 1),
    ("xml.stylesheet.href.xml", "xml.stylesheet.href", 2, 1),
    ("websub.hub.relative.xml", "websub.hub.relative", 10, 16),
    ("feed.kind.unknown.xml", "feed.kind.unknown", 2, 1),
    ("rss.version.xml", "rss.version", 2, 6),
    ("rss.channel.required.xml", "rss.channel.required", 3, 3),
    (
        "rss.item.title-or-description.xml",
        "rss.item.title-or-description",
        9,
        5,
    ),
    ("rss.date.format.xml", "rss.date.format", 12, 7),
    ("rss.date.dayname.xml", "rss.date.dayname", 12, 7),
    ("rss.guid.permalink.xml", "rss.guid.permalink", 11, 7),
    ("rss.guid.duplicate.xml", "rss.guid.duplicate", 16, 7),
    ("rss.url.relative.xml", "rss.url.relative", 11, 7),
    ("rss.source.url.xml", "rss.source.url", 11, 7),
    ("rss.author.email.xml", "rss.author.email", 11, 7),
    ("rss.self.missing.xml", "rss.self.missing", 3, 3),
    ("rss.self.type.xml", "rss.self.type", 8, 62),
    ("rss.language.xml", "rss.language", 7, 5),
    ("rss.ttl.xml", "rss.ttl", 8, 5),
    ("rss.skiphours.xml", "rss.skiphours", 8, 16),
    ("rss.skipdays.xml", "rss.skipdays", 8, 15),
    ("rss.content.empty.xml", "rss.content.empty", 11, 7),
    ("rss.namespace.unknown.xml", "rss.namespace.unknown", 11, 7),
    (
        "rss.enclosure.required.xml",
        "rss.enclosure.required",
        11,
        7,
    ),
    ("mime.type.xml", "mime.type", 11, 65),
    ("media.content.xml", "media.content", 11, 7),
    ("atom.id.missing.xml", "atom.id.missing", 8, 3),
    ("atom.id.relative.xml", "atom.id.relative", 10, 5),
    ("atom.id.syntax.xml", "atom.id.syntax", 10, 5),
    ("atom.id.duplicate.xml", "atom.id.duplicate", 16, 5),
    ("atom.updated.missing.xml", "atom.updated.missing", 8, 3),
    ("atom.date.format.xml", "atom.date.format", 11, 5),
    ("atom.author.missing.xml", "atom.author.missing", 7, 3),
    ("atom.author.name.xml", "atom.author.name", 7, 3),
    ("atom.title.missing.xml", "atom.title.missing", 8, 3),
    (
        "atom.entry.link-or-content.xml",
        "atom.entry.link-or-content",
        8,
        3,
    ),
    (
        "atom.link.alternate-duplicate.xml",
        "atom.link.alternate-duplicate",
        13,
        5,
    ),
    ("atom.link.href.xml", "atom.link.href", 13, 5),
    ("atom.link.length.xml", "atom.link.length", 13, 78),
    (
        "atom.link.enclosure-length.xml",
        "atom.link.enclosure-length",
        13,
        5,
    ),
    ("atom.self.missing.xml", "atom.self.missing", 2, 1),
    (
        "atom.content.src-not-empty.xml",
        "atom.content.src-not-empty",
        13,
        5,
    ),
    ("atom.type.invalid.xml", "atom.type.invalid", 9, 12),
    ("atom.lang.invalid.xml", "atom.lang.invalid", 8, 10),
    ("atom.tombstone.ref.xml", "atom.tombstone.ref", 14, 3),
    ("atom.tombstone.when.xml", "atom.tombstone.when", 14, 3),
    ("atom.tombstone.live.xml", "atom.tombstone.live", 14, 3),
    ("html.url.relative.xml", "html.url.relative", 13, 5),
    ("html.script.xml", "html.script", 11, 7),
    ("url.scheme.xml", "url.scheme", 11, 7),
    ("html.url.scheme.xml", "html.url.scheme", 11, 7),
    ("date.future.xml", "date.future", 12, 7),
    ("feed.updated.stale.xml", "feed.updated.stale", 5, 3),
    ("feed.lang.missing.xml", "feed.lang.missing", 2, 1),
    // W3C Feed Validation Service parity (issue 13).
    ("rss.element.undefined.xml", "rss.element.undefined", 12, 7),
    ("rss.image.required.xml", "rss.image.required", 9, 5),
    ("rss.textinput.required.xml", "rss.textinput.required", 9, 5),
    ("rss.cloud.required.xml", "rss.cloud.required", 9, 5),
    ("rss.title.html.xml", "rss.title.html", 10, 7),
    ("url.chars.xml", "url.chars", 11, 7),
    (
        "atom.element.undefined.xml",
        "atom.element.undefined",
        14,
        5,
    ),
    (
        "atom.content.xhtml-div.xml",
        "atom.content.xhtml-div",
        13,
        5,
    ),
    ("atom.summary.required.xml", "atom.summary.required", 8, 3),
    (
        "atom.metadata.misplaced.xml",
        "atom.metadata.misplaced",
        15,
        3,
    ),
    ("atom.link.hreflang.xml", "atom.link.hreflang", 14, 25),
    ("rss.element.duplicate.xml", "rss.element.duplicate", 12, 7),
    (
        "rss.attribute.unexpected.xml",
        "rss.attribute.unexpected",
        11,
        13,
    ),
    ("rss.text.unexpected.xml", "rss.text.unexpected", 9, 5),
    (
        "atom.element.duplicate.xml",
        "atom.element.duplicate",
        14,
        5,
    ),
    (
        "atom.attribute.unexpected.xml",
        "atom.attribute.unexpected",
        14,
        24,
    ),
    ("atom.text.unexpected.xml", "atom.text.unexpected", 8, 3),
    ("atom.category.term.xml", "atom.category.term", 14, 5),
    ("atom.person.email.xml", "atom.person.email", 7, 28),
    ("xml.version.xml", "xml.version", 1, 1),
    ("dc.date.xml", "dc.date", 12, 7),
    ("atom.content.base64.xml", "atom.content.base64", 14, 5),
    ("atom.link.thr-when.xml", "atom.link.thr-when", 15, 77),
    ("feed.history.xml", "feed.history", 8, 3),
    ("atom.whitespace.xml", "atom.whitespace", 12, 5),
    ("media.value.xml", "media.value", 13, 23),
    ("media.group.xml", "media.group", 12, 7),
    ("json.syntax.json", "json.syntax", 4, 3),
    ("json.version.json", "json.version", 2, 3),
    ("json.required.json", "json.required", 1, 1),
    ("json.item.id.json", "json.item.id", 7, 5),
    ("json.item.content.json", "json.item.content", 7, 5),
    ("json.attachment.json", "json.attachment", 7, 5),
    // ninjs findings are at the line of the object (JSON Lines), column 1.
    ("ninjs.json.jsonl", "ninjs.json", 2, 1),
    ("ninjs.uri.jsonl", "ninjs.uri", 2, 1),
    ("ninjs.uri.duplicate.jsonl", "ninjs.uri.duplicate", 2, 1),
    ("ninjs.property.jsonl", "ninjs.property", 2, 1),
    ("ninjs.type.jsonl", "ninjs.type", 2, 1),
    ("ninjs.pubstatus.jsonl", "ninjs.pubstatus", 2, 1),
    ("ninjs.date.jsonl", "ninjs.date", 2, 1),
    ("ninjs.language.jsonl", "ninjs.language", 2, 1),
    ("ninjs.headline.jsonl", "ninjs.headline", 2, 1),
    ("ninjs.description.jsonl", "ninjs.description", 2, 1),
    ("ninjs.body.jsonl", "ninjs.body", 2, 1),
    ("ninjs.rendition.jsonl", "ninjs.rendition", 2, 1),
    ("ninjs.association.jsonl", "ninjs.association", 2, 1),
    (
        "yandex.full-text.missing.xml",
        "yandex.full-text.missing",
        9,
        5,
    ),
    (
        "yandex.full-text.boilerplate.xml",
        "yandex.full-text.boilerplate",
        16,
        7,
    ),
    ("yandex.genre.xml", "yandex.genre", 15, 7),
    ("yandex.enclosure.xml", "yandex.enclosure", 15, 7),
    ("sitemap.shape.xml", "sitemap.shape", 6, 3),
    ("sitemap.loc.xml", "sitemap.loc", 4, 5),
    ("sitemap.date.xml", "sitemap.date", 10, 7),
    ("sitemap.news.count.xml", "sitemap.news.count", 13, 5),
    ("sitemap.news.required.xml", "sitemap.news.required", 5, 5),
    ("sitemap.news.language.xml", "sitemap.news.language", 8, 9),
];

/// Real-world-shaped feeds and the findings deliberately planted in them.
const REALWORLD: &[(&str, &[(&str, usize)])] = &[
    // WordPress emits upload paths relative when a site URL is misconfigured.
    ("wordpress.rss.xml", &[("html.url.relative", 42)]),
    ("hugo.rss.xml", &[]),
    ("podcast.rss.xml", &[]),
];

/// Rules whose fixture is too large to keep in the repository (a 10 MB feed, a sitemap of
/// 1,001 stories): the test writes it, then checks it like the others. Code → (file, line,
/// column, the document).
fn generated() -> Vec<(&'static str, &'static str, usize, usize, String)> {
    let url = |i: usize| {
        format!(
            "  <url>\n    <loc>https://example.com/news/{i}/</loc>\n    <news:news>\n      <news:publication>\n        <news:name>N</news:name>\n        <news:language>ru</news:language>\n      </news:publication>\n      <news:publication_date>2025-06-18</news:publication_date>\n      <news:title>T</news:title>\n    </news:news>\n  </url>\n"
        )
    };
    let sitemap = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\n{}</urlset>\n",
        (0..1001).map(url).collect::<String>()
    );
    let valid = std::fs::read_to_string(fixture("valid.yandex.xml")).expect("fixture");
    let (head, tail) = valid.split_at(valid.find("    <item>").expect("an item"));
    let (item, tail) = tail.split_at(tail.find("  </channel>").expect("the end"));
    let items: String = (0..30_000)
        .map(|i| item.replace("urn:x:1", &format!("urn:x:{i}")))
        .collect();
    let yandex = format!("{head}{items}{tail}");
    vec![
        ("sitemap.limit.xml", "sitemap.limit", 2, 1, sitemap),
        ("yandex.size.xml", "yandex.size", 2, 1, yandex),
    ]
}

#[test]
fn generated_fixtures_report_their_code() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (file, code, line, column, text) in generated() {
        let path = dir.path().join(file);
        std::fs::write(&path, text).expect("written");
        let out = wirefeed().arg("check").arg(&path).output().expect("runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let needle = format!("{}:{line}:{column}: ", path.display());
        let hits: Vec<&str> = stdout.lines().filter(|l| l.starts_with(&needle)).collect();
        assert!(
            hits.len() == 1 && hits[0].contains(&format!(": {code}: ")),
            "{file}: expected {code} at {line}:{column} only, got:\n{stdout}"
        );
        let expected_exit = match severity_of(code) {
            Severity::Error => 1,
            Severity::Warning => 0,
        };
        assert_eq!(out.status.code(), Some(expected_exit), "{file}: {stdout}");
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(DIR).join(name)
}

fn wirefeed() -> Command {
    Command::cargo_bin("wirefeed").expect("binary is built")
}

fn severity_of(code: &str) -> Severity {
    rules()
        .iter()
        .find(|r| r.code == code)
        .map(|r| r.severity)
        .unwrap_or_else(|| panic!("{code} is not in rules()"))
}

#[test]
fn every_fixture_reports_its_code_at_the_expected_position() {
    for &(file, code, line, column) in EXPECTED {
        let out = wirefeed()
            .arg("check")
            .arg(fixture(file))
            .output()
            .expect("runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let needle = format!("{}:{line}:{column}: ", fixture(file).display());
        let hit = stdout
            .lines()
            .any(|l| l.starts_with(&needle) && l.contains(&format!(": {code}: ")));
        assert!(
            hit,
            "{file}: expected {code} at {line}:{column}, got:\n{stdout}"
        );
        let expected_exit = match severity_of(code) {
            Severity::Error => 1,
            Severity::Warning => 0,
        };
        assert_eq!(
            out.status.code(),
            Some(expected_exit),
            "{file} exit status; output:\n{stdout}"
        );
    }
}

#[test]
fn valid_feeds_have_no_findings_at_all() {
    for file in [
        "valid.rss.xml",
        "valid.atom.xml",
        "valid.feed.json",
        "valid.ninjs.jsonl",
        "valid.yandex.xml",
        "valid.sitemap.xml",
        "valid.sitemapindex.xml",
    ] {
        let out = wirefeed()
            .arg("check")
            .arg(fixture(file))
            .output()
            .expect("runs");
        assert!(
            out.stdout.is_empty(),
            "{file}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert_eq!(out.status.code(), Some(0), "{file}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("1 file checked: 0 errors, 0 warnings"),
            "{stderr}"
        );
    }
}

#[test]
fn valid_and_realworld_feeds_parse_with_an_independent_parser() {
    let mut files = vec![
        fixture("valid.rss.xml"),
        fixture("valid.atom.xml"),
        fixture("valid.yandex.xml"),
    ];
    files.extend(REALWORLD.iter().map(|(f, _)| fixture("realworld").join(f)));
    for f in files {
        let bytes = std::fs::read(&f).expect("fixture readable");
        assert!(
            feed_rs::parser::parse(bytes.as_slice()).is_ok(),
            "feed-rs rejects {}",
            f.display()
        );
    }
}

#[test]
fn realworld_feeds_have_only_planted_findings() {
    for &(file, planted) in REALWORLD {
        let bytes = std::fs::read(fixture("realworld").join(file)).expect("readable");
        let report = check(&bytes, &CheckOptions::default()).expect("is a feed");
        let got: Vec<(&str, usize)> = report.findings.iter().map(|f| (f.code, f.line)).collect();
        assert_eq!(got, planted, "{file}: {:#?}", report.findings);
        assert_eq!(report.errors(), 0, "{file}");
    }
}

#[test]
fn rules_catalogue_matches_fixtures_exactly() {
    let documented: BTreeSet<&str> = rules().iter().map(|r| r.code).collect();
    assert_eq!(documented.len(), rules().len(), "duplicate code in rules()");
    let mut with_fixture = BTreeSet::new();
    for entry in std::fs::read_dir(DIR).expect("fixture dir") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        let Some(stem) = name
            .strip_suffix(".xml")
            .or_else(|| name.strip_suffix(".json"))
            .or_else(|| name.strip_suffix(".jsonl"))
        else {
            continue;
        };
        if !stem.starts_with("valid.") {
            with_fixture.insert(stem.to_string());
        }
    }
    let made = generated();
    with_fixture.extend(made.iter().map(|g| g.1.to_string()));
    let documented: BTreeSet<String> = documented.into_iter().map(String::from).collect();
    assert_eq!(documented, with_fixture, "rules() and fixtures disagree");
    let tabled: BTreeSet<String> = EXPECTED
        .iter()
        .map(|e| e.1)
        .chain(made.iter().map(|g| g.1))
        .map(String::from)
        .collect();
    assert_eq!(documented, tabled, "every code needs a row in EXPECTED");
    for &(file, code, ..) in EXPECTED {
        assert!(
            file.starts_with(code),
            "{file} should be named after {code}"
        );
    }
}

#[test]
fn rules_are_documented_in_check_rules_md() {
    let doc = std::fs::read_to_string("docs/CHECK_RULES.md").expect("docs/CHECK_RULES.md");
    for r in rules() {
        assert!(
            doc.contains(&format!("`{}`", r.code)),
            "{} missing from docs",
            r.code
        );
    }
}

#[test]
fn not_xml_and_missing_files_exit_2() {
    let out = wirefeed()
        .arg("check")
        .arg(fixture("not-xml.txt"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an XML or JSON document"));
    let out = wirefeed()
        .arg("check")
        .arg(fixture("does-not-exist.xml"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
    // A fatal file wins over findings in the other files.
    let out = wirefeed()
        .arg("check")
        .arg(fixture("rss.version.xml"))
        .arg(fixture("not-xml.txt"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn json_output_has_the_documented_fields() {
    let out = wirefeed()
        .args(["check", "--format", "json"])
        .arg(fixture("rss.date.dayname.xml"))
        .arg(fixture("not-xml.txt"))
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let arr = v.as_array().expect("array");
    let f = arr
        .iter()
        .find(|f| f["code"] == "rss.date.dayname")
        .expect("dayname finding");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["line"], 12);
    assert_eq!(f["column"], 7);
    assert!(f["path"]
        .as_str()
        .is_some_and(|p| p.ends_with("rss.date.dayname.xml")));
    assert!(f["message"].as_str().is_some_and(|m| m.contains("Wed")));
    let fatal = arr
        .iter()
        .find(|f| f["severity"] == "fatal")
        .expect("fatal record");
    assert_eq!(fatal["code"], "input.not-feed");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn stdin_is_read_for_dash() {
    let bytes = std::fs::read(fixture("rss.guid.permalink.xml")).expect("readable");
    let out = wirefeed()
        .args(["check", "-"])
        .write_stdin(bytes)
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("<stdin>:11:7: error: rss.guid.permalink: "),
        "{stdout}"
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn summary_goes_to_stderr() {
    let out = wirefeed()
        .arg("check")
        .arg(fixture("rss.version.xml"))
        .arg(fixture("rss.self.missing.xml"))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("2 files checked: 1 error, 1 warning"),
        "{stderr}"
    );
}

#[test]
fn help_shows_an_example() {
    let out = wirefeed().args(["check", "--help"]).output().expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("wirefeed check public/rss.xml public/atom.xml"),
        "{stdout}"
    );
}

#[test]
fn findings_are_sorted_and_library_never_fails_on_fixtures() {
    for &(file, ..) in EXPECTED {
        let bytes = std::fs::read(fixture(file)).expect("readable");
        let r = check(&bytes, &CheckOptions::default()).expect("fixtures are documents");
        let keys: Vec<_> = r
            .findings
            .iter()
            .map(|f| (f.line, f.column, f.code))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "{file}");
    }
}

#[cfg(unix)]
#[test]
fn max_size_stops_an_endless_device() {
    let out = wirefeed()
        .args(["check", "--max-size", "1000", "/dev/zero"])
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("/dev/zero: fatal: ")
            && stderr.contains("1000 bytes")
            && stderr.contains("--max-size BYTES"),
        "{stderr}"
    );
}

#[test]
fn stdin_over_max_size_is_fatal() {
    let bytes = std::fs::read(fixture("valid.rss.xml")).expect("readable");
    let cap = bytes.len() - 1;
    let out = wirefeed()
        .args([
            "check",
            "--format",
            "json",
            "--max-size",
            &cap.to_string(),
            "-",
        ])
        .write_stdin(bytes.clone())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let fatal = &v.as_array().expect("array")[0];
    assert_eq!(fatal["severity"], "fatal");
    assert_eq!(fatal["code"], "input.too-large");
    assert_eq!(fatal["path"], "<stdin>");
    // Exactly at the cap is still accepted.
    let out = wirefeed()
        .args(["check", "--max-size", &bytes.len().to_string(), "-"])
        .write_stdin(bytes)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_file_over_max_size_is_refused_by_its_size() {
    let file = fixture("valid.atom.xml");
    let len = std::fs::metadata(&file).expect("fixture").len();
    let out = wirefeed()
        .args(["check", "--max-size", "100"])
        .arg(&file)
        .arg(fixture("rss.version.xml"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "({len} bytes) is larger than the --max-size limit of 100 bytes"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("2 files could not be checked"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn an_explicit_fifo_is_read_up_to_max_size() {
    use std::io::Write;
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("feed.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let writer_path = fifo.clone();
    // An endless writer: it stops when wirefeed closes the reading end.
    let writer = std::thread::spawn(move || {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(writer_path)
            .expect("open fifo for writing");
        let chunk = [b' '; 4096];
        while f.write_all(&chunk).is_ok() {}
    });
    let out = wirefeed()
        .args(["check", "--max-size", "100000"])
        .arg(&fifo)
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--max-size limit of 100000 bytes"));
    // Not joined: had wirefeed never opened the FIFO, the writer would wait
    // in open() forever; the test process ending takes it along.
    drop(writer);
}

/// Findings of one code in a document checked in memory.
fn findings_of(doc: &str, code: &str) -> Vec<Finding> {
    check(doc.as_bytes(), &CheckOptions::default())
        .expect("a document")
        .findings
        .into_iter()
        .filter(|f| f.code == code)
        .collect()
}

const RSS_HEAD: &str = r#"<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>T</title><link>https://e.com/</link><description>D</description>"#;

#[test]
fn url_scheme_covers_every_rss_link() {
    let doc = format!(
        r#"{RSS_HEAD}
<atom:link href="javascript:a" rel="self" type="application/rss+xml"/>
<image><url>data:image/png,x</url><title>T</title><link>vbscript:x</link></image>
<item><title>I</title><link>ftp://e.com/x</link><comments>mailto:desk@e.com</comments>
<guid>JAVASCRIPT:x</guid><enclosure url="file:///etc/passwd" length="1" type="audio/mpeg"/>
<source url="javascript:s">S</source><atom:link href="data:x" rel="related"/></item>
<item><title>J</title><guid isPermaLink="false">urn:uuid:1</guid></item>
<item><title>K</title><guid isPermaLink="false">data:x</guid></item>
</channel></rss>"#
    );
    let lines: Vec<usize> = findings_of(&doc, "url.scheme")
        .iter()
        .map(|f| f.line)
        .collect();
    assert_eq!(lines, [2, 3, 3, 4, 4, 5, 5, 6, 6, 8], "{doc}");
    // None of them is also called relative.
    assert!(findings_of(&doc, "rss.url.relative").is_empty());
    assert!(findings_of(&doc, "rss.guid.permalink").is_empty());
}

#[test]
fn url_scheme_covers_every_atom_link_and_id() {
    let doc = r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
<title>T</title><id>tag:e.com,2025:feed</id><updated>2025-01-01T00:00:00Z</updated>
<link rel="self" href="https://e.com/atom.xml"/><icon>javascript:i</icon><logo>data:image/png,x</logo>
<author><name>A</name><uri> java	script:u</uri></author>
<entry><title>E</title><id>javascript:alert(1)</id><updated>2025-01-01T00:00:00Z</updated>
<link rel="enclosure" href="file:///x"/><content src="vbscript:c" type="text/html"/></entry>
<entry><title>F</title><id>urn:uuid:2</id><updated>2025-01-01T00:00:00Z</updated>
<link href="https://e.com/f"/></entry>
</feed>"#;
    let lines: Vec<usize> = findings_of(doc, "url.scheme")
        .iter()
        .map(|f| f.line)
        .collect();
    assert_eq!(lines, [3, 3, 4, 5, 6, 6], "{doc}");
    assert!(findings_of(doc, "atom.id.relative").is_empty());
}

#[test]
fn url_scheme_covers_json_feed_urls() {
    let doc = r#"{
  "version": "https://jsonfeed.org/version/1.1",
  "title": "T",
  "home_page_url": "javascript:h",
  "feed_url": "https://e.com/feed.json",
  "authors": [{"name": "A", "avatar": "data:image/png,x"}],
  "items": [
    {"id": "1", "content_text": "x", "url": "JavaScript:u", "image": "file:///i",
     "attachments": [{"url": "vbscript:a", "mime_type": "audio/mpeg"}]},
    {"id": "data:x", "content_text": "y", "external_url": "https://e.com/y"},
    {"id": "tag:e.com,2025:3", "content_text": "z", "url": "https://e.com/z"}
  ]
}"#;
    let got: Vec<(usize, usize)> = findings_of(doc, "url.scheme")
        .iter()
        .map(|f| (f.line, f.column))
        .collect();
    assert_eq!(
        got,
        [(4, 3), (6, 3), (8, 5), (8, 5), (8, 5), (10, 5)],
        "{doc}"
    );
}

/// A fixture that is one warning as advice and one error, of `code`, when publishing.
fn an_error_when_publishing(fixture_name: &str, code: &str) {
    let bytes = std::fs::read(fixture(fixture_name)).expect("readable");
    let advice = check(&bytes, &CheckOptions::default()).expect("a feed");
    assert_eq!((advice.errors(), advice.warnings()), (0, 1));
    let gate = check(
        &bytes,
        &CheckOptions {
            publishing: true,
            ..CheckOptions::default()
        },
    )
    .expect("a feed");
    assert_eq!((gate.errors(), gate.warnings()), (1, 0));
    assert_eq!(gate.findings[0].code, code);
}

#[test]
fn publishing_makes_active_content_an_error() {
    an_error_when_publishing("html.script.xml", "html.script");
}

#[test]
fn publishing_makes_a_relative_stylesheet_an_error() {
    an_error_when_publishing("xml.stylesheet.href.xml", "xml.stylesheet.href");
}

#[test]
fn publishing_makes_a_relative_hub_an_error() {
    an_error_when_publishing("websub.hub.relative.xml", "websub.hub.relative");
}

#[test]
fn a_relative_hub_is_found_in_atom_and_json_feed_too() {
    let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
<title>T</title><id>tag:e.com,2025:feed</id><updated>2025-01-01T00:00:00Z</updated>
<link rel="self" href="https://e.com/atom.xml"/><link rel="hub" href="https://hub.e.net/"/>
<link rel="hub" href="hub"/><link rel="related" href="rel"/><link rel="hub" href="ftp://h/"/>
</feed>"#;
    let lines: Vec<usize> = findings_of(atom, "websub.hub.relative")
        .iter()
        .map(|f| f.line)
        .collect();
    assert_eq!(lines, [4], "only the relative hub link: {atom}");
    let json = r#"{
  "version": "https://jsonfeed.org/version/1.1",
  "title": "T",
  "hubs": [{"type": "WebSub", "url": "https://hub.e.net/"}, {"type": "WebSub", "url": "//hub"}],
  "items": []
}"#;
    let got: Vec<(usize, usize)> = findings_of(json, "websub.hub.relative")
        .iter()
        .map(|f| (f.line, f.column))
        .collect();
    assert_eq!(got, [(4, 3)], "{json}");
}

#[test]
fn script_urls_in_xhtml_content_are_found_under_any_base() {
    let doc = r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
<title>T</title><id>tag:e.com,2025:feed</id><updated>2025-01-01T00:00:00Z</updated>
<link rel="self" href="https://e.com/atom.xml"/><author><name>A</name></author>
<entry><title>E</title><id>tag:e.com,2025:1</id><updated>2025-01-01T00:00:00Z</updated>
<content type="xhtml" xml:base="https://e.com/"><div xmlns="http://www.w3.org/1999/xhtml">
<a href="rel/x">fine</a> <a href="JavaScript:x">bad</a> <a href="&amp;#106;avascript:x">text, not a reference</a>
</div></content></entry>
</feed>"#;
    let got = findings_of(doc, "html.url.scheme");
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].line, 5);
    assert!(findings_of(doc, "html.url.relative").is_empty());
}

#[test]
fn media_types_are_checked_wherever_a_feed_names_one() {
    let rss = format!(
        r#"{RSS_HEAD}
<item><title>I</title><enclosure url="https://e.com/a.jpg" length="1" type="image/jpeg; q=1"/>
<enclosure url="https://e.com/b.jpg" length="1" type="image"/>
<media:content xmlns:media="http://search.yahoo.com/mrss/" url="https://e.com/a.jpg" type="image/"/>
<atom:link rel="related" href="https://e.com/r" type="text html"/></item>
</channel></rss>"#
    );
    let lines: Vec<usize> = findings_of(&rss, "mime.type")
        .iter()
        .map(|f| f.line)
        .collect();
    assert_eq!(lines, [3, 4, 5], "{rss}");
    let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
<title>T</title><id>tag:e.com,2025:feed</id><updated>2025-01-01T00:00:00Z</updated>
<link rel="self" href="https://e.com/atom.xml" type="application/atom+xml"/><author><name>A</name></author>
<entry><title>E</title><id>urn:uuid:1</id><updated>2025-01-01T00:00:00Z</updated>
<link href="https://e.com/1" type="html"/><content type="text/plain">x</content></entry>
</feed>"#;
    let lines: Vec<usize> = findings_of(atom, "mime.type")
        .iter()
        .map(|f| f.line)
        .collect();
    assert_eq!(lines, [5], "{atom}");
    let json = r#"{"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": [
  {"id": "1", "content_text": "x", "attachments": [{"url": "https://e.com/a", "mime_type": "mp3"}]}]}"#;
    assert_eq!(findings_of(json, "mime.type").len(), 1);
}

#[test]
fn media_content_rules() {
    let doc = format!(
        r#"{RSS_HEAD}
<item><title>I</title>
<media:content xmlns:media="http://search.yahoo.com/mrss/" url="/a.jpg" fileSize="-1" width="8.5" height="600"
 bitrate="128.5" duration="185.27" medium="photo"><media:thumbnail url="https://e.com/t.jpg"/></media:content>
<media:group xmlns:media="http://search.yahoo.com/mrss"><media:content medium="video" duration="x">
<media:player url="https://e.com/play"/></media:content><media:thumbnail/></media:group>
<media:content xmlns:media="http://search.yahoo.com/mrss/" url=" JavaScript:x"><media:thumbnail url="data:x"/></media:content>
</item></channel></rss>"#
    );
    let got: Vec<(usize, String)> = findings_of(&doc, "media.content")
        .iter()
        .map(|f| (f.line, f.message.clone()))
        .collect();
    let lines: Vec<usize> = got.iter().map(|g| g.0).collect();
    // url relative, fileSize, width, medium; duration "x"; the bare thumbnail.
    assert_eq!(lines, [3, 3, 3, 4, 5, 6], "{got:#?}");
    let schemes: Vec<usize> = findings_of(&doc, "url.scheme")
        .iter()
        .map(|f| f.line)
        .collect();
    assert_eq!(schemes, [7, 7], "{doc}");
}

#[test]
fn atom_link_length_and_enclosures() {
    let doc = r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
<title>T</title><id>tag:e.com,2025:feed</id><updated>2025-01-01T00:00:00Z</updated>
<link rel="self" href="https://e.com/atom.xml"/><author><name>A</name></author>
<entry><title>E</title><id>urn:uuid:1</id><updated>2025-01-01T00:00:00Z</updated>
<link href="https://e.com/1" length="-3"/><link rel="enclosure" href="https://e.com/a.jpg" type="image/jpeg" length="12345"/>
<link rel="http://www.iana.org/assignments/relation/enclosure" href="https://e.com/b.jpg" type="image/jpeg"/></entry>
</feed>"#;
    let lengths: Vec<usize> = findings_of(doc, "atom.link.length")
        .iter()
        .map(|f| f.line)
        .collect();
    assert_eq!(lengths, [5], "{doc}");
    let missing: Vec<usize> = findings_of(doc, "atom.link.enclosure-length")
        .iter()
        .map(|f| f.line)
        .collect();
    assert_eq!(missing, [6], "{doc}");
}

#[test]
fn json_attachment_rules() {
    let doc = r#"{"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": [
  {"id": "1", "content_text": "x", "attachments": [{"url": "https://e.com/a", "mime_type": "audio/mpeg", "size_in_bytes": 1, "duration_in_seconds": 2.5}]},
  {"id": "2", "content_text": "x", "attachments": [{"mime_type": "audio/mpeg", "size_in_bytes": "1 MB"}, "x"]},
  {"id": "3", "content_text": "x", "attachments": {"url": "https://e.com/a"}},
  {"id": "4", "content_text": "x", "attachments": [{"url": "https://e.com/a", "mime_type": "audio/mpeg", "duration_in_seconds": -1}]}
]}"#;
    let lines: Vec<usize> = findings_of(doc, "json.attachment")
        .iter()
        .map(|f| f.line)
        .collect();
    // Item 2: no url, size not a number, an attachment that is a string.
    assert_eq!(lines, [3, 3, 3, 4, 5], "{doc}");
}
