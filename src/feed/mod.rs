//! The format-neutral feed model and the renderers that turn it into documents.
//!
//! [`Feed`] and [`Entry`] know nothing of XML: each field's doc says where it goes in RSS, Atom
//! and JSON Feed. Each format is one module with a [`Renderer`]; adding a format (or a feed per
//! tag or language, which is just another `Feed` value) does not touch the model.

pub mod atom;
pub mod history;
pub mod html;
pub mod json;
pub mod ninjs;
pub mod opml;
pub mod page;
pub mod rss;
pub mod sitemap;
pub mod stylesheet;
pub mod yandex;

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use url::Url;

use crate::article::Article;
pub use crate::config::Branding;
use crate::config::Config;
pub use crate::format::Format;

/// Name and version written as the feeds' generator.
pub const GENERATOR: &str = "wirefeed";

/// A related story named at the end of an entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RelatedLink {
    /// The headline: the target's own headline when resolved, else as cited.
    pub title: String,
    /// The target's URL when the headline was resolved (Atom `link rel="related"`, HTML link).
    pub url: Option<Url>,
    /// The target's entry id when the headline was resolved (for formats that name stories by
    /// id, such as IPTC ninjs associations).
    pub id: Option<String>,
}

/// A story's lead photo.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Photo {
    /// Where it is served (RSS `enclosure url`, `media:content url`, Atom `link rel=enclosure`,
    /// JSON `image` and `attachments[].url`, the HTML `<img src>`).
    pub url: Url,
    /// Its media type, from its header bytes; unknown for a photo given as a URL.
    pub mime: Option<&'static str>,
    /// Its size in bytes (enclosure `length`, `fileSize`); unknown for a photo given as a URL,
    /// and then there is no enclosure (a length of 0 is not allowed).
    pub length: Option<u64>,
    /// Width in pixels, from the header.
    pub width: Option<u32>,
    /// Height in pixels, from the header.
    pub height: Option<u32>,
    /// The caption (`media:description`, `<figcaption>`).
    pub caption: Option<String>,
}

/// Where a story came from, when its agency has its own site (RSS `source`, Atom `source`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Source {
    /// The agency's name.
    pub title: String,
    /// The agency's feed or site URL.
    pub url: Url,
}

/// One entry of a feed.
#[derive(Debug, Clone, PartialEq, Hash)]
pub struct Entry {
    /// Permanent id (RSS `guid` isPermaLink=false, Atom `id`, JSON `id`).
    pub id: String,
    /// Absolute article URL (RSS `link`, Atom `link rel="alternate"`, JSON `url`).
    pub url: Url,
    /// Headline (`title` everywhere).
    pub title: String,
    /// Publication time (RSS `pubDate`, Atom `published`, JSON `date_published`).
    pub published: DateTime<FixedOffset>,
    /// Last change (Atom `updated`, JSON `date_modified`); the dateline time when nothing later
    /// is known.
    pub updated: DateTime<FixedOffset>,
    /// The agency (RSS `dc:creator`, Atom `author/name`, JSON `authors[].name`) when there is
    /// no byline.
    pub author: String,
    /// The byline, which takes the agency's place as the author (the agency stays the source).
    pub byline: Option<String>,
    /// Topic tags (RSS `category`, Atom `category term label`, JSON `tags`).
    pub tags: Vec<String>,
    /// The sidecar's summary, else the lead paragraph, as plain text (RSS `description`, Atom
    /// `summary`, JSON `summary`).
    pub summary: String,
    /// Full text as HTML (RSS `content:encoded`, Atom `content type="html"`, JSON `content_html`).
    pub content_html: String,
    /// The body as plain text, one string per paragraph: the lead without its dateline prefix
    /// (`CITY, DATE /AGENCY/.`), and neither the photo credit nor the related headlines (what
    /// aggregators that take the text alone want, e.g. Yandex's `yandex:full-text`).
    pub text: Vec<String>,
    /// Language tag (Atom `xml:lang` of title/summary/content, JSON `language`).
    pub lang: String,
    /// The dateline's city, as written (the front page's "city, date" line).
    pub city: String,
    /// Whether the time of day of `published` is known (from the dateline or the sidecar);
    /// otherwise it is midnight by convention and a page shows the date alone.
    pub timed: bool,
    /// Photo credit (`media:credit` in RSS and Atom; in the HTML content everywhere).
    pub credit: Option<String>,
    /// The lead photo, if the story has one that can be published.
    pub photo: Option<Photo>,
    /// Related stories (Atom `link rel="related"` for resolved ones; HTML list everywhere).
    pub related: Vec<RelatedLink>,
    /// The agency's own site (RSS `source`, Atom `source`).
    pub source: Option<Source>,
}

/// A feed: channel metadata and entries, newest first.
#[derive(Debug, Clone, PartialEq, Hash)]
pub struct Feed {
    /// Title.
    pub title: String,
    /// Description (RSS `description`, Atom `subtitle`, JSON `description`).
    pub description: String,
    /// Site URL (RSS `link`, Atom `link rel="alternate"`, JSON `home_page_url`).
    pub site_url: Url,
    /// Default language (RSS `language`, Atom `xml:lang`, JSON `language`).
    pub language: String,
    /// Feed id (Atom `id`): the site URL, which never changes for a site.
    pub id: String,
    /// Default author (Atom feed `author`), if configured.
    pub author: Option<String>,
    /// Public URL of each format's file (RSS `atom:link rel="self"`, Atom `link rel="self"`,
    /// JSON `feed_url`).
    pub self_urls: BTreeMap<Format, Url>,
    /// Newest entry's `updated` (RSS `lastBuildDate`, Atom `updated`): from the input, not the
    /// clock, so the same input gives the same bytes.
    pub updated: DateTime<FixedOffset>,
    /// Entries, newest first.
    pub entries: Vec<Entry>,
    /// An XSLT stylesheet for browsers (RSS and Atom `<?xml-stylesheet?>`), if any.
    pub stylesheet: Option<Url>,
    /// WebSub hubs that relay the feed's updates (RSS `atom:link rel="hub"`, Atom
    /// `link rel="hub"`, JSON `hubs[].url` of type `WebSub`).
    pub hubs: Vec<Url>,
    /// Stories withdrawn or deleted after they were in this feed, newest first (Atom
    /// `at:deleted-entry`, RFC 6721; RSS and JSON Feed have no such thing and just drop them).
    pub tombstones: Vec<Tombstone>,
    /// RFC 5005 archive links (RSS `atom:link`, Atom `link`, and `fh:archive` on an archive
    /// document); JSON Feed has no such standard and ignores it.
    pub history: Option<history::History>,
    /// The publisher's icon, logo and accent colour.
    pub branding: Branding,
    /// Every story of the feed's set published in the 48 hours before the build clock, newest
    /// first (the Google News sitemap's URLs; not limited to `entries`). Empty for documents
    /// that do not list them.
    pub news: Vec<Entry>,
}

/// A story that left a feed it was in: its entry id and when it left.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Tombstone {
    /// The id its entry had.
    pub id: String,
    /// When it left: the build clock of the build that saw it withdrawn or deleted.
    pub when: DateTime<FixedOffset>,
}

impl Entry {
    /// Who wrote it: the byline when there is one, else the agency.
    pub fn creator(&self) -> &str {
        self.byline.as_deref().unwrap_or(&self.author)
    }
}

impl Feed {
    /// The public URL of this feed in `format`.
    pub fn self_url(&self, format: Format) -> Option<&Url> {
        self.self_urls.get(&format)
    }
}

/// A story to publish with its related headlines already resolved to (title, target).
#[derive(Debug, Clone)]
pub struct Publishable<'a> {
    /// The story.
    pub article: &'a Article,
    /// One link per related headline, in the story's order.
    pub related: Vec<RelatedLink>,
    /// The story's lead photo, if it can be published.
    pub photo: Option<Photo>,
}

/// The newest `updated` of `entries`: a feed's own `updated`, from its input and never from
/// the clock (the Unix epoch for a feed without entries).
pub fn newest_update(entries: &[Entry]) -> DateTime<FixedOffset> {
    entries
        .iter()
        .map(|e| e.updated)
        .max()
        .unwrap_or_else(|| DateTime::UNIX_EPOCH.fixed_offset())
}

/// Builds the feed model from stories that are already sorted newest first and limited.
pub fn build_feed(config: &Config, stories: &[Publishable<'_>]) -> Feed {
    let entries: Vec<Entry> = stories.iter().map(|s| entry(config, s)).collect();
    let updated = newest_update(&entries);
    Feed {
        title: config.title.clone(),
        description: config.description.clone(),
        site_url: config.site_url.clone(),
        language: config.story.language.clone(),
        id: config.site_url.to_string(),
        author: config.author.clone(),
        self_urls: Format::EVERY
            .iter()
            .map(|f| (*f, config.feed_url(*f)))
            .collect(),
        updated,
        entries,
        stylesheet: None,
        hubs: config.hubs.clone(),
        tombstones: Vec::new(),
        history: None,
        branding: config.branding.clone(),
        news: Vec::new(),
    }
}

/// The agency's own feed, when it is configured (RSS `source`, Atom `source`).
pub fn source_of(config: &Config, agency: &str) -> Option<Source> {
    if config.agencies.is_empty() {
        return None; // and no Unicode normalisation, which archive documents do 100,000 times
    }
    // Agencies are configured by name as people write it; the dateline's spelling of quotes
    // and case may differ.
    let agency = crate::related::normalize(agency);
    config
        .agencies
        .iter()
        .find(|(name, _)| crate::related::normalize(name) == agency)
        .map(|(_, agency)| Source {
            title: agency.title.clone(),
            url: agency.url.clone(),
        })
}

/// The entry of one story, the same in every feed that carries it.
pub fn entry(config: &Config, story: &Publishable<'_>) -> Entry {
    let a = story.article;
    let author = if a.dateline.agency.is_empty() {
        config.author.clone().unwrap_or_default()
    } else {
        a.dateline.agency.clone()
    };
    let source = source_of(config, &a.dateline.agency);
    Entry {
        id: config.entry_id(&a.id),
        url: config.article_url.render(a.date, &a.id, &a.slug),
        title: a.title.clone(),
        published: a.date,
        updated: a.updated(),
        author,
        byline: a.meta.author.clone(),
        tags: a.meta.tags.clone(),
        summary: a
            .meta
            .summary
            .clone()
            .unwrap_or_else(|| a.lead().to_string()),
        content_html: html::content(a, &story.related, story.photo.as_ref()),
        text: a.body_text(),
        lang: a.lang.clone(),
        city: a.dateline.city.clone(),
        timed: a.dateline.time.is_some() || a.meta.published.is_some(),
        credit: a.credit.clone(),
        photo: story.photo.clone(),
        related: story.related.clone(),
        source,
    }
}

/// One Media RSS element (`media:…`), format-neutral: RSS and Atom write the same elements,
/// but the `rss` and `atom_syndication` crates each have their own extension type.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MediaElement {
    /// Local name (`content`, `credit`…).
    pub name: &'static str,
    /// Text content.
    pub value: Option<String>,
    /// Attributes, in a fixed order.
    pub attrs: Vec<(&'static str, String)>,
    /// Child elements.
    pub children: Vec<MediaElement>,
}

impl Entry {
    /// The entry's Media RSS elements: with a photo, `media:content` (url, medium, type, size
    /// and dimensions when known) holding the credit (photographer, EBU role scheme), the
    /// caption and a thumbnail; without one, the credit alone, as before photos.
    pub fn media(&self) -> Vec<MediaElement> {
        let credit = |with_role: bool| {
            self.credit.as_ref().map(|c| MediaElement {
                name: "credit",
                value: Some(c.clone()),
                attrs: if with_role {
                    vec![
                        ("role", "photographer".into()),
                        ("scheme", "urn:ebu".into()),
                    ]
                } else {
                    Vec::new()
                },
                children: Vec::new(),
            })
        };
        let Some(photo) = &self.photo else {
            return credit(false).into_iter().collect();
        };
        let mut attrs = vec![("url", photo.url.to_string()), ("medium", "image".into())];
        attrs.extend(photo.mime.map(|m| ("type", m.to_string())));
        attrs.extend(photo.length.map(|n| ("fileSize", n.to_string())));
        attrs.extend(photo.width.map(|w| ("width", w.to_string())));
        attrs.extend(photo.height.map(|h| ("height", h.to_string())));
        let mut children: Vec<MediaElement> = credit(true).into_iter().collect();
        children.extend(photo.caption.as_ref().map(|c| MediaElement {
            name: "description",
            value: Some(c.clone()),
            attrs: vec![("type", "plain".into())],
            children: Vec::new(),
        }));
        children.push(MediaElement {
            name: "thumbnail",
            attrs: vec![("url", photo.url.to_string())],
            ..MediaElement::default()
        });
        vec![MediaElement {
            name: "content",
            value: None,
            attrs,
            children,
        }]
    }
}

/// Writes `fn extension(&MediaElement) -> $Extension` for a feed crate's extension type: the
/// `rss` and `atom_syndication` crates each define a struct of the same shape (name, value,
/// attrs, children), so one body serves both.
macro_rules! media_extension {
    ($Extension:ident) => {
        /// A Media RSS element in the feed crate's terms.
        fn extension(element: &super::MediaElement) -> $Extension {
            let mut children: BTreeMap<String, Vec<$Extension>> = BTreeMap::new();
            for child in &element.children {
                children
                    .entry(child.name.into())
                    .or_default()
                    .push(extension(child));
            }
            $Extension {
                name: format!("media:{}", element.name),
                value: element.value.clone(),
                attrs: element
                    .attrs
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect(),
                children,
            }
        }
    };
}
pub(crate) use media_extension;

/// Turns a [`Feed`] into a document of one format.
pub trait Renderer {
    /// Renders the feed to bytes.
    fn render(&self, feed: &Feed) -> Result<Vec<u8>, crate::Error>;
}

/// The renderer of a format.
pub fn renderer(format: Format) -> Box<dyn Renderer + Send + Sync> {
    match format {
        Format::Rss => Box::new(rss::RssRenderer),
        Format::Atom => Box::new(atom::AtomRenderer),
        Format::Json => Box::new(json::JsonRenderer),
        Format::Ninjs => Box::new(ninjs::NinjsRenderer),
        Format::Yandex => Box::new(yandex::YandexRenderer),
        Format::NewsSitemap => Box::new(sitemap::SitemapRenderer),
    }
}

/// Renders a feed in one format.
pub fn render(feed: &Feed, format: Format) -> Result<Vec<u8>, crate::Error> {
    renderer(format).render(feed)
}

/// A small feed for the renderers' tests: two entries, one with every optional part and
/// markup-like text, one bare.
#[cfg(test)]
pub(crate) fn sample_feed() -> Feed {
    let date = |s: &str| DateTime::parse_from_rfc3339(s).unwrap();
    let url = |s: &str| Url::parse(s).unwrap();
    let full = Entry {
        id: "tag:e.org,2025:2025/06/a".into(),
        url: url("https://e.org/news/2025/06/a/"),
        title: "Заголовок <b>с</b> & знаками".into(),
        published: date("2025-06-18T14:30:00+05:00"),
        updated: date("2025-06-18T14:30:00+05:00"),
        author: "НИАТ «Ховар»".into(),
        byline: Some("Иван Петров".into()),
        tags: vec!["ШОС".into(), "ИКТ & связь".into()],
        summary: "ДУШАНБЕ, 18.06.2025 /НИАТ «Ховар»/. Лид <script>x</script> & 1 < 2.".into(),
        content_html: "<p>Лид &lt;script&gt;x&lt;/script&gt;</p>".into(),
        text: vec!["Лид <script>x</script>".into()],
        lang: "ru".into(),
        city: "ДУШАНБЕ".into(),
        timed: true,
        credit: Some("Автор".into()),
        photo: Some(Photo {
            url: url("https://e.org/media/2025/06/a.jpg"),
            mime: Some("image/jpeg"),
            length: Some(12345),
            width: Some(800),
            height: Some(600),
            caption: Some("Подпись <i>к</i> фото".into()),
        }),
        related: vec![
            RelatedLink {
                title: "Другая".into(),
                url: Some(url("https://e.org/news/2025/06/b/")),
                id: Some("tag:e.org,2025:2025/06/b".into()),
            },
            RelatedLink {
                title: "Без ссылки".into(),
                url: None,
                id: None,
            },
        ],
        source: Some(Source {
            title: "Ховар".into(),
            url: url("https://wire.e.org/rss.xml"),
        }),
    };
    let bare = Entry {
        id: "tag:e.org,2025:2025/06/b".into(),
        url: url("https://e.org/news/2025/06/b/"),
        title: "Хабари тоҷикӣ".into(),
        published: date("2025-06-17T00:00:00+05:00"),
        updated: date("2025-06-17T00:00:00+05:00"),
        author: "Ховар".into(),
        byline: None,
        tags: vec![],
        summary: "Лид.".into(),
        content_html: "<p>Лид.</p>".into(),
        text: vec!["Лид.".into()],
        lang: "tg".into(),
        city: "ХУҶАНД".into(),
        timed: false,
        credit: None,
        photo: None,
        related: vec![],
        source: None,
    };
    Feed {
        title: "Лента".into(),
        description: "Новости".into(),
        site_url: url("https://e.org/"),
        language: "ru".into(),
        id: "https://e.org/".into(),
        author: Some("Ховар".into()),
        self_urls: Format::EVERY
            .iter()
            .map(|f| (*f, url(&format!("https://e.org/feed.{}", f.name()))))
            .collect(),
        updated: full.updated,
        entries: vec![full, bare],
        stylesheet: None,
        hubs: vec![url("https://hub.example.net/websub?x=1&y=2")],
        tombstones: vec![Tombstone {
            id: "tag:example.org,2025:2025/06/gone".into(),
            when: date("2025-06-19T10:00:00+05:00"),
        }],
        history: None,
        branding: Branding::default(),
        news: Vec::new(),
    }
}

/// Renders `feed`, checks it with the validator and parses it back with an independent parser.
#[cfg(test)]
pub(crate) fn render_and_parse_back(feed: &Feed, format: Format) -> (String, feed_rs::model::Feed) {
    let bytes = render(feed, format).unwrap();
    let opts = crate::validate::CheckOptions {
        publishing: true,
        ..Default::default()
    };
    let report = crate::validate::check(&bytes, &opts).unwrap();
    assert!(
        report.findings.is_empty(),
        "{format}: {:#?}",
        report.findings
    );
    let parsed = feed_rs::parser::parse(bytes.as_slice()).unwrap();
    (String::from_utf8(bytes).unwrap(), parsed)
}

/// A title as a reader shows it: an RSS title is HTML to readers, and so is an Atom one of
/// `type="html"`, so their character references are decoded (wirefeed writes only `&#x26;`
/// and `&#x3C;` into a title; see `html::title_html`). A plain-text title is shown as it is.
#[cfg(test)]
pub(crate) fn title_as_shown(parsed: &feed_rs::model::Feed, t: &feed_rs::model::Text) -> String {
    let html = parsed.feed_type == feed_rs::model::FeedType::RSS2
        || t.content_type.essence().to_string() == "text/html";
    if html {
        t.content.replace("&#x3C;", "<").replace("&#x26;", "&")
    } else {
        t.content.clone()
    }
}

/// What every format must carry of the model, checked on the parsed-back document.
#[cfg(test)]
pub(crate) fn assert_carries_the_model(feed: &Feed, parsed: &feed_rs::model::Feed) {
    assert_eq!(
        title_as_shown(parsed, parsed.title.as_ref().unwrap()),
        feed.title
    );
    assert_eq!(parsed.entries.len(), feed.entries.len());
    for (e, p) in feed.entries.iter().zip(&parsed.entries) {
        assert_eq!(p.id, e.id);
        assert_eq!(title_as_shown(parsed, p.title.as_ref().unwrap()), e.title);
        assert_eq!(p.links[0].href, e.url.as_str());
        assert_eq!(p.published.unwrap(), e.published);
        assert_eq!(p.authors[0].name, e.creator());
        let terms: Vec<&str> = p.categories.iter().map(|c| c.term.as_str()).collect();
        assert_eq!(terms, e.tags, "categories");
        let body = p.content.as_ref().and_then(|c| c.body.clone()).unwrap();
        assert_eq!(body, e.content_html);
    }
}
