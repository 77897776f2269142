//! The front page (`index.html`) of a feed set: what a person sees on opening the set's folder
//! or clicking one of its feed links in a browser.
//!
//! Readers find the feeds through the page's autodiscovery links; people get the newest stories
//! and a subscribe block that says which address to copy into which kind of reader. Story text
//! is untrusted (a headline may hold `<script>`), so the page is built with `maud`, which
//! escapes every expression, and never glued from strings. The page is static and
//! self-contained — no script, no external resource but the stories' photos — and, like the
//! feeds, its bytes depend only on the input.

use maud::{html, Markup, PreEscaped, DOCTYPE};
use url::Url;

use super::{Entry, Feed, Format, GENERATOR};

/// Everything a front page shows besides the feed itself.
#[derive(Debug, Clone)]
pub struct Page<'a> {
    /// The set's feed model: title, description, language and the entries to list (newest
    /// first).
    pub feed: &'a Feed,
    /// This page's own public URL (the folder URL, ending in `/`): the canonical link.
    pub url: Url,
    /// This set's feeds, for autodiscovery and the subscribe block.
    pub feeds: Vec<FeedLink>,
    /// The root set's feeds (autodiscovery too), empty on the root page itself.
    pub root_feeds: Vec<FeedLink>,
    /// Pages of the language sets and the root "all languages" page, this one marked current.
    pub languages: Vec<PageLink>,
    /// The OPML subscription list of every feed, if written.
    pub opml: Option<Url>,
}

/// A feed to subscribe to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedLink {
    /// Its format (the link's media type and the subscribe block's explanation).
    pub format: Format,
    /// Its public URL.
    pub url: Url,
    /// What a reader shows when it offers the feed (autodiscovery `title`), e.g. "Лента (RSS)".
    pub title: String,
}

/// Another front page, in the language switcher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageLink {
    /// The set's language tag (`hreflang`, and `lang` on the label); `None` for the root page of
    /// all languages.
    pub lang: Option<String>,
    /// The language's own name (`Русский`, `Тоҷикӣ`), shown in that language; the root page's
    /// link shows this page's words for "all languages" instead.
    pub label: String,
    /// The page's public URL.
    pub url: Url,
    /// Whether it is the page being rendered (`aria-current="page"`).
    pub current: bool,
}

/// The page's words in one language.
struct Labels {
    latest: &'static str,
    no_stories: &'static str,
    subscribe: &'static str,
    subscribe_hint: &'static str,
    rss: &'static str,
    atom: &'static str,
    json: &'static str,
    opml: &'static str,
    related: &'static str,
    photo: &'static str,
    tags: &'static str,
    languages: &'static str,
    all_languages: &'static str,
}

const RU: Labels = Labels {
    latest: "Последние новости",
    no_stories: "Новостей пока нет.",
    subscribe: "Подписаться",
    subscribe_hint: "Скопируйте адрес ленты в программу для чтения новостей или откройте ссылку.",
    rss: "подходит для большинства программ чтения",
    atom: "стандарт IETF — для программ, которые его предпочитают",
    json: "для приложений и скриптов",
    opml: "все ленты одним списком — для импорта в программу чтения",
    related: "По теме",
    photo: "Фото",
    tags: "Теги",
    languages: "Языки",
    all_languages: "Все языки",
};

const TG: Labels = Labels {
    latest: "Хабарҳои охирин",
    no_stories: "Ҳоло хабаре нест.",
    subscribe: "Обуна",
    subscribe_hint: "Суроғаи лентаро ба барномаи хондани хабарҳо нусха кунед ё пайвандро кушоед.",
    rss: "барои аксари барномаҳои хониш",
    atom: "стандарти IETF — барои барномаҳое, ки онро афзал медонанд",
    json: "барои барномаҳо ва скриптҳо",
    opml: "ҳамаи лентаҳо дар як рӯйхат — барои воридот ба барномаи хониш",
    related: "Дар ин мавзӯъ",
    photo: "Акс",
    tags: "Барчаспҳо",
    languages: "Забонҳо",
    all_languages: "Ҳамаи забонҳо",
};

const EN: Labels = Labels {
    latest: "Latest stories",
    no_stories: "No stories yet.",
    subscribe: "Subscribe",
    subscribe_hint: "Copy a feed's address into your news reader, or open the link.",
    rss: "works in most readers",
    atom: "the IETF standard, for readers that prefer it",
    json: "for apps and scripts",
    opml: "every feed in one list, to import into a reader",
    related: "Related",
    photo: "Photo",
    tags: "Tags",
    languages: "Languages",
    all_languages: "All languages",
};

/// The words for a page in `lang`: Russian, Tajik or English, and English for any other.
fn labels(lang: &str) -> &'static Labels {
    // `ru-RU` reads the same words as `ru`.
    let primary = lang.split(['-', '_']).next().unwrap_or(lang);
    if primary.eq_ignore_ascii_case("ru") {
        &RU
    } else if primary.eq_ignore_ascii_case("tg") {
        &TG
    } else {
        &EN
    }
}

impl Labels {
    /// The format's full name and what it is for.
    fn format(&self, format: Format) -> (&'static str, &'static str) {
        match format {
            Format::Rss => ("RSS 2.0", self.rss),
            Format::Atom => ("Atom 1.0", self.atom),
            Format::Json => ("JSON Feed 1.1", self.json),
            // Never listed (not a feed a reader takes), but named like the others if it were.
            Format::Ninjs => ("IPTC ninjs 3.3", self.json),
            // Pages list the feeds readers subscribe to; an aggregator's document is its own.
            Format::Yandex => ("Yandex RSS", self.rss),
            Format::NewsSitemap => ("Google News sitemap", self.rss),
        }
    }
}

/// Only the page's own inline style and the stories' photos may load: no script, no frame, no
/// form target, whatever a story's text holds.
const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src http: https:; base-uri 'none'; form-action 'none'";

/// One column that reads on a phone and a desktop, in the system's fonts and colour scheme.
const STYLE: &str = "\
:root{color-scheme:light dark;--fg:#1c1c1c;--muted:#5a5a5a;--bg:#fff;--line:#dcdcdc;--link:#0b57d0;--box:#f3f3f0}\
@media (prefers-color-scheme:dark){:root{--fg:#e6e6e6;--muted:#a6a6a6;--bg:#141414;--line:#333;--link:#8ab4f8;--box:#1f1f1f}}\
*{box-sizing:border-box}\
body{margin:0 auto;max-width:46rem;padding:1rem;font:1.0625rem/1.55 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Noto Sans\",sans-serif;color:var(--fg);background:var(--bg);overflow-wrap:break-word}\
a{color:var(--link)}\
h1{font-size:1.75rem;line-height:1.2;margin:.5rem 0 .25rem}\
h2{font-size:1.125rem;margin:1.5rem 0 .5rem}\
header p{margin:0;color:var(--muted)}\
.languages ul{list-style:none;display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:.75rem 0 0;padding:0}\
.languages [aria-current]{color:inherit;font-weight:600;text-decoration:none}\
#subscribe{background:var(--box);border-radius:.5rem;padding:.25rem 1rem .5rem;margin:1.25rem 0}\
#subscribe h2{margin-top:.75rem}\
#subscribe p{margin:.25rem 0 .5rem}\
#subscribe ul{list-style:none;margin:0;padding:0}\
#subscribe li{margin:.5rem 0}\
#subscribe code{display:block;font-size:.875rem;overflow-wrap:anywhere;user-select:all}\
article{display:flow-root;border-top:1px solid var(--line);padding:1rem 0}\
article h3{font-size:1.25rem;line-height:1.3;margin:0 0 .25rem}\
article p{margin:.25rem 0}\
.dateline,.by,figcaption,.related h4,.tags{color:var(--muted);font-size:.875rem}\
figure{margin:.5rem 0}\
img{display:block;max-width:100%;height:auto}\
@media (min-width:40rem){figure{float:right;width:15rem;margin:.25rem 0 .5rem 1rem}}\
.related h4{margin:.75rem 0 0;font-weight:600}\
.related ul{margin:.25rem 0;padding-left:1.25rem}\
.tags{list-style:none;display:flex;flex-wrap:wrap;gap:.25rem .75rem;margin:.5rem 0 0;padding:0}\
.tags li::before{content:\"#\"}";

/// Renders the page as HTML5 (UTF-8 bytes, ending in a newline).
pub fn render(page: &Page<'_>) -> Vec<u8> {
    let feed = page.feed;
    let words = labels(&feed.language);
    let markup = html! {
        (DOCTYPE)
        html lang=(feed.language) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta http-equiv="Content-Security-Policy" content=(CONTENT_SECURITY_POLICY);
                title { (feed.title) }
                @if !feed.description.is_empty() {
                    meta name="description" content=(feed.description);
                }
                meta name="generator" content={ (GENERATOR) " " (env!("CARGO_PKG_VERSION")) };
                link rel="canonical" href=(page.url);
                @for link in page.feeds.iter().chain(&page.root_feeds) {
                    link rel="alternate" type=(link.format.media_type()) title=(link.title)
                        href=(link.url);
                }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    h1 { (feed.title) }
                    @if !feed.description.is_empty() {
                        p { (feed.description) }
                    }
                    @if !page.languages.is_empty() {
                        (languages(&page.languages, words))
                    }
                }
                main {
                    (subscribe(page, words))
                    section {
                        h2 { (words.latest) }
                        @for e in &feed.entries {
                            (entry(e, words))
                        }
                        @if feed.entries.is_empty() {
                            p { (words.no_stories) }
                        }
                    }
                }
            }
        }
    };
    let mut html = markup.into_string();
    html.push('\n');
    html.into_bytes()
}

/// The language switcher: each language's name in that language.
fn languages(links: &[PageLink], words: &Labels) -> Markup {
    html! {
        nav.languages aria-label=(words.languages) {
            ul {
                @for link in links {
                    li {
                        @match &link.lang {
                            Some(lang) => a href=(link.url) hreflang=(lang) lang=(lang)
                                aria-current=[link.current.then_some("page")] { (link.label) },
                            // `x-default` is how hreflang names the page for any language.
                            None => a href=(link.url) hreflang="x-default"
                                aria-current=[link.current.then_some("page")] { (words.all_languages) },
                        }
                    }
                }
            }
        }
    }
}

/// Each feed's address as text to copy (one click selects it all) and as a link.
fn subscribe(page: &Page<'_>, words: &Labels) -> Markup {
    html! {
        section #subscribe {
            h2 { (words.subscribe) }
            p { (words.subscribe_hint) }
            ul {
                @for link in &page.feeds {
                    @let (name, purpose) = words.format(link.format);
                    li {
                        a href=(link.url) type=(link.format.media_type()) { (name) }
                        " — " (purpose)
                        code { (link.url) }
                    }
                }
                @if let Some(opml) = &page.opml {
                    li {
                        a href=(opml) type="text/x-opml" { "OPML" }
                        " — " (words.opml)
                        code { (opml) }
                    }
                }
            }
        }
    }
}

/// One story: headline, dateline, agency, photo, summary, related stories and tags.
fn entry(e: &Entry, words: &Labels) -> Markup {
    let (datetime, shown) = when(e);
    html! {
        article lang=(e.lang) {
            h3 { a href=(e.url) { (e.title) } }
            p.dateline {
                @if !e.city.is_empty() {
                    (e.city) ", "
                }
                time datetime=(datetime) { (shown) }
            }
            @if !e.author.is_empty() || e.byline.is_some() {
                p.by {
                    (e.author)
                    @if let Some(byline) = &e.byline {
                        @if !e.author.is_empty() { " · " }
                        (byline)
                    }
                }
            }
            @if let Some(photo) = &e.photo {
                figure {
                    img src=(photo.url) alt=(photo.caption.as_deref().unwrap_or(&e.title))
                        width=[photo.width] height=[photo.height] loading="lazy" decoding="async";
                    @if let Some(credit) = &e.credit {
                        figcaption { (words.photo) ": " (credit) }
                    }
                }
            }
            @if !e.summary.is_empty() {
                p.summary { (e.summary) }
            }
            @if !e.related.is_empty() {
                div.related {
                    h4 { (words.related) }
                    ul {
                        @for r in &e.related {
                            li {
                                @if let Some(url) = &r.url {
                                    a href=(url) { (r.title) }
                                } @else {
                                    (r.title)
                                }
                            }
                        }
                    }
                }
            }
            @if !e.tags.is_empty() {
                ul.tags aria-label=(words.tags) {
                    @for tag in &e.tags {
                        li { (tag) }
                    }
                }
            }
        }
    }
}

/// The `datetime` attribute and the shown "18.06.2025 14:30", in the dateline city's own offset.
/// Without a known time of day both are the date alone: midnight would be invented.
fn when(e: &Entry) -> (String, String) {
    if e.timed {
        (
            e.published
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            e.published.format("%d.%m.%Y %H:%M").to_string(),
        )
    } else {
        (
            e.published.format("%Y-%m-%d").to_string(),
            e.published.format("%d.%m.%Y").to_string(),
        )
    }
}

#[cfg(test)]
mod tests {
    use scraper::{ElementRef, Html, Selector};

    use super::*;
    use crate::feed::sample_feed;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn feed_links(base: &str, title: &str) -> Vec<FeedLink> {
        Format::ALL
            .iter()
            .map(|f| FeedLink {
                format: *f,
                url: url(&format!("{base}feed.{}", f.name())),
                title: format!("{title} ({})", f.name()),
            })
            .collect()
    }

    /// The Russian set's page of the sample feed, with the root's feeds and three languages.
    fn sample_page(feed: &Feed) -> Page<'_> {
        let lang = |lang: Option<&str>, label: &str, path: &str, current: bool| PageLink {
            lang: lang.map(str::to_string),
            label: label.into(),
            url: url(&format!("https://e.org/{path}")),
            current,
        };
        Page {
            feed,
            url: url("https://e.org/ru/"),
            feeds: feed_links("https://e.org/ru/", "Лента"),
            root_feeds: feed_links("https://e.org/", "Все новости"),
            languages: vec![
                lang(None, "", "", false),
                lang(Some("ru"), "Русский", "ru/", true),
                lang(Some("tg"), "Тоҷикӣ", "tg/", false),
            ],
            opml: Some(url("https://e.org/feeds.opml")),
        }
    }

    /// Renders and parses with html5ever, which must find no HTML5 parse error.
    fn parse(page: &Page<'_>) -> (String, Html) {
        let bytes = render(page);
        let text = String::from_utf8(bytes).unwrap();
        let html = Html::parse_document(&text);
        assert!(html.errors.is_empty(), "{:?}\n{text}", html.errors);
        (text, html)
    }

    fn select<'a>(html: &'a Html, css: &str) -> Vec<ElementRef<'a>> {
        html.select(&Selector::parse(css).unwrap()).collect()
    }

    fn attr<'a>(e: &ElementRef<'a>, name: &str) -> &'a str {
        e.value().attr(name).unwrap_or_default()
    }

    fn text(e: &ElementRef<'_>) -> String {
        e.text().collect()
    }

    #[test]
    fn head_has_title_language_description_and_generator() {
        let feed = sample_feed();
        let (_, html) = parse(&sample_page(&feed));
        assert_eq!(attr(&select(&html, "html")[0], "lang"), "ru");
        assert_eq!(text(&select(&html, "head > title")[0]), "Лента");
        assert_eq!(text(&select(&html, "h1")[0]), "Лента");
        assert_eq!(attr(&select(&html, "meta[charset]")[0], "charset"), "utf-8");
        assert!(attr(&select(&html, "meta[name=viewport]")[0], "content")
            .contains("width=device-width"));
        assert_eq!(
            attr(&select(&html, "meta[name=description]")[0], "content"),
            "Новости"
        );
        assert!(attr(&select(&html, "meta[name=generator]")[0], "content").starts_with("wirefeed "));
    }

    #[test]
    fn autodiscovery_lists_the_sets_feeds_then_the_roots() {
        let feed = sample_feed();
        let page = sample_page(&feed);
        let (_, html) = parse(&page);
        let links = select(&html, "head link[rel=alternate]");
        let want: Vec<(&str, String, &str)> = page
            .feeds
            .iter()
            .chain(&page.root_feeds)
            .map(|f| (f.format.media_type(), f.url.to_string(), f.title.as_str()))
            .collect();
        let got: Vec<(&str, String, &str)> = links
            .iter()
            .map(|l| {
                (
                    attr(l, "type"),
                    attr(l, "href").to_string(),
                    attr(l, "title"),
                )
            })
            .collect();
        assert_eq!(got, want);
        assert_eq!(got.len(), 6);
        assert_eq!(
            got[..3].iter().map(|g| g.0).collect::<Vec<_>>(),
            [
                "application/rss+xml",
                "application/atom+xml",
                "application/feed+json"
            ]
        );
        assert_eq!(got[3].1, "https://e.org/feed.rss");
    }

    #[test]
    fn canonical_link_is_the_pages_own_url() {
        let feed = sample_feed();
        let (_, html) = parse(&sample_page(&feed));
        let canonical = select(&html, "link[rel=canonical]");
        assert_eq!(canonical.len(), 1);
        assert_eq!(attr(&canonical[0], "href"), "https://e.org/ru/");
    }

    #[test]
    fn subscribe_block_shows_each_feed_url_as_text_and_link_with_its_use() {
        let feed = sample_feed();
        let page = sample_page(&feed);
        let (_, html) = parse(&page);
        let items = select(&html, "#subscribe li");
        assert_eq!(items.len(), 4, "three feeds and the OPML list");
        let feeds = page.feeds.iter().map(|f| f.url.as_str());
        for (item, want) in items.iter().zip(feeds.chain(["https://e.org/feeds.opml"])) {
            let link = item.select(&Selector::parse("a").unwrap()).next().unwrap();
            let code = item
                .select(&Selector::parse("code").unwrap())
                .next()
                .unwrap();
            assert_eq!(attr(&link, "href"), want);
            assert_eq!(text(&code), want);
        }
        assert_eq!(text(&select(&html, "#subscribe h2")[0]), "Подписаться");
        assert!(text(&items[0]).contains("RSS 2.0 — подходит для большинства"));
        assert!(text(&items[1]).starts_with("Atom 1.0"));
        assert!(text(&items[2]).starts_with("JSON Feed 1.1"));
    }

    #[test]
    fn each_entry_links_its_headline_and_dates_it_in_its_city() {
        let feed = sample_feed();
        let (_, html) = parse(&sample_page(&feed));
        let articles = select(&html, "article");
        assert_eq!(articles.len(), feed.entries.len());
        let headlines = select(&html, "article h3 a");
        for (a, e) in headlines.iter().zip(&feed.entries) {
            assert_eq!(attr(a, "href"), e.url.as_str());
            assert_eq!(text(a), e.title);
        }
        let dateline = select(&html, "article .dateline");
        assert_eq!(text(&dateline[0]), "ДУШАНБЕ, 18.06.2025 14:30");
        let time = select(&html, "article time");
        assert_eq!(attr(&time[0], "datetime"), "2025-06-18T14:30:00+05:00");
        assert_eq!(attr(&articles[0], "lang"), "ru");
        assert_eq!(attr(&articles[1], "lang"), "tg");
        assert_eq!(
            text(&select(&html, "article .by")[0]),
            "НИАТ «Ховар» · Иван Петров"
        );
        assert_eq!(text(&select(&html, "article .by")[1]), "Ховар");
        assert!(text(&articles[0]).contains("ИКТ & связь"));
    }

    #[test]
    fn date_only_entry_shows_no_invented_midnight() {
        let feed = sample_feed();
        assert!(!feed.entries[1].timed);
        let (text_, html) = parse(&sample_page(&feed));
        let time = select(&html, "article time");
        assert_eq!(attr(&time[1], "datetime"), "2025-06-17");
        assert_eq!(
            text(&select(&html, "article .dateline")[1]),
            "ХУҶАНД, 17.06.2025"
        );
        assert!(!text_.contains("00:00"), "{text_}");
    }

    #[test]
    fn photo_thumbnail_has_caption_as_alt_its_size_and_the_credit() {
        let mut feed = sample_feed();
        let (_, html) = parse(&sample_page(&feed));
        let imgs = select(&html, "img");
        assert_eq!(imgs.len(), 1, "only the first entry has a photo");
        let img = &imgs[0];
        assert_eq!(attr(img, "src"), "https://e.org/media/2025/06/a.jpg");
        assert_eq!(attr(img, "alt"), "Подпись <i>к</i> фото");
        assert_eq!((attr(img, "width"), attr(img, "height")), ("800", "600"));
        assert_eq!(attr(img, "loading"), "lazy");
        assert_eq!(text(&select(&html, "figcaption")[0]), "Фото: Автор");

        // Without a caption or a size: the headline is the alt text and no size is guessed.
        let photo = feed.entries[0].photo.as_mut().unwrap();
        (photo.caption, photo.width, photo.height) = (None, None, None);
        let (_, html) = parse(&sample_page(&feed));
        let img = &select(&html, "img")[0];
        assert_eq!(attr(img, "alt"), feed.entries[0].title);
        assert_eq!(img.value().attr("width"), None);
    }

    #[test]
    fn related_stories_are_links_when_resolved_and_text_otherwise() {
        let feed = sample_feed();
        let (_, html) = parse(&sample_page(&feed));
        assert_eq!(text(&select(&html, ".related h4")[0]), "По теме");
        let items = select(&html, ".related li");
        assert_eq!(items.len(), 2);
        let link = select(&html, ".related li a");
        assert_eq!(link.len(), 1);
        assert_eq!(attr(&link[0], "href"), "https://e.org/news/2025/06/b/");
        assert_eq!(text(&link[0]), "Другая");
        assert_eq!(text(&items[1]), "Без ссылки");
    }

    #[test]
    fn language_links_carry_hreflang_and_lang_and_mark_this_page() {
        let feed = sample_feed();
        let (_, html) = parse(&sample_page(&feed));
        let links = select(&html, "nav.languages a");
        let got: Vec<(&str, Option<&str>, String, &str)> = links
            .iter()
            .map(|a| {
                (
                    attr(a, "hreflang"),
                    a.value().attr("lang"),
                    text(a),
                    attr(a, "href"),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("x-default", None, "Все языки".into(), "https://e.org/"),
                ("ru", Some("ru"), "Русский".into(), "https://e.org/ru/"),
                ("tg", Some("tg"), "Тоҷикӣ".into(), "https://e.org/tg/"),
            ]
        );
        let current: Vec<_> = select(&html, "nav.languages a[aria-current=page]");
        assert_eq!(current.len(), 1);
        assert_eq!(attr(&current[0], "hreflang"), "ru");
    }

    #[test]
    fn hostile_text_stays_text() {
        let mut feed = sample_feed();
        let hostile = "\"><script>alert(1)</script><b>x</b>";
        feed.title = hostile.into();
        feed.entries[0].credit = Some(hostile.into());
        feed.entries[0].photo.as_mut().unwrap().caption = Some(hostile.into());
        feed.entries[0].related[1].title = hostile.into();
        feed.entries[0].tags.push(hostile.into());
        let (_, html) = parse(&sample_page(&feed));
        for tag in ["script", "b", "i"] {
            assert!(
                select(&html, tag).is_empty(),
                "a `{tag}` element was made from text"
            );
        }
        assert_eq!(text(&select(&html, "title")[0]), hostile);
        assert_eq!(attr(&select(&html, "img")[0], "alt"), hostile);
        assert_eq!(
            text(&select(&html, "figcaption")[0]),
            format!("Фото: {hostile}")
        );

        // The sample's own markup-like headline and summary, untouched.
        let feed = sample_feed();
        let (_, html) = parse(&sample_page(&feed));
        assert!(select(&html, "b").is_empty());
        assert_eq!(
            text(&select(&html, "h3 a")[0]),
            "Заголовок <b>с</b> & знаками"
        );
        assert!(text(&select(&html, ".summary")[0]).contains("Лид <script>x</script> & 1 < 2."));
    }

    #[test]
    fn no_script_of_any_kind() {
        let feed = sample_feed();
        let (source, html) = parse(&sample_page(&feed));
        assert!(!source.contains("<script"));
        assert!(select(&html, "script").is_empty());
        for e in select(&html, "*") {
            for (name, value) in e.value().attrs() {
                assert!(!name.starts_with("on"), "event handler `{name}`");
                assert!(!value.trim_start().starts_with("javascript:"), "{value}");
            }
        }
        let csp = select(&html, "meta[http-equiv=Content-Security-Policy]");
        let csp = attr(&csp[0], "content");
        assert!(
            csp.starts_with("default-src 'none';") && !csp.contains("script-src"),
            "{csp}"
        );
        assert!(
            select(&html, "link[rel=stylesheet]").is_empty(),
            "no external resource"
        );
    }

    #[test]
    fn page_validates_as_html5_for_every_shape() {
        // The check is real: html5ever reports what a browser would have to repair.
        assert!(!Html::parse_document("<!DOCTYPE html><p>x</div>")
            .errors
            .is_empty());
        assert!(!Html::parse_document("<p>no doctype</p>").errors.is_empty());

        let feed = sample_feed();
        parse(&sample_page(&feed));
        // The root page: no root feeds, no OPML, no languages, and no stories yet.
        let mut empty = sample_feed();
        empty.entries.clear();
        empty.description.clear();
        let page = Page {
            root_feeds: Vec::new(),
            languages: Vec::new(),
            opml: None,
            ..sample_page(&empty)
        };
        let (_, html) = parse(&page);
        assert_eq!(
            text(&select(&html, "main section")[1]),
            "Последние новостиНовостей пока нет."
        );
        assert!(select(&html, "nav").is_empty());
        assert!(select(&html, "meta[name=description]").is_empty());
    }

    #[test]
    fn labels_follow_the_page_language_with_english_fallback() {
        for (lang, subscribe, related) in [
            ("ru", "Подписаться", "По теме"),
            ("ru-RU", "Подписаться", "По теме"),
            ("tg", "Обуна", "Дар ин мавзӯъ"),
            ("TG-cyrl", "Обуна", "Дар ин мавзӯъ"),
            ("en", "Subscribe", "Related"),
            ("uz", "Subscribe", "Related"),
        ] {
            let mut feed = sample_feed();
            feed.language = lang.into();
            let (_, html) = parse(&sample_page(&feed));
            assert_eq!(attr(&select(&html, "html")[0], "lang"), lang);
            assert_eq!(
                text(&select(&html, "#subscribe h2")[0]),
                subscribe,
                "{lang}"
            );
            assert_eq!(text(&select(&html, ".related h4")[0]), related, "{lang}");
        }
    }

    #[test]
    fn same_input_same_bytes_ending_in_a_newline() {
        let feed = sample_feed();
        let a = render(&sample_page(&feed));
        let b = render(&sample_page(&feed));
        assert_eq!(a, b);
        assert!(a.starts_with(b"<!DOCTYPE html><html lang=\"ru\"><head><meta charset=\"utf-8\">"));
        assert!(a.ends_with(b"</html>\n"));
    }

    /// Writes the sample page for a look in a browser:
    /// `WIREFEED_PAGE=/tmp/page/index.html cargo test --lib write_sample_page -- --ignored`.
    #[test]
    #[ignore = "writes a file for a manual look"]
    fn write_sample_page() {
        let path = std::env::var_os("WIREFEED_PAGE").expect("WIREFEED_PAGE: where to write");
        let path = std::path::PathBuf::from(path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        let feed = sample_feed();
        std::fs::write(&path, render(&sample_page(&feed))).unwrap();
    }
}
