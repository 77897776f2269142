//! Feed sets: one scan writes a folder of feeds per language (by default), per declared
//! `[[feeds]]` filter and per tag, each with its front page, plus the OPML list of them all.
//! Fixture: `tests/fixtures/languages`, two stories in each of Russian, Tajik and English from
//! several cities and agencies, with sidecar tags (two of which clash once made folder names).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use scraper::{Html, Selector};

use crate::common::{code_and_stderr, copy_dir, files_under, fixture, read_feed, wirefeed};

const SITE: &str = "https://example.org/";

/// A project holding the fixture archive and `config` as its `wirefeed.toml`.
fn project(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("languages"), &dir.path().join("articles"));
    let toml = format!("[feed]\nsite_url = \"{SITE}\"\ntitle = \"Лента\"\n{config}");
    std::fs::write(dir.path().join("wirefeed.toml"), toml).unwrap();
    dir
}

fn build(dir: &Path, args: &[&str]) -> (i32, String) {
    code_and_stderr(wirefeed(dir).arg("build").args(args))
}

/// The story ids (file stems) of a feed file, checked by the validator and parsed back.
fn stories_in(path: &Path) -> BTreeSet<String> {
    let (_, feed) = read_feed(path);
    feed.entries
        .iter()
        .map(|e| e.id.rsplit(':').next().unwrap().to_string())
        .collect()
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

/// Every document under `root` (not the cache or the lock), by path relative to it, sorted.
fn documents(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<_> = files_under(root)
        .into_iter()
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p.strip_prefix(root).unwrap().to_path_buf(), bytes)
        })
        .collect();
    files.sort();
    files
}

/// Every feed file (RSS and Atom) under the output folder.
fn feeds_under(public: &Path) -> Vec<PathBuf> {
    let mut feeds: Vec<PathBuf> = files_under(public)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    feeds.sort();
    feeds
}

#[test]
fn a_feed_set_per_language_holds_only_its_language() {
    let dir = project("");
    let (code, stderr) = build(dir.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    let public = dir.path().join("public");
    let all = set(&[
        "ru-dushanbe",
        "ru-khujand",
        "tg-kulob",
        "tg-dushanbe",
        "en-dushanbe",
        "en-tashkent",
    ]);
    for feed in ["rss.xml", "atom.xml"] {
        assert_eq!(stories_in(&public.join(feed)), all, "root {feed}");
        for lang in ["ru", "tg", "en"] {
            let want: BTreeSet<String> = all
                .iter()
                .filter(|id| id.starts_with(lang))
                .cloned()
                .collect();
            assert_eq!(stories_in(&public.join(lang).join(feed)), want, "{lang}");
        }
    }
    // Each feed names itself and its language; the story's entry id is the same everywhere.
    let (_, tg) = read_feed(&public.join("tg/atom.xml"));
    let (_, root) = read_feed(&public.join("atom.xml"));
    assert_eq!(tg.id, format!("{SITE}tg/"));
    assert_eq!(root.id, SITE);
    assert_eq!(tg.language.as_deref(), Some("tg"));
    let self_link = |f: &feed_rs::model::Feed| {
        f.links
            .iter()
            .find(|l| l.rel.as_deref() == Some("self"))
            .map(|l| l.href.clone())
    };
    assert_eq!(
        self_link(&tg).as_deref(),
        Some("https://example.org/tg/atom.xml")
    );
    assert_eq!(
        self_link(&root).as_deref(),
        Some("https://example.org/atom.xml")
    );
    let tg_ids: BTreeSet<&str> = tg.entries.iter().map(|e| e.id.as_str()).collect();
    let root_ids: BTreeSet<&str> = root.entries.iter().map(|e| e.id.as_str()).collect();
    assert!(tg_ids.is_subset(&root_ids));
    // Every feed passes `wirefeed check`.
    let feeds = feeds_under(&public);
    assert_eq!(feeds.len(), 8, "{feeds:?}");
    wirefeed(dir.path())
        .arg("check")
        .args(&feeds)
        .assert()
        .code(0);
}

#[test]
fn declared_sets_filter_by_each_key_and_by_all_keys_together() {
    let dir = project(
        r#"
[[feeds]]
name = "tajik"
path = "tj"
languages = ["tg"]

[[feeds]]
name = "dushanbe"
path = "cities/dushanbe"
cities = ["Dushanbe"]     # the English spelling takes ДУШАНБЕ and DUSHANBE alike

[[feeds]]
name = "khovar"
path = "khovar"
agencies = ["ниат ховар", "АМИТ «Ховар»"]

[[feeds]]
name = "economy"
path = "economy"
tags = ["ЭКОНОМИКА", "economy"]
title = "Экономика"
formats = ["atom"]
limit = 2                 # of three: the newest two

[[feeds]]
name = "russian economy"
path = "ru/economy"
languages = ["ru"]
tags = ["экономика"]
cities = ["khujand", "душанбе"]
"#,
    );
    let (code, stderr) = build(dir.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    let public = dir.path().join("public");
    let cases: [(&str, &[&str]); 5] = [
        ("tj/rss.xml", &["tg-kulob", "tg-dushanbe"]),
        (
            "cities/dushanbe/rss.xml",
            &["ru-dushanbe", "tg-dushanbe", "en-dushanbe"],
        ),
        (
            "khovar/rss.xml",
            &["ru-dushanbe", "tg-kulob", "tg-dushanbe"],
        ),
        ("economy/atom.xml", &["ru-khujand", "en-dushanbe"]),
        ("ru/economy/rss.xml", &["ru-dushanbe", "ru-khujand"]),
    ];
    for (feed, ids) in cases {
        assert_eq!(stories_in(&public.join(feed)), set(ids), "{feed}");
    }
    let (_, economy) = read_feed(&public.join("economy/atom.xml"));
    assert_eq!(economy.title.unwrap().content, "Экономика");
    // Exactly the declared sets: no root feed, no per-language sets, no RSS where only Atom
    // was asked for.
    for absent in ["rss.xml", "atom.xml", "en", "tg", "economy/rss.xml"] {
        assert!(!public.join(absent).exists(), "{absent}");
    }
    for name in ["tajik", "dushanbe", "khovar", "economy", "russian economy"] {
        assert!(
            stderr.is_empty() || !stderr.contains("error"),
            "{name}: {stderr}"
        );
    }
    let (_, summary) = build(dir.path(), &["-v", "--no-cache"]);
    assert!(
        summary.contains("feed set `russian economy`: 2 stories, 2 published"),
        "{summary}"
    );
}

#[test]
fn a_bad_declaration_is_refused_with_the_set_named() {
    for (config, says) in [
        (
            "[[feeds]]\nname = \"x\"\npath = \"../up\"\n",
            "feed set `x`",
        ),
        (
            "[[feeds]]\nname = \"x\"\npath = \"a\"\ntags = []\n",
            "feeds.tags",
        ),
        (
            "[[feeds]]\nname = \"x\"\npath = \"a\"\nmood = \"calm\"\n",
            "mood",
        ),
        (
            "[[feeds]]\nname = \"x\"\npath = \"a\"\n[[feeds]]\nname = \"y\"\npath = \"a/\"\n",
            "same folder",
        ),
    ] {
        let dir = project(config);
        let (code, stderr) = build(dir.path(), &[]);
        assert_eq!(code, 2, "{config}: {stderr}");
        assert!(stderr.contains(says), "{config}: {stderr}");
        assert!(!dir.path().join("public/rss.xml").exists());
    }
}

#[test]
fn tag_feeds_have_transliterated_folders_and_clashing_tags_get_none() {
    let dir = project("");
    let (code, stderr) = build(dir.path(), &["--tag-feeds"]);
    // «ИКТ & связь» and «ИКТ, связь» are two tags with one folder: an error naming both, and
    // neither is written; the rest of the build goes on.
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("tag «ИКТ & связь» and tag «ИКТ, связь»")
            && stderr.contains("tags/ikt-svyaz/")
            && stderr.contains("en-dushanbe.toml"),
        "{stderr}"
    );
    let tags = dir.path().join("public/tags");
    assert!(!tags.join("ikt-svyaz").exists());
    let mut folders: Vec<String> = std::fs::read_dir(&tags)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    // «Экономика» and «экономика» are one tag; «Economy» is another.
    assert_eq!(
        folders,
        ["economy", "ekonomika", "farhang", "iqtisodiyot", "kultura"]
    );
    assert_eq!(
        stories_in(&tags.join("ekonomika/rss.xml")),
        set(&["ru-dushanbe", "ru-khujand"])
    );
    assert_eq!(
        stories_in(&tags.join("iqtisodiyot/atom.xml")),
        set(&["tg-kulob"])
    );
    // The folders do not move from one build to the next.
    let (_, again) = build(dir.path(), &["--tag-feeds", "-v"]);
    assert!(
        again.contains("tags/farhang: note: feed set `#Фарҳанг`"),
        "{again}"
    );
}

/// A front page, parsed by an HTML5 parser that must find no error.
fn front_page(path: &Path) -> Html {
    let text = std::fs::read_to_string(path).unwrap();
    let html = Html::parse_document(&text);
    assert!(
        html.errors.is_empty(),
        "{}: {:?}",
        path.display(),
        html.errors
    );
    html
}

fn all(html: &Html, css: &str, attr: &str) -> Vec<String> {
    let sel = Selector::parse(css).unwrap();
    html.select(&sel)
        .filter_map(|e| e.value().attr(attr).map(str::to_string))
        .collect()
}

#[test]
fn each_set_has_a_front_page_that_finds_its_feeds_and_the_other_languages() {
    let dir = project("");
    build(dir.path(), &[]);
    let public = dir.path().join("public");
    let tg = front_page(&public.join("tg/index.html"));
    assert_eq!(all(&tg, "html", "lang"), ["tg"]);
    // Autodiscovery: the set's own feeds, then the root's.
    assert_eq!(
        all(&tg, "link[rel=alternate]", "href"),
        [
            "https://example.org/tg/rss.xml",
            "https://example.org/tg/atom.xml",
            "https://example.org/rss.xml",
            "https://example.org/atom.xml",
        ]
    );
    assert_eq!(
        all(&tg, "link[rel=alternate]", "type")[..2],
        ["application/rss+xml", "application/atom+xml"]
    );
    assert_eq!(
        all(&tg, "link[rel=canonical]", "href"),
        ["https://example.org/tg/"]
    );
    // The stories: headline links to the stories of the set only.
    let stories = all(&tg, "article h2 a, article h3 a", "href");
    assert_eq!(stories.len(), 2, "{stories:?}");
    assert!(stories.iter().all(|u| u.contains("/tg-")), "{stories:?}");
    assert_eq!(all(&tg, "article", "lang"), ["tg", "tg"]);
    assert!(all(&tg, "time", "datetime")
        .iter()
        .any(|d| d == "2025-06-04"));
    // The other languages' pages, and all of them together.
    let languages = all(&tg, "a[hreflang]", "href");
    for page in [
        "https://example.org/",
        "https://example.org/ru/",
        "https://example.org/en/",
    ] {
        assert!(languages.contains(&page.to_string()), "{languages:?}");
    }
    // The subscribe block shows each feed's address as text to copy.
    let text: String = tg.root_element().text().collect();
    assert!(text.contains("https://example.org/tg/atom.xml"), "{text}");
    assert!(text.contains("https://example.org/feeds.opml"), "{text}");
    // No script anywhere, on any page.
    for page in files_under(&public)
        .into_iter()
        .filter(|p| p.ends_with("index.html"))
    {
        let html = front_page(&page);
        assert!(all(&html, "script", "src").is_empty());
        assert_eq!(html.select(&Selector::parse("script").unwrap()).count(), 0);
    }
}

#[test]
fn the_opml_list_names_every_feed_of_every_set() {
    let dir = project("");
    build(dir.path(), &["--tag-feeds", "--format", "all"]);
    let public = dir.path().join("public");
    let text = std::fs::read_to_string(public.join("feeds.opml")).unwrap();
    let opml = opml::OPML::from_str(&text).expect("OPML 2.0");
    assert_eq!(opml.version, "2.0");
    let mut listed: Vec<String> = Vec::new();
    for group in &opml.body.outlines {
        assert!(!group.outlines.is_empty(), "{}", group.text);
        listed.extend(group.outlines.iter().filter_map(|o| o.xml_url.clone()));
    }
    let mut written: Vec<String> = files_under(&public)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "xml" || e == "json"))
        .map(|p| {
            let rel = p
                .strip_prefix(&public)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            format!("{SITE}{rel}")
        })
        .collect();
    listed.sort();
    written.sort();
    assert_eq!(listed, written);
    // Root, three languages and five tags.
    assert_eq!(opml.body.outlines.len(), 9);
}

#[test]
fn a_rerun_changes_nothing() {
    let dir = project("");
    build(dir.path(), &["--tag-feeds"]);
    let public = dir.path().join("public");
    let snapshot = |_: ()| -> Vec<(PathBuf, Vec<u8>, std::time::SystemTime)> {
        documents(&public)
            .into_iter()
            .map(|(rel, bytes)| {
                let modified = std::fs::metadata(public.join(&rel)).unwrap().modified();
                (rel, bytes, modified.unwrap())
            })
            .collect()
    };
    let before = snapshot(());
    std::thread::sleep(std::time::Duration::from_millis(20));
    let (_, stderr) = build(dir.path(), &["--tag-feeds", "-v"]);
    assert!(stderr.contains("up to date"), "{stderr}");
    assert_eq!(snapshot(()), before, "cached rerun");
    // Without the cache every document is rendered again, and still none is rewritten.
    let (_, stderr) = build(dir.path(), &["--tag-feeds", "-v", "--no-cache"]);
    let written = |l: &&str| l.contains(": note: ") && l.ends_with(" written");
    assert_eq!(stderr.lines().filter(written).count(), 0, "{stderr}");
    assert!(stderr.contains("public/tags/ekonomika/rss.xml: note: rss feed unchanged"));
    assert_eq!(snapshot(()), before, "uncached rerun");
}

#[test]
fn feeds_point_browsers_at_the_stylesheet_unless_told_not_to() {
    let dir = project("");
    build(dir.path(), &[]);
    let public = dir.path().join("public");
    for feed in ["rss.xml", "tg/atom.xml"] {
        let text = std::fs::read_to_string(public.join(feed)).unwrap();
        assert_eq!(
            text.lines().nth(1),
            Some(r#"<?xml-stylesheet type="text/xsl" href="https://example.org/feed.xsl"?>"#),
            "{feed}"
        );
    }
    let xsl = std::fs::read_to_string(public.join("feed.xsl")).unwrap();
    assert!(xsl.contains("xsl:stylesheet"));
    let dir = project("[build]\nstylesheet = false\n");
    build(dir.path(), &[]);
    let rss = std::fs::read_to_string(dir.path().join("public/rss.xml")).unwrap();
    assert!(!rss.contains("xml-stylesheet"));
    assert!(!dir.path().join("public/feed.xsl").exists());
}

#[test]
fn a_set_that_takes_no_story_is_a_warning_and_front_pages_can_be_left_out() {
    let dir = project("[[feeds]]\nname = \"french\"\npath = \"fr\"\nlanguages = [\"fr\"]\n");
    let (code, stderr) = build(dir.path(), &["--no-front-pages"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("warning: feed set `french` takes none of the 6 stories"),
        "{stderr}"
    );
    let public = dir.path().join("public");
    let (_, feed) = read_feed(&public.join("fr/atom.xml"));
    assert!(feed.entries.is_empty());
    // Without its front page, a set's feeds link to the site.
    let alternate = feed
        .links
        .iter()
        .find(|l| l.rel.as_deref() == Some("alternate"))
        .map(|l| l.href.clone());
    assert_eq!(alternate.as_deref(), Some(SITE));
    assert!(files_under(&public)
        .iter()
        .all(|p| !p.ends_with("index.html")));
}

/// A rebuild renders again only what a change touches, but never keeps a document whose file
/// was changed behind its back, and ends with the bytes a fresh build writes.
#[test]
fn a_change_rewrites_its_sets_and_any_tampered_document() {
    let dir = project("");
    build(dir.path(), &["--tag-feeds"]);
    let public = dir.path().join("public");
    let story = dir.path().join("articles/tg-kulob.txt");
    let text = std::fs::read_to_string(&story).unwrap();
    std::fs::write(&story, text.replace("200 нафар", "300 нафар")).unwrap();
    let en = public.join("en/rss.xml");
    let good = std::fs::read(&en).unwrap();
    std::fs::write(&en, "tampered").unwrap();
    let (_, stderr) = build(dir.path(), &["--tag-feeds", "-v"]);
    for line in [
        "public/tg/rss.xml: note: rss feed written",
        "public/rss.xml: note: rss feed written",
        "public/tags/iqtisodiyot/atom.xml: note: atom feed written",
        "public/en/rss.xml: note: rss feed written",
        "public/en/atom.xml: note: atom feed unchanged",
        "public/ru/index.html: note: front page unchanged",
    ] {
        assert!(stderr.contains(line), "{line}\n{stderr}");
    }
    assert_eq!(std::fs::read(&en).unwrap(), good);
    // The same bytes as a build from nothing.
    let fresh = dir.path().join("fresh");
    let out = fresh.to_str().unwrap();
    build(dir.path(), &["--tag-feeds", "--no-cache", "--out", out]);
    assert_eq!(documents(&public), documents(&fresh));
}

/// A control character in a sidecar's tag (here an escape sequence) reaches neither a folder
/// name, a feed, a page nor the terminal, and no feed is refused for it.
#[test]
fn control_characters_in_a_tag_reach_no_output() {
    let dir = project("");
    let sidecar = dir.path().join("articles/en-tashkent.toml");
    std::fs::write(&sidecar, "tags = [\"\\u001b[31mTrade\\u0007\"]\n").unwrap();
    let (code, stderr) = build(dir.path(), &["--tag-feeds", "-v"]);
    assert_eq!(code, 1, "only the known clash: {stderr}");
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains("REFUSED"),
        "{stderr}"
    );
    let folder = dir.path().join("public/tags/31mtrade");
    assert_eq!(stories_in(&folder.join("atom.xml")), set(&["en-tashkent"]));
    for page in ["index.html", "rss.xml"] {
        let text = std::fs::read_to_string(folder.join(page)).unwrap();
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{page}"
        );
    }
}
