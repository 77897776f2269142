//! Hostile story text, file names and folders: what a subscriber receives is never live markup
//! or a script link, no tree or link makes a build crash or read what it should not, and an
//! empty or half-mounted archive never wipes published feeds.

use std::path::Path;

use crate::common::*;

const SITE: &str = "https://example.org/";

/// A valid story with a headline and a lead paragraph.
fn story(headline: &str, lead: &str) -> String {
    format!("{headline}\nДУШАНБЕ, 10.06.2025 /НИАТ «Ховар»/. {lead}\nВторой абзац.\n")
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Runs `wirefeed build` in `dir` with `extra` (and the site URL, when neither a config file
/// nor the flags give one); returns (code, stderr).
fn build(dir: &Path, extra: &[&str]) -> (i32, String) {
    let mut cmd = wirefeed(dir);
    cmd.arg("build");
    if !dir.join("wirefeed.toml").exists() && !extra.contains(&"--site-url") {
        cmd.args(["--site-url", SITE]);
    }
    code_and_stderr(cmd.args(extra).timeout(std::time::Duration::from_secs(120)))
}

fn read(dir: &Path, file: &str) -> String {
    String::from_utf8(std::fs::read(dir.join("public").join(file)).unwrap()).unwrap()
}

/// Every `href="…"`, `url="…"` and `<link>…</link>` value of a document.
fn links(doc: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (open, close) in [("href=\"", "\""), ("url=\"", "\""), ("<link>", "</link>")] {
        let mut rest = doc;
        while let Some(i) = rest.find(open) {
            rest = &rest[i + open.len()..];
            let end = rest.find(close).unwrap_or(rest.len());
            found.push(rest[..end].to_string());
        }
    }
    found
}

#[test]
fn markup_in_a_lead_paragraph_reaches_rss_description_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let lead = "Смотри <script>alert(1)</script> <img src=x onerror=alert(2)> \
                <a href=\"javascript:alert(3)\">тут</a> <iframe src=\"https://evil.example/\"></iframe> и 1 < 2.";
    write(
        &dir.path().join("articles/a.txt"),
        &story("Заголовок", lead),
    );
    let (code, stderr) = build(dir.path(), &["--format", "all"]);
    assert_eq!(code, 0, "{stderr}");
    let rss = read(dir.path(), "rss.xml");
    let start = rss.find("<item>").unwrap();
    let description = &rss[rss[start..].find("<description>").unwrap() + start..];
    let description = &description[..description.find("</description>").unwrap()];
    for live in ["<script", "<img", "<a ", "<iframe", "1 < 2"] {
        assert!(!description.contains(live), "{live} in {description}");
    }
    assert!(
        description.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{description}"
    );
    assert!(description.contains("1 &lt; 2"), "{description}");
    for file in ["rss.xml", "atom.xml", "feed.json"] {
        let bytes = std::fs::read(dir.path().join("public").join(file)).unwrap();
        assert_valid(&bytes);
        let feed = parse_back(&bytes);
        // The lead survives as text: a sanitising reader has nothing to drop.
        let summary = feed.entries[0].summary.as_ref().unwrap().content.clone();
        assert!(
            summary.contains("alert(1)") && summary.contains("1 &lt; 2")
                || summary.contains("1 < 2"),
            "{file}: {summary}"
        );
    }
}

#[test]
fn script_file_and_folder_names_never_become_script_links() {
    for pattern in ["{slug}", "{id}.html", "x{slug}", "{slug}/{id}"] {
        let dir = tempfile::tempdir().unwrap();
        let arts = dir.path().join("articles");
        write(
            &arts.join("javascript:alert(1).txt"),
            &story("Первая", "Текст."),
        );
        write(
            &arts.join("data:text/html,<b>x<").join("vbscript:y.txt"),
            &story("Вторая", "Текст."),
        );
        // A citing story turns both into related links in its HTML.
        write(
            &arts.join("citing.txt"),
            &format!("{}\n\n\nПервая\nВторая\n", story("Третья", "Текст.")),
        );
        let (code, stderr) = build(
            dir.path(),
            &["--format", "all", "--article-url", pattern, "-v"],
        );
        assert_eq!(code, 0, "{pattern}: {stderr}");
        assert!(
            stderr.contains("related headlines: 2 resolved"),
            "{pattern}: {stderr}"
        );
        for file in ["rss.xml", "atom.xml"] {
            let doc = read(dir.path(), file);
            assert_valid(doc.as_bytes());
            let found = links(&doc);
            assert!(found.len() > 5, "{found:?}");
            for link in found {
                let link = link.replace("&amp;", "&");
                assert!(
                    link.starts_with(SITE) || link.starts_with("http://www.w3.org/"),
                    "{pattern} {file}: {link}"
                );
            }
            // The HTML content's links are escaped once more inside the XML.
            assert!(!doc.contains("href=&quot;javascript"), "{doc}");
            assert!(!doc.contains("href=&quot;data:"), "{doc}");
        }
        let json: serde_json::Value = serde_json::from_str(&read(dir.path(), "feed.json")).unwrap();
        for item in json["items"].as_array().unwrap() {
            let url = item["url"].as_str().unwrap();
            assert!(url.starts_with(SITE), "{pattern}: {url}");
        }
    }
}

#[test]
fn url_settings_that_could_publish_script_or_foreign_links_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("articles/a.txt"), &story("З", "Т."));
    for (flags, key) in [
        (
            &["--article-url", "javascript:alert(1)//{slug}"][..],
            "feed.article_url",
        ),
        (
            &["--article-url", "data:text/html,{slug}"][..],
            "feed.article_url",
        ),
        (
            &["--article-url", " https://example.org/{slug}"][..],
            "feed.article_url",
        ),
        (
            &["--article-url", "https://example.org/\t{slug}"][..],
            "feed.article_url",
        ),
        (
            &["--article-url", "https://example.org/\n{slug}"][..],
            "feed.article_url",
        ),
        (
            &["--article-url", "//other.example/{slug}"][..],
            "feed.article_url",
        ),
        (
            &["--article-url", "https://{slug}.example.org/"][..],
            "feed.article_url",
        ),
        (
            &["--id-prefix", "javascript:alert(1)//"][..],
            "feed.id_prefix",
        ),
        (&["--id-prefix", "data:,"][..], "feed.id_prefix"),
        (
            &["--feeds-url", "https://cdn.example/"][..],
            "feed.feeds_url",
        ),
        (
            &["--site-url", "https://user:secret@example.org/"][..],
            "feed.site_url",
        ),
        (
            &["--agency", "НИАТ «Ховар»=javascript:alert(1)"][..],
            "agencies",
        ),
    ] {
        let (code, stderr) = build(dir.path(), flags);
        assert_eq!(code, 2, "{flags:?}: {stderr}");
        assert!(stderr.contains(key), "{flags:?}: {stderr}");
        assert_eq!(
            stderr.lines().count(),
            1,
            "{flags:?}: one message: {stderr}"
        );
        assert!(!dir.path().join("public/rss.xml").exists());
    }
    // Another host is fine once it is named.
    let (code, stderr) = build(
        dir.path(),
        &[
            "--article-url",
            "//other.example/{slug}",
            "--link-host",
            "other.example",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(read(dir.path(), "rss.xml").contains("<link>https://other.example/a</link>"));
}

/// Makes `depth` nested one-letter folders under `top`; returns the deepest.
fn deep(top: &Path, depth: usize) -> std::path::PathBuf {
    let mut p = top.to_path_buf();
    for _ in 0..depth {
        p.push("d");
    }
    std::fs::create_dir_all(&p).unwrap();
    p
}

#[test]
fn deep_trees_build_or_are_reported_never_crash() {
    let dir = tempfile::tempdir().unwrap();
    let arts = dir.path().join("articles");
    // Two siblings 1,300 levels deep once aborted every build with a stack overflow.
    write(
        &deep(&arts.join("a"), 1300).join("s.txt"),
        &story("Глубоко", "Т."),
    );
    deep(&arts.join("b"), 1300);
    write(&arts.join("top.txt"), &story("Наверху", "Т."));
    let (code, stderr) = build(dir.path(), &["-v"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("2 files read: 2 published"), "{stderr}");
    assert!(read(dir.path(), "atom.xml").contains("Глубоко"));

    // Deeper than a path can name (PATH_MAX): reported as a folder, the rest published.
    let dir = tempfile::tempdir().unwrap();
    let arts = dir.path().join("articles");
    let bottom = {
        // create_dir_all would fail past PATH_MAX: walk down with relative paths instead.
        let top = arts.join("z");
        std::fs::create_dir_all(&top).unwrap();
        let here = std::env::current_dir().unwrap();
        std::env::set_current_dir(&top).unwrap();
        for _ in 0..2100 {
            std::fs::create_dir("d").unwrap();
            std::env::set_current_dir("d").unwrap();
        }
        std::env::set_current_dir(here).unwrap();
        top
    };
    assert!(bottom.exists());
    write(&arts.join("top.txt"), &story("Наверху", "Т."));
    let (code, stderr) = build(dir.path(), &["-v"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("cannot read the folder"), "{stderr}");
    assert!(stderr.contains("1 files read: 1 published"), "{stderr}");
    assert!(
        stderr.contains("1 folder(s) or file name(s) could not be read"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn links_out_of_the_archive_are_not_followed_unless_asked() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let arts = dir.path().join("articles");
    write(&arts.join("inside.txt"), &story("Внутри", "Т."));
    // A secret outside that happens to parse as a story: following the link would publish it.
    let secret = dir.path().join("secret.txt");
    write(&secret, &story("СЕКРЕТНЫЙ ЗАГОЛОВОК", "root:x:0:0:secret"));
    symlink(&secret, arts.join("passwd.txt")).unwrap();
    symlink("/etc/passwd", arts.join("etc-passwd.txt")).unwrap();
    symlink(dir.path(), arts.join("up")).unwrap();
    symlink(arts.join("inside.txt"), arts.join("alias.txt")).unwrap();
    symlink(dir.path().join("nowhere"), arts.join("broken.txt")).unwrap();

    let (code, stderr) = build(dir.path(), &["-v"]);
    assert_eq!(code, 0, "{stderr}");
    for name in ["passwd.txt", "etc-passwd.txt", "up", "broken.txt"] {
        assert!(
            stderr.contains(&format!("articles/{name}: warning: skipped")),
            "{name}: {stderr}"
        );
    }
    assert!(!stderr.contains("root:"), "content echoed: {stderr}");
    assert!(stderr.contains("2 files read: 2 published"), "{stderr}");
    let atom = read(dir.path(), "atom.xml");
    assert!(
        !atom.contains("СЕКРЕТНЫЙ") && !atom.contains("root:"),
        "{atom}"
    );
    assert!(
        atom.contains("tag:example.org,2025:alias"),
        "a link inside is read"
    );

    let (code, stderr) = build(dir.path(), &["-v", "--follow-symlinks"]);
    assert!(code == 0 || code == 1, "{stderr}");
    assert!(
        read(dir.path(), "atom.xml").contains("СЕКРЕТНЫЙ"),
        "{stderr}"
    );
    // The linked parent folder holds the archive itself: walked once, no loop.
    assert!(!stderr.contains("stack overflow"), "{stderr}");
}

#[test]
fn an_empty_or_half_mounted_archive_never_wipes_the_feeds() {
    let dir = shipped_project();
    let (code, stderr) = build(dir.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    let before = std::fs::read(dir.path().join("public/atom.xml")).unwrap();

    // A failed mount: the folder is there, but empty.
    let empty = dir.path().join("mnt");
    std::fs::create_dir(&empty).unwrap();
    let (code, stderr) = build(dir.path(), &["--articles", "mnt"]);
    assert_eq!(code, 1, "{stderr}");
    // 13 of the 15 shipped stories are published (one withdrawn, one under embargo).
    assert!(stderr.contains("only 0 of the 13 stories"), "{stderr}");
    assert!(stderr.contains("--allow-empty"), "{stderr}");
    assert_eq!(
        std::fs::read(dir.path().join("public/atom.xml")).unwrap(),
        before
    );

    // Half of it: 5 of the 15 files, 4 of the 13 published stories: under the default ratio
    // of 0.5, over a ratio of 0.3.
    let half = dir.path().join("half");
    let mut files: Vec<_> = files_under(&dir.path().join("articles"))
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    for f in &files[..5] {
        let rel = f.strip_prefix(dir.path().join("articles")).unwrap();
        write(&half.join(rel), &std::fs::read_to_string(f).unwrap());
    }
    let (code, stderr) = build(dir.path(), &["--articles", "half"]);
    assert_eq!(code, 1, "{stderr}");
    // The first five include the withdrawn story, which was never published: 4 of 13.
    assert!(stderr.contains("only 4 of the 13"), "{stderr}");
    assert_eq!(
        std::fs::read(dir.path().join("public/atom.xml")).unwrap(),
        before
    );
    let (code, stderr) = build(
        dir.path(),
        &["--articles", "half", "--min-stories-ratio", "0.3"],
    );
    assert_eq!(code, 0, "{stderr}");

    // Asked for: the empty feed is published.
    let (code, stderr) = build(dir.path(), &["--articles", "mnt", "--allow-empty"]);
    assert_eq!(code, 0, "{stderr}");
    let (_, feed) = read_feed(&dir.path().join("public/atom.xml"));
    assert!(feed.entries.is_empty());
}

#[test]
fn an_output_folder_inside_the_archive_is_not_read_as_stories() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("articles/a.txt"), &story("З", "Т."));
    for _ in 0..2 {
        let (code, stderr) = build(
            dir.path(),
            &["--out", "articles/public", "-v", "--no-cache"],
        );
        assert_eq!(code, 0, "{stderr}");
        assert!(stderr.contains("1 files read: 1 published"), "{stderr}");
    }
    assert!(dir.path().join("articles/public/rss.xml").exists());
    let (code, stderr) = build(dir.path(), &["--out", "articles/."]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("build.out") && stderr.contains("articles folder itself"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn file_names_are_shown_escaped_and_never_merged() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let arts = dir.path().join("articles");
    std::fs::create_dir_all(&arts).unwrap();
    // A name that would forge a log line, with a broken story inside.
    std::fs::write(
        arts.join("x\nerror: forged.txt\x1b[2J"),
        "только заголовок\n",
    )
    .unwrap();
    for name in [&b"caf\xE9.txt"[..], &b"caf\xE8.txt"[..]] {
        std::fs::write(
            arts.join(std::ffi::OsStr::from_bytes(name)),
            story("З", "Т."),
        )
        .unwrap();
    }
    write(&arts.join("ok.txt"), &story("Хорошо", "Т."));
    let (code, stderr) = build(dir.path(), &["-v"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        !stderr.lines().any(|l| l.starts_with("error: forged")),
        "{stderr}"
    );
    assert!(!stderr.contains('\x1b'), "{stderr}");
    assert!(
        stderr.contains("articles/x\\nerror: forged.txt\\u{1b}[2J:1:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("articles/caf\\xE9.txt: error: the name is not valid UTF-8"),
        "{stderr}"
    );
    assert!(
        stderr.contains("articles/caf\\xE8.txt: error: the name is not valid UTF-8"),
        "{stderr}"
    );
    assert!(!stderr.contains('\u{FFFD}'), "{stderr}");
    assert!(stderr.contains("2 files read: 1 published, 0 older than the feed's newest, 1 skipped; 2 folder(s) or file name(s) could not be read"), "{stderr}");
}

#[test]
fn the_summary_adds_up_and_a_cache_that_cannot_be_saved_is_a_warning() {
    let dir = shipped_project();
    // A folder where the cache file goes: it can be neither read nor replaced.
    std::fs::create_dir_all(dir.path().join("public/.wirefeed-cache/x")).unwrap();
    let (code, stderr) = build(dir.path(), &["-v", "--limit", "5"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("public/.wirefeed-cache: warning: not saved"),
        "{stderr}"
    );
    assert!(!stderr.lines().any(|l| l.starts_with("error")), "{stderr}");
    assert!(
        stderr.contains("15 files read: 7 published, 6 older than the feed's newest, 0 skipped, 1 withdrawn, 1 under embargo"),
        "{stderr}"
    );
}
