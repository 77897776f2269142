//! RSS 2.0, built with the `rss` crate.
//!
//! RSS `author` must be an e-mail address, so the agency goes to `dc:creator`; the guid is the
//! permanent `tag:` id (isPermaLink="false"), because the permalink's path contains the date and
//! would change if a dateline were corrected.

use std::collections::BTreeMap;

use quick_xml::escape::partial_escape;
use rss::extension::atom::{AtomExtension, Link as AtomLink};
use rss::extension::dublincore::DublinCoreExtension;
use rss::extension::{Extension, ExtensionMap};
use rss::{Channel, Guid, Item};

use super::history::FH_NS;
use super::html::title_html;
use super::{Entry, Feed, Format, Renderer, GENERATOR};

/// Namespace of Media RSS, for `media:credit`.
pub const MEDIA_NS: &str = "http://search.yahoo.com/mrss/";

/// Namespace of Feedly's `webfeeds:*` branding elements.
pub const WEBFEEDS_NS: &str = "http://webfeeds.org/rss/1.0";

/// Writes RSS 2.0.
#[derive(Debug, Clone, Copy)]
pub struct RssRenderer;

impl Renderer for RssRenderer {
    fn render(&self, feed: &Feed) -> Result<Vec<u8>, crate::Error> {
        let channel = channel(feed);
        let mut out =
            channel
                .pretty_write_to(Vec::new(), b' ', 2)
                .map_err(|e| crate::Error::Render {
                    format: Format::Rss,
                    source: Box::new(e),
                })?;
        out.push(b'\n');
        let out = hex_escape_titles(out);
        match &feed.stylesheet {
            Some(href) => super::stylesheet::insert_after_declaration(out, href, Format::Rss),
            None => Ok(out),
        }
    }
}

/// Titles are HTML-escaped with hexadecimal references ([`title_html`]) and the `rss` crate
/// then escapes their `&` once more as `&amp;`. The W3C validator (after the RSS Best Practices
/// Profile) accepts an HTML reference in a title only when the source itself writes `&#x`, so
/// inside `<title>` this rewrites `&amp;#x` as `&#x26;#x`: the same character data, in the form
/// that draws no warning. Only `<title>` elements are touched, and only when there is one.
pub(crate) fn hex_escape_titles(out: Vec<u8>) -> Vec<u8> {
    const OPEN: &str = "<title>";
    const CLOSE: &str = "</title>";
    // The rss crate writes UTF-8; should it not, the bytes go on untouched (and the
    // validator behind every write judges them).
    let xml = match String::from_utf8(out) {
        Ok(xml) => xml,
        Err(e) => return e.into_bytes(),
    };
    if !xml.contains("&amp;#x") {
        return xml.into_bytes();
    }
    let mut result = String::with_capacity(xml.len() + 64);
    let mut rest = xml.as_str();
    while let Some(start) = rest.find(OPEN) {
        let body = start + OPEN.len();
        let Some(len) = rest[body..].find(CLOSE) else {
            break;
        };
        result.push_str(&rest[..body]);
        result.push_str(&rest[body..body + len].replace("&amp;#x", "&#x26;#x"));
        rest = &rest[body + len..];
    }
    result.push_str(rest);
    result.into_bytes()
}

/// The channel for a feed.
pub fn channel(feed: &Feed) -> Channel {
    let mut namespaces = BTreeMap::new();
    namespaces.insert("media".to_string(), MEDIA_NS.to_string());
    let self_link = feed.self_url(Format::Rss).map(|url| AtomLink {
        href: url.to_string(),
        rel: "self".into(),
        mime_type: Some(Format::Rss.media_type().into()),
        ..AtomLink::default()
    });
    let dated = !feed.entries.is_empty();
    let history = feed.history.as_ref();
    // RFC 5005 §4 names Atom link relations; in RSS they are atom:link, as the self link is.
    let history_links = history
        .map(|h| h.links(Format::Rss))
        .unwrap_or_default()
        .into_iter()
        .map(|(rel, url)| AtomLink {
            href: url.to_string(),
            rel: rel.into(),
            mime_type: Some(Format::Rss.media_type().into()),
            ..AtomLink::default()
        });
    let mut extensions = ExtensionMap::default();
    if history.is_some_and(|h| h.archive) {
        namespaces.insert("fh".to_string(), FH_NS.to_string());
        let marker = Extension {
            name: "fh:archive".into(),
            // Empty rather than absent: the writers then put no whitespace inside it.
            value: Some(String::new()),
            ..Extension::default()
        };
        extensions.insert(
            "fh".into(),
            BTreeMap::from([("archive".to_string(), vec![marker])]),
        );
    }
    webfeeds(feed, &mut namespaces, &mut extensions);
    Channel {
        // RSS has one channel image; the wide logo is what readers show there. Its title is
        // the channel's, written the same way.
        image: feed
            .branding
            .logo
            .as_ref()
            .or(feed.branding.icon.as_ref())
            .map(|url| rss::Image {
                url: url.to_string(),
                title: title_html(&feed.title).into_owned(),
                link: feed.site_url.to_string(),
                ..rss::Image::default()
            }),
        title: title_html(&feed.title).into_owned(),
        link: feed.site_url.to_string(),
        description: feed.description.clone(),
        language: Some(feed.language.clone()),
        // Both are optional in RSS; an empty feed has no honest date to give.
        last_build_date: dated.then(|| feed.updated.to_rfc2822()),
        pub_date: dated.then(|| feed.updated.to_rfc2822()),
        generator: Some(format!("{GENERATOR} {}", env!("CARGO_PKG_VERSION"))),
        docs: Some("https://www.rssboard.org/rss-specification".into()),
        items: feed.entries.iter().map(item).collect(),
        atom_ext: Some(AtomExtension {
            // WebSub §4: the hub links go beside the self link, which names the topic.
            links: self_link
                .into_iter()
                .chain(feed.hubs.iter().map(|hub| AtomLink {
                    href: hub.to_string(),
                    rel: "hub".into(),
                    ..AtomLink::default()
                }))
                .chain(history_links)
                .collect(),
        }),
        namespaces,
        extensions,
        ..Channel::default()
    }
}

/// Feedly's branding (`webfeeds:icon`, `webfeeds:logo`, `webfeeds:accentColor`), only what is
/// configured, and its namespace only then.
fn webfeeds(feed: &Feed, namespaces: &mut BTreeMap<String, String>, extensions: &mut ExtensionMap) {
    let b = &feed.branding;
    let elements: Vec<(&str, String)> = [
        ("icon", b.icon.as_ref().map(|u| u.to_string())),
        ("logo", b.logo.as_ref().map(|u| u.to_string())),
        ("accentColor", b.accent_color.clone()),
    ]
    .into_iter()
    .filter_map(|(name, value)| value.map(|v| (name, v)))
    .collect();
    if elements.is_empty() {
        return;
    }
    namespaces.insert("webfeeds".into(), WEBFEEDS_NS.into());
    let map = extensions.entry("webfeeds".into()).or_default();
    for (name, value) in elements {
        map.entry(name.into()).or_default().push(Extension {
            name: format!("webfeeds:{name}"),
            value: Some(value),
            ..Extension::default()
        });
    }
}

pub(crate) fn item(entry: &Entry) -> Item {
    let mut extensions = ExtensionMap::default();
    for element in entry.media() {
        extensions
            .entry("media".into())
            .or_default()
            .entry(element.name.into())
            .or_default()
            .push(extension(&element));
    }
    Item {
        // Readers render an RSS title as HTML: see `title_html`.
        title: Some(title_html(&entry.title).into_owned()),
        link: Some(entry.url.to_string()),
        // Readers take RSS `description` as HTML (feedparser reports it as text/html), so the
        // plain-text lead is escaped: `<script>` in a story must arrive as text, not markup.
        description: (!entry.summary.is_empty())
            .then(|| partial_escape(entry.summary.as_str()).into_owned()),
        guid: Some(Guid {
            value: entry.id.clone(),
            permalink: false,
        }),
        pub_date: Some(entry.published.to_rfc2822()),
        // An archive document's items have no text: their title and link list the stories.
        content: (!entry.content_html.is_empty()).then(|| entry.content_html.clone()),
        source: entry.source.as_ref().map(|s| rss::Source {
            url: s.url.to_string(),
            title: Some(s.title.clone()),
        }),
        dublin_core_ext: Some(DublinCoreExtension {
            creators: vec![entry.creator().to_string()],
            ..DublinCoreExtension::default()
        }),
        // An enclosure needs a length, and 0 is not allowed: none for a photo of unknown size.
        enclosure: entry.photo.as_ref().and_then(|p| {
            Some(rss::Enclosure {
                url: p.url.to_string(),
                length: p.length?.to_string(),
                mime_type: p.mime?.to_string(),
            })
        }),
        categories: entry
            .tags
            .iter()
            .map(|tag| rss::Category {
                name: tag.clone(),
                domain: None,
            })
            .collect(),
        extensions,
        ..Item::default()
    }
}

// The `rss` crate's own extension type.
super::media_extension!(Extension);

#[cfg(test)]
mod tests {
    use super::super::{assert_carries_the_model, render_and_parse_back, sample_feed};
    use super::*;

    #[test]
    fn renders_the_model_and_reads_back() {
        let feed = sample_feed();
        let (xml, parsed) = render_and_parse_back(&feed, Format::Rss);
        assert_carries_the_model(&feed, &parsed);
        assert!(
            xml.contains("<pubDate>Wed, 18 Jun 2025 14:30:00 +0500</pubDate>"),
            "{xml}"
        );
        // The byline takes the agency's place as the creator.
        assert!(
            xml.contains("<dc:creator>Иван Петров</dc:creator>"),
            "{xml}"
        );
        assert!(
            xml.contains("<category>ИКТ &amp; связь</category>"),
            "{xml}"
        );
        // With a photo: an enclosure and media:content holding credit, caption and thumbnail.
        assert!(
            xml.contains(r#"<enclosure url="https://e.org/media/2025/06/a.jpg" length="12345" type="image/jpeg"/>"#),
            "{xml}"
        );
        assert!(xml.contains(r#"<media:content fileSize="12345" height="600" medium="image" type="image/jpeg" url="https://e.org/media/2025/06/a.jpg" width="800">"#), "{xml}");
        assert!(
            xml.contains(
                r#"<media:credit role="photographer" scheme="urn:ebu">Автор</media:credit>"#
            ),
            "{xml}"
        );
        assert!(
            xml.contains("Подпись &lt;i&gt;к&lt;/i&gt; фото</media:description>"),
            "{xml}"
        );
        assert!(xml.contains(r#"<source url="https://wire.e.org/rss.xml">Ховар</source>"#));
        assert!(xml.contains(r#"<atom:link href="https://e.org/feed.rss" rel="self""#));
    }

    #[test]
    fn the_hub_link_follows_the_self_link() {
        let (xml, _) = render_and_parse_back(&sample_feed(), Format::Rss);
        let hub = r#"<atom:link href="https://hub.example.net/websub?x=1&amp;y=2" rel="hub"/>"#;
        let (self_at, hub_at) = (xml.find(r#"rel="self""#), xml.find(hub));
        assert!(
            self_at.is_some() && hub_at.is_some() && self_at < hub_at,
            "{xml}"
        );
    }

    #[test]
    fn the_description_is_escaped_html() {
        let (xml, _) = render_and_parse_back(&sample_feed(), Format::Rss);
        assert!(
            xml.contains("Лид &lt;script&gt;x&lt;/script&gt; &amp; 1 &lt; 2."),
            "{xml}"
        );
        assert!(!xml.contains("<script>"), "{xml}");
    }

    #[test]
    fn branding_gives_the_channel_image_and_feedly_elements() {
        let (xml, _) = render_and_parse_back(&sample_feed(), Format::Rss);
        assert!(
            !xml.contains("<image>") && !xml.contains("webfeeds"),
            "{xml}"
        );
        let mut feed = sample_feed();
        feed.branding = super::super::Branding {
            icon: Some(url::Url::parse("https://e.org/icon.png").unwrap()),
            logo: Some(url::Url::parse("https://e.org/logo.png").unwrap()),
            accent_color: Some("1A5FB4".into()),
        };
        let (xml, parsed) = render_and_parse_back(&feed, Format::Rss);
        assert_eq!(
            parsed.logo.map(|l| l.uri).as_deref(),
            Some("https://e.org/logo.png")
        );
        assert!(xml.contains(r#"xmlns:webfeeds="http://webfeeds.org/rss/1.0""#));
        for part in [
            "<webfeeds:icon>https://e.org/icon.png</webfeeds:icon>",
            "<webfeeds:logo>https://e.org/logo.png</webfeeds:logo>",
            "<webfeeds:accentColor>1A5FB4</webfeeds:accentColor>",
            "<title>Лента</title>\n      <link>https://e.org/</link>",
        ] {
            assert!(xml.contains(part), "{part}: {xml}");
        }
    }

    #[test]
    fn an_empty_feed_has_no_invented_dates() {
        let mut feed = sample_feed();
        feed.entries.clear();
        let (xml, _) = render_and_parse_back(&feed, Format::Rss);
        assert!(
            !xml.contains("lastBuildDate") && !xml.contains("pubDate"),
            "{xml}"
        );
    }
}
