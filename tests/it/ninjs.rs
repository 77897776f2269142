//! The IPTC ninjs stream (`--format ninjs`, `ninjs.jsonl`): built from the shipped articles and
//! from fixtures by the real binary, every document checked by `wirefeed check`.

use std::path::Path;

use serde_json::Value;

use crate::common::{code_and_stderr, files_under, shipped_project, wirefeed};

/// Runs `wirefeed check` on a file: it must be recognised and have no finding at all.
fn assert_checks_clean(path: &Path) {
    let out = wirefeed(Path::new("."))
        .arg("check")
        .arg(path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}: {stdout}{stderr}",
        path.display()
    );
    assert!(stdout.is_empty(), "{}: {stdout}", path.display());
    assert!(stderr.contains("0 errors, 0 warnings"), "{stderr}");
}

/// The objects of a JSON Lines document: one compact object per line, each line ended.
fn objects(bytes: &[u8]) -> Vec<Value> {
    let text = std::str::from_utf8(bytes).expect("UTF-8");
    assert!(!text.starts_with('\u{FEFF}'), "no BOM");
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "each line ends with \\n"
    );
    text.lines()
        .map(|l| {
            assert!(!l.is_empty() && !l.contains('\r'), "{l:?}");
            serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))
        })
        .collect()
}

#[test]
fn the_shipped_articles_to_stdout_one_valid_object_per_story() {
    let dir = shipped_project();
    let out = wirefeed(dir.path())
        .args(["build", "--format", "ninjs", "--output", "-", "--no-ledger"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file = dir.path().join("stdout.jsonl");
    std::fs::write(&file, &out.stdout).unwrap();
    assert_checks_clean(&file);
    assert!(!dir.path().join("public").exists(), "stdout only");
    let objs = objects(&out.stdout);
    // 13 stories are published (README), newest first, and nothing is canceled without the
    // ledger.
    assert_eq!(objs.len(), 13);
    let created: Vec<&str> = objs
        .iter()
        .map(|o| o["firstCreated"].as_str().unwrap())
        .collect();
    let parsed: Vec<_> = created
        .iter()
        .map(|d| chrono::DateTime::parse_from_rfc3339(d).unwrap())
        .collect();
    assert!(parsed.windows(2).all(|w| w[0] >= w[1]), "{created:?}");
    for o in &objs {
        assert_eq!(o["pubStatus"], "usable");
        assert_eq!(o["type"], "text");
        assert_eq!(o["standard"]["version"], "3.3");
        assert!(o["uri"]
            .as_str()
            .unwrap()
            .starts_with("tag:khovar.example,2025:"));
    }
    let seed = objs
        .iter()
        .find(|o| o["uri"] == "tag:khovar.example,2025:2025/06/shos-ikt")
        .expect("the seed story");
    assert_eq!(seed["located"], "ДУШАНБЕ");
    assert_eq!(seed["copyrightHolder"], "НИАТ «Ховар»");
    assert_eq!(seed["firstCreated"], "2025-06-18T14:30:00+05:00");
    assert_eq!(seed["bodies"][0]["contentType"], "text/html");
    assert_eq!(seed["bodies"][1]["contentType"], "text/plain");
    let plain = seed["bodies"][1]["value"].as_str().unwrap();
    assert!(
        !plain.starts_with("ДУШАНБЕ"),
        "the lead without its dateline: {plain}"
    );
    assert!(plain.contains("\n\n"), "paragraphs apart: {plain}");
    // The seed's sidecar gives a byline, tags and a summary.
    assert!(seed["by"].is_string(), "{seed}");
    assert!(!seed["subjects"].as_array().unwrap().is_empty());
    assert!(seed["descriptions"][0]["value"].is_string());
    let assoc = seed["associations"].as_array().unwrap();
    let photo = &assoc[0];
    assert_eq!(photo["type"], "picture");
    let rendition = &photo["renditions"][0];
    assert_eq!(rendition["contentType"], "image/png");
    assert!(rendition["width"].as_u64().unwrap() > 0 && rendition["height"].as_u64().unwrap() > 0);
    assert!(rendition["href"]
        .as_str()
        .unwrap()
        .starts_with("https://khovar.example/media/"));
    // Each related story is a story of the stream (all 13 are in it), by uri and headline.
    let related: Vec<&Value> = assoc.iter().filter(|a| a["type"] == "text").collect();
    assert!(!related.is_empty());
    for r in related {
        let target = objs
            .iter()
            .find(|o| o["uri"] == r["uri"])
            .unwrap_or_else(|| panic!("{} is no story of the stream", r["uri"]));
        assert_eq!(r["headlines"][0]["value"], target["headlines"][0]["value"]);
    }
}

#[test]
fn each_feed_set_writes_its_stream_beside_its_feeds_and_all_means_the_feeds() {
    let dir = shipped_project();
    let (code, stderr) = code_and_stderr(wirefeed(dir.path()).args([
        "build",
        "--format",
        "rss,atom,ninjs",
        "--no-ledger",
    ]));
    assert_eq!(code, 0, "{stderr}");
    let public = dir.path().join("public");
    let streams: Vec<_> = files_under(&public)
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "ninjs.jsonl"))
        .collect();
    for set in ["", "ru", "tg", "en", "tags/shos"] {
        let path = public.join(set).join("ninjs.jsonl");
        assert!(streams.contains(&path), "{}", path.display());
        assert!(public.join(set).join("atom.xml").exists());
    }
    for path in &streams {
        assert_checks_clean(path);
    }
    let tg = objects(&std::fs::read(public.join("tg/ninjs.jsonl")).unwrap());
    assert!(!tg.is_empty() && tg.iter().all(|o| o["language"] == "tg"));
    // Readers subscribe to feeds: the stream is in neither the front page nor the OPML list.
    for page in ["index.html", "feeds.opml"] {
        let text = std::fs::read_to_string(public.join(page)).unwrap();
        assert!(!text.contains("ninjs"), "{page}");
    }
    // `all` keeps meaning RSS, Atom and JSON Feed.
    let dir = shipped_project();
    let (code, stderr) =
        code_and_stderr(wirefeed(dir.path()).args(["build", "--format", "all", "--no-ledger"]));
    assert_eq!(code, 0, "{stderr}");
    let public = dir.path().join("public");
    assert!(public.join("feed.json").exists());
    assert!(!files_under(&public)
        .iter()
        .any(|p| p.extension().is_some_and(|e| e == "jsonl")));
}

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join("articles").join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn a_withdrawn_story_is_canceled_while_its_tombstone_lasts_and_a_correction_is_a_new_version() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (name, day) in [("a", "16"), ("b", "17"), ("c", "18")] {
        write(
            d,
            &format!("{name}.txt"),
            &format!("Новость {name}\nДУШАНБЕ, {day}.06.2025 /НИАТ «Ховар»/. Текст {name}.\n"),
        );
    }
    let build = |epoch: i64| {
        let (code, stderr) = code_and_stderr(
            wirefeed(d)
                .args([
                    "build",
                    "--site-url",
                    "https://example.org/",
                    "--format",
                    "ninjs",
                ])
                .env("SOURCE_DATE_EPOCH", epoch.to_string()),
        );
        assert_eq!(code, 0, "{stderr}");
        let path = d.join("public/ninjs.jsonl");
        assert_checks_clean(&path);
        objects(&std::fs::read(path).unwrap())
    };
    // 2025-06-19T11:00:00+05:00, then a day later.
    let day2 = 1_750_312_800;
    let first = build(day2);
    assert_eq!(first.len(), 3);
    assert!(first.iter().all(|o| o["version"] == "1"), "{first:?}");
    write(d, "c.toml", "status = \"withdrawn\"\n");
    write(
        d,
        "b.txt",
        "Новость b\nДУШАНБЕ, 17.06.2025 /НИАТ «Ховар»/. Текст b, исправленный.\n",
    );
    let second = build(day2 + 86_400);
    let uris: Vec<&str> = second.iter().map(|o| o["uri"].as_str().unwrap()).collect();
    assert_eq!(
        uris,
        [
            "tag:example.org,2025:b",
            "tag:example.org,2025:a",
            "tag:example.org,2025:c"
        ]
    );
    let canceled = &second[2];
    assert_eq!(canceled["pubStatus"], "canceled");
    assert_eq!(canceled["versionCreated"], "2025-06-20T11:00:00+05:00");
    assert!(canceled.get("headlines").is_none());
    // The correction: a new version, later than the first, created at the build clock.
    let b = &second[0];
    assert_eq!(b["versionCreated"], "2025-06-20T11:00:00+05:00");
    assert_eq!(b["version"], (day2 + 86_400).to_string());
    assert_ne!(b["firstCreated"], b["versionCreated"]);
    assert_eq!(second[1]["version"], "1", "a is unchanged");
    // A week on, the tombstone has expired: no canceled object any more.
    let later = build(day2 + 9 * 86_400);
    assert_eq!(later.len(), 2, "{later:?}");
}

#[test]
fn an_empty_set_writes_an_empty_stream() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "a.txt",
        "Новость\nДУШАНБЕ, 16.06.2025 /НИАТ «Ховар»/. Текст.\n",
    );
    std::fs::write(
        d.join("wirefeed.toml"),
        "[feed]\nsite_url = \"https://example.org/\"\n\n[build]\nformats = [\"ninjs\"]\n\n\
         [[feeds]]\nname = \"all\"\npath = \"\"\n\n\
         [[feeds]]\nname = \"english\"\npath = \"en\"\nlanguages = [\"en\"]\n",
    )
    .unwrap();
    let (code, stderr) = code_and_stderr(wirefeed(d).args(["build", "--no-ledger"]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(std::fs::read(d.join("public/en/ninjs.jsonl")).unwrap(), b"");
    assert_eq!(
        objects(&std::fs::read(d.join("public/ninjs.jsonl")).unwrap()).len(),
        1
    );
}
