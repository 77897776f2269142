//! The aggregators' documents of issue 13: the Yandex news feed (`yandex.xml`) and the Google
//! News sitemap (`news-sitemap.xml`), and the branding settings, built by the real binary from
//! the shipped articles and from stories made in temp dirs; every document is checked by
//! `wirefeed check` and read back by a parser of its own (feed-rs for the feed, quick-xml's
//! namespace-aware reader for the sitemap).

use std::path::Path;

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use crate::common::{code_and_stderr, files_under, shipped_project, wirefeed};

const SITEMAP_NS: &[u8] = b"http://www.sitemaps.org/schemas/sitemap/0.9";
const NEWS_NS: &[u8] = b"http://www.google.com/schemas/sitemap-news/0.9";

/// 2025-06-20T00:00:00Z: the shipped stories of 18 and 19 June are in the 48-hour window.
const JUNE_20: &str = "1750377600";

/// `wirefeed check` on a file: no finding at all, exit 0.
fn checked(path: &Path) {
    let out = wirefeed(Path::new("."))
        .arg("check")
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.stdout.is_empty() && out.status.code() == Some(0),
        "{}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stdout)
    );
}

/// A sitemap read back: per `url` (or `sitemap`), its `loc` and the text of each news child,
/// by local name, as a namespace-aware parser sees them.
#[derive(Debug, Default)]
struct Sitemap {
    root: String,
    entries: Vec<Vec<(String, String)>>,
}

fn read_sitemap(path: &Path) -> Sitemap {
    let text = std::fs::read_to_string(path).unwrap();
    let mut reader = NsReader::from_str(&text);
    let mut map = Sitemap::default();
    let mut current: Option<(bool, String)> = None;
    loop {
        match reader.read_resolved_event().unwrap() {
            (ns, Event::Start(e)) => {
                let local = String::from_utf8(e.local_name().as_ref().to_vec()).unwrap();
                let ns = match ns {
                    ResolveResult::Bound(n) => n.as_ref().to_vec(),
                    _ => Vec::new(),
                };
                if map.root.is_empty() {
                    assert_eq!(ns, SITEMAP_NS, "root namespace");
                    map.root = local;
                } else if local == "url" || local == "sitemap" {
                    map.entries.push(Vec::new());
                } else {
                    assert!(ns == SITEMAP_NS || ns == NEWS_NS, "{local}");
                    current = Some((ns == NEWS_NS, local));
                }
            }
            (_, Event::Text(t)) => {
                let text = String::from_utf8(t.to_vec()).unwrap();
                add_text(&mut map, &current, &text);
            }
            // quick-xml hands entity references over as events of their own.
            (_, Event::GeneralRef(r)) => {
                let name = String::from_utf8(r.to_vec()).unwrap();
                let text = quick_xml::escape::unescape(&format!("&{name};"))
                    .unwrap()
                    .into_owned();
                add_text(&mut map, &current, &text);
            }
            (_, Event::End(_)) => current = None,
            (_, Event::Eof) => break,
            _ => {}
        }
    }
    map
}

/// Appends text to the value of the element being read, if it is one of an entry's.
fn add_text(map: &mut Sitemap, current: &Option<(bool, String)>, text: &str) {
    let (Some((news, name)), Some(entry)) = (current, map.entries.last_mut()) else {
        return;
    };
    let key = if *news {
        format!("news:{name}")
    } else {
        name.clone()
    };
    match entry.last_mut() {
        Some((k, v)) if *k == key => v.push_str(text),
        _ if text.trim().is_empty() => {}
        _ => entry.push((key, text.to_string())),
    }
}

fn value<'a>(entry: &'a [(String, String)], key: &str) -> &'a str {
    entry
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {key} in {entry:?}"))
}

fn build(dir: &Path, clock: &str, args: &[&str]) -> (i32, String) {
    code_and_stderr(
        wirefeed(dir)
            .env(wirefeed::clock::SOURCE_DATE_EPOCH, clock)
            .arg("build")
            .args(args),
    )
}

const ALL: &str = "rss,atom,json,yandex,news-sitemap";

#[test]
fn the_shipped_articles_make_valid_yandex_feeds_and_news_sitemaps() {
    let dir = shipped_project();
    let (code, stderr) = build(
        dir.path(),
        JUNE_20,
        &[
            "--format",
            ALL,
            "--logo",
            "https://khovar.example/logo.png",
            "--icon",
            "https://khovar.example/icon.png",
            "--accent-color",
            "#1a5fb4",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let public = dir.path().join("public");
    // Every document of every set: checked by the project's own validator.
    let documents: Vec<_> = files_under(&public)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "xml" || e == "json"))
        .collect();
    assert!(documents.len() > 20, "{documents:?}");
    for path in &documents {
        checked(path);
    }
    // The Yandex feed: RSS that an independent parser reads, every item with the story's text
    // and none with the dateline, the credit or the related headlines.
    let bytes = std::fs::read(public.join("yandex.xml")).unwrap();
    let parsed = feed_rs::parser::parse(bytes.as_slice()).unwrap();
    let xml = String::from_utf8(bytes).unwrap();
    assert_eq!(parsed.entries.len(), 13, "every published story");
    assert_eq!(
        xml.matches("<yandex:genre>message</yandex:genre>").count(),
        13
    );
    assert_eq!(xml.matches("<yandex:full-text>").count(), 13);
    assert!(
        !xml.contains("/НИАТ «Ховар»/.</"),
        "no dateline in a full text"
    );
    let shos = xml
        .split("<item>")
        .find(|i| i.contains("2025/06/shos-ikt</guid>"))
        .unwrap();
    let full = shos
        .split("<yandex:full-text>")
        .nth(1)
        .and_then(|t| t.split("</yandex:full-text>").next())
        .unwrap();
    assert!(full.starts_with("17 июня в городе Карамай"), "{full}");
    assert!(!full.contains("ДУШАНБЕ, 18.06.2025"), "{full}");
    assert!(
        !full.contains("Секретариат ШОС в Пекине\n"),
        "no credit line: {full}"
    );
    assert!(
        !full.contains("Таджикские ученые планируют"),
        "no related headline: {full}"
    );
    assert!(full.contains('\n'), "paragraphs on their own lines");
    assert!(
        shos.contains(r#"length="758" type="image/png"/>"#),
        "{shos}"
    );
    assert!(
        xml.contains(r#"<yandex:logo type="square">https://khovar.example/icon.png</yandex:logo>"#)
    );
    assert!(xml.contains("<webfeeds:accentColor>1A5FB4</webfeeds:accentColor>"));
    // RSS and Atom carry the branding too; the OPML list and the front page only the feeds.
    let rss = std::fs::read_to_string(public.join("rss.xml")).unwrap();
    assert!(
        rss.contains("<url>https://khovar.example/logo.png</url>"),
        "{rss}"
    );
    let atom = std::fs::read_to_string(public.join("atom.xml")).unwrap();
    assert!(atom.contains("<icon>https://khovar.example/icon.png</icon>"));
    let opml = std::fs::read_to_string(public.join("feeds.opml")).unwrap();
    assert!(!opml.contains("yandex.xml") && !opml.contains("news-sitemap"));
    // The news sitemap: the stories of the 48 hours before the clock, newest first, each
    // with its publication, language, time on its city's clock and title.
    let map = read_sitemap(&public.join("news-sitemap.xml"));
    assert_eq!(map.root, "urlset");
    let locs: Vec<&str> = map.entries.iter().map(|e| value(e, "loc")).collect();
    assert!(locs.len() >= 3, "{locs:?}");
    assert!(
        locs.contains(&"https://khovar.example/news/2025/06/shos-ikt/"),
        "{locs:?}"
    );
    let mut dates = Vec::new();
    for e in &map.entries {
        assert_eq!(value(e, "news:name"), "НИАТ «Ховар» — новости");
        assert!(["ru", "tg", "en"].contains(&value(e, "news:language")));
        assert!(!value(e, "news:title").is_empty());
        let date = chrono::DateTime::parse_from_rfc3339(value(e, "news:publication_date"))
            .unwrap_or_else(|err| panic!("{e:?}: {err}"));
        assert!(date.timestamp() > 1_750_377_600 - 48 * 3600 && date.timestamp() <= 1_750_377_600);
        assert_eq!(
            date.offset().local_minus_utc(),
            5 * 3600,
            "Dushanbe's offset"
        );
        dates.push(date);
    }
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first");
    // Each language set has its own, with only its stories.
    let tg = read_sitemap(&public.join("tg/news-sitemap.xml"));
    assert!(tg.entries.iter().all(|e| value(e, "news:language") == "tg"));
    assert!(!tg.entries.is_empty());
}

#[test]
fn the_news_sitemap_follows_the_clock_and_a_rerun_notices() {
    let dir = shipped_project();
    let out = dir.path().join("public/news-sitemap.xml");
    let (code, stderr) = build(dir.path(), JUNE_20, &["--format", "rss,news-sitemap"]);
    assert_eq!(code, 0, "{stderr}");
    let before = read_sitemap(&out).entries.len();
    assert!(before > 0);
    // The same clock: nothing changed, nothing is rendered.
    let (code, stderr) = build(dir.path(), JUNE_20, &["--format", "rss,news-sitemap", "-v"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("up to date"), "{stderr}");
    // Three days later no file changed, but every story left the window: the rerun sees it
    // and writes an empty (still valid) sitemap.
    let later = (1_750_377_600 + 3 * 24 * 3600).to_string();
    let (code, stderr) = build(dir.path(), &later, &["--format", "rss,news-sitemap", "-v"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("up to date"), "{stderr}");
    checked(&out);
    let after = read_sitemap(&out);
    assert_eq!(after.root, "urlset");
    assert!(after.entries.is_empty(), "{:?}", after.entries);
}

/// A story file of `day` (1–28, June 2025) at `minute` past midnight, in Russian.
fn story(n: usize, day: u32, minute: u32) -> String {
    format!(
        "Новость номер {n}\nДУШАНБЕ, {day:02}.06.2025 {:02}:{:02} /НИАТ «Ховар»/. Текст новости {n}.\nВторой абзац.\n",
        minute / 60,
        minute % 60
    )
}

#[test]
fn more_than_a_thousand_stories_make_a_sitemap_index_and_pages() {
    let dir = tempfile::tempdir().unwrap();
    let articles = dir.path().join("articles");
    std::fs::create_dir_all(&articles).unwrap();
    // 1,201 stories a minute apart on 19 June, and one of 10 June, out of the window.
    for n in 0..1201 {
        std::fs::write(
            articles.join(format!("s{n:04}.txt")),
            story(n, 19, n as u32 % 1440),
        )
        .unwrap();
    }
    std::fs::write(articles.join("old.txt"), story(9999, 10, 0)).unwrap();
    let toml = "[feed]\nsite_url = \"https://e.org/\"\ntitle = \"Лента\"\nlimit = 5\n\
                [build]\nformats = [\"rss\", \"news-sitemap\"]\nuse_ledger = false\n";
    std::fs::write(dir.path().join("wirefeed.toml"), toml).unwrap();
    let (code, stderr) = build(dir.path(), JUNE_20, &[]);
    assert_eq!(code, 0, "{stderr}");
    let public = dir.path().join("public");
    let index = read_sitemap(&public.join("news-sitemap.xml"));
    assert_eq!(index.root, "sitemapindex");
    let pages: Vec<&str> = index.entries.iter().map(|e| value(e, "loc")).collect();
    assert_eq!(
        pages,
        [
            "https://e.org/news-sitemap-1.xml",
            "https://e.org/news-sitemap-2.xml"
        ]
    );
    checked(&public.join("news-sitemap.xml"));
    let mut all = Vec::new();
    for n in 1..=2 {
        let path = public.join(format!("news-sitemap-{n}.xml"));
        checked(&path);
        let page = read_sitemap(&path);
        assert_eq!(page.root, "urlset");
        all.extend(page.entries);
    }
    // Every story of the window, once, beyond the feed's limit of 5; not the old one.
    assert_eq!(all.len(), 1201);
    let mut locs: Vec<&str> = all.iter().map(|e| value(e, "loc")).collect();
    assert!(!locs.iter().any(|l| l.contains("old")));
    locs.sort();
    locs.dedup();
    assert_eq!(locs.len(), 1201);
    assert_eq!(
        read_sitemap(&public.join("news-sitemap-1.xml"))
            .entries
            .len(),
        1000
    );
}

#[test]
fn without_news_in_the_window_the_sitemap_is_empty_and_valid() {
    let dir = shipped_project();
    // 2026-01-01, the tests' usual clock: months after the newest story.
    let (code, stderr) =
        code_and_stderr(wirefeed(dir.path()).args(["build", "--format", "news-sitemap"]));
    assert_eq!(code, 0, "{stderr}");
    let out = dir.path().join("public/news-sitemap.xml");
    checked(&out);
    let map = read_sitemap(&out);
    assert_eq!((map.root.as_str(), map.entries.len()), ("urlset", 0));
}

#[test]
fn a_yandex_feed_over_ten_megabytes_leaves_out_its_oldest_items_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let articles = dir.path().join("articles");
    std::fs::create_dir_all(&articles).unwrap();
    // Twenty stories of about 620 KB of text each: 12 MB of full text.
    let paragraph = "Очень длинный абзац новости. ".repeat(600);
    for n in 0..20 {
        let body = (0..20)
            .map(|_| paragraph.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        let text = format!(
            "Большая новость {n}\nДУШАНБЕ, {:02}.06.2025 /НИАТ «Ховар»/. Лид.\n{body}\n",
            n + 1
        );
        assert!(text.len() < 1_048_576);
        std::fs::write(articles.join(format!("big{n:02}.txt")), text).unwrap();
    }
    let toml = "[feed]\nsite_url = \"https://e.org/\"\n[build]\nformats = [\"yandex\"]\nuse_ledger = false\n";
    std::fs::write(dir.path().join("wirefeed.toml"), toml).unwrap();
    let (code, stderr) = build(dir.path(), JUNE_20, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("yandex.xml") && stderr.contains("yandex.size"),
        "{stderr}"
    );
    let path = dir.path().join("public/yandex.xml");
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() < 10_000_000, "{}", bytes.len());
    checked(&path);
    let parsed = feed_rs::parser::parse(bytes.as_slice()).unwrap();
    assert!(
        (1..20).contains(&parsed.entries.len()),
        "{}",
        parsed.entries.len()
    );
    // The newest stay.
    assert_eq!(
        parsed.entries[0].title.as_ref().unwrap().content,
        "Большая новость 19"
    );
}

#[test]
fn a_bad_accent_color_or_an_icon_elsewhere_stops_the_build() {
    let dir = shipped_project();
    for args in [
        ["--accent-color", "blue"],
        ["--icon", "https://other.example/i.png"],
    ] {
        let (code, stderr) = build(dir.path(), JUNE_20, &args);
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains(&args[0][2..].replace('-', "_")), "{stderr}");
    }
}

#[test]
fn a_declared_set_writes_the_aggregator_formats_it_lists_and_no_other_set_does() {
    let dir = tempfile::tempdir().unwrap();
    crate::common::copy_dir(
        &crate::common::fixture("languages"),
        &dir.path().join("articles"),
    );
    let toml = "[feed]\nsite_url = \"https://example.org/\"\ntitle = \"Лента\"\n\
                [build]\nuse_ledger = false\n\
                [[feeds]]\nname = \"all\"\npath = \"\"\n\
                [[feeds]]\nname = \"tajik\"\npath = \"tg\"\ntitle = \"Хабарҳо\"\nlanguages = [\"tg\"]\n\
                formats = [\"atom\", \"yandex\", \"news-sitemap\"]\n";
    std::fs::write(dir.path().join("wirefeed.toml"), toml).unwrap();
    // 2025-06-05T00:00Z: the fixtures' stories of 3 and 4 June are in the window.
    let (code, stderr) = build(dir.path(), "1749081600", &[]);
    assert_eq!(code, 0, "{stderr}");
    let public = dir.path().join("public");
    assert!(!public.join("yandex.xml").exists() && !public.join("news-sitemap.xml").exists());
    let yandex = public.join("tg/yandex.xml");
    checked(&yandex);
    let bytes = std::fs::read(&yandex).unwrap();
    let parsed = feed_rs::parser::parse(bytes.as_slice()).unwrap();
    assert_eq!(parsed.title.unwrap().content, "Хабарҳо");
    assert!(!parsed.entries.is_empty());
    let xml = String::from_utf8(bytes).unwrap();
    // No dateline anywhere: not in the full text, not in the description.
    assert!(!xml.contains("/АМИТ «Ховар»/."), "no dateline: {xml}");
    assert!(
        xml.contains("<yandex:full-text>Дар Душанбе ҷашнвораи байналмилалии мусиқӣ"),
        "{xml}"
    );
    let sitemap = public.join("tg/news-sitemap.xml");
    checked(&sitemap);
    let map = read_sitemap(&sitemap);
    assert!(!map.entries.is_empty(), "{map:?}");
    for e in &map.entries {
        assert_eq!(value(e, "news:name"), "Хабарҳо");
        assert_eq!(value(e, "news:language"), "tg");
    }
}
