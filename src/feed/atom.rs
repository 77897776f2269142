//! Atom 1.0 (RFC 4287), built with the `atom_syndication` crate.
//!
//! Per-entry language goes on the title, summary and content (`xml:lang`), since
//! `atom_syndication` has no entry-level `xml:lang`; the feed carries the default language.

use std::borrow::Cow;
use std::collections::BTreeMap;

use atom_syndication::extension::{Extension, ExtensionMap};
use atom_syndication::{
    Category, Content, Entry as AtomEntry, Feed as AtomFeed, Generator, Link, Person, Source, Text,
    TextType, WriteConfig,
};

use super::history::FH_NS;
use super::html::title_html;
use super::rss::MEDIA_NS;
use super::{Entry, Feed, Format, Renderer, GENERATOR};

/// Writes Atom 1.0.
#[derive(Debug, Clone, Copy)]
pub struct AtomRenderer;

impl Renderer for AtomRenderer {
    fn render(&self, feed: &Feed) -> Result<Vec<u8>, crate::Error> {
        let config = WriteConfig {
            write_document_declaration: true,
            indent_size: Some(2),
        };
        let mut out = document(feed)
            .write_with_config(Vec::new(), config)
            .map_err(|e| crate::Error::Render {
                format: Format::Atom,
                source: Box::new(e),
            })?;
        out.push(b'\n');
        match &feed.stylesheet {
            Some(href) => super::stylesheet::insert_after_declaration(out, href, Format::Atom),
            None => Ok(out),
        }
    }
}

fn link(rel: &str, href: &str, mime: Option<&str>) -> Link {
    Link {
        href: href.to_string(),
        rel: rel.to_string(),
        mime_type: mime.map(str::to_string),
        ..Link::default()
    }
}

/// A title as an Atom text construct: plain text unless it holds `<` or `&`, which a reader
/// taking the title as HTML (many do, whatever the type) could turn into markup; such a title
/// is sent as `type="html"`, HTML-escaped (`title_html`), which every reader shows as the text.
fn title(value: &str, lang: Option<&str>) -> Text {
    let html = title_html(value);
    Text {
        r#type: match html {
            Cow::Borrowed(_) => TextType::Text,
            Cow::Owned(_) => TextType::Html,
        },
        value: html.into_owned(),
        lang: lang.map(str::to_string),
        ..Text::default()
    }
}

fn text(value: &str, lang: &str) -> Text {
    Text {
        value: value.to_string(),
        lang: Some(lang.to_string()),
        ..Text::default()
    }
}

/// The Atom document for a feed.
pub fn document(feed: &Feed) -> AtomFeed {
    let mut links = vec![link("alternate", feed.site_url.as_str(), Some("text/html"))];
    if let Some(url) = feed.self_url(Format::Atom) {
        links.push(link("self", url.as_str(), Some(Format::Atom.media_type())));
    }
    links.extend(feed.hubs.iter().map(|hub| link("hub", hub.as_str(), None)));
    let history = feed.history.as_ref();
    for (rel, url) in history.map(|h| h.links(Format::Atom)).unwrap_or_default() {
        links.push(link(rel, url.as_str(), Some(Format::Atom.media_type())));
    }
    let mut namespaces = BTreeMap::new();
    let mut extensions = ExtensionMap::default();
    if history.is_some_and(|h| h.archive) {
        namespaces.insert("fh".to_string(), FH_NS.to_string());
        extensions.insert("fh".into(), archive_marker());
    }
    if feed
        .entries
        .iter()
        .any(|e| e.credit.is_some() || e.photo.is_some())
    {
        namespaces.insert("media".to_string(), MEDIA_NS.to_string());
    }
    if !feed.tombstones.is_empty() {
        namespaces.insert("at".to_string(), TOMBSTONES_NS.to_string());
        extensions.insert(
            "at".to_string(),
            BTreeMap::from([(
                "deleted-entry".to_string(),
                feed.tombstones.iter().map(deleted_entry).collect(),
            )]),
        );
    }
    AtomFeed {
        title: title(&feed.title, None),
        id: feed.id.clone(),
        updated: feed.updated,
        authors: feed
            .author
            .iter()
            .map(|name| Person {
                name: name.clone(),
                ..Person::default()
            })
            .collect(),
        links,
        subtitle: Some(Text::plain(feed.description.clone())),
        generator: Some(Generator {
            value: GENERATOR.to_string(),
            uri: None,
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
        lang: Some(feed.language.clone()),
        entries: feed.entries.iter().map(entry).collect(),
        namespaces,
        extensions,
        // RFC 4287 §4.2.5 and §4.2.8: icon square, logo twice as wide as high.
        icon: feed.branding.icon.as_ref().map(|u| u.to_string()),
        logo: feed.branding.logo.as_ref().map(|u| u.to_string()),
        ..AtomFeed::default()
    }
}

/// The namespace of Atom tombstones (RFC 6721).
pub const TOMBSTONES_NS: &str = "http://purl.org/atompub/tombstones/1.0";

/// `<at:deleted-entry ref="…" when="…"/>`: tells readers and aggregators to drop their copy.
fn deleted_entry(t: &super::Tombstone) -> Extension {
    Extension {
        name: "at:deleted-entry".into(),
        attrs: BTreeMap::from([
            ("ref".to_string(), t.id.clone()),
            ("when".to_string(), t.when.to_rfc3339()),
        ]),
        // Empty rather than absent: the writers then put no whitespace inside it.
        value: Some(String::new()),
        ..Extension::default()
    }
}

/// `<fh:archive/>`, as the extension map of its prefix.
fn archive_marker() -> BTreeMap<String, Vec<Extension>> {
    let marker = Extension {
        name: "fh:archive".into(),
        // Empty rather than absent: the writers then put no whitespace inside it.
        value: Some(String::new()),
        ..Extension::default()
    };
    BTreeMap::from([("archive".to_string(), vec![marker])])
}

fn entry(e: &Entry) -> AtomEntry {
    let mut links = vec![Link {
        hreflang: Some(e.lang.clone()),
        ..link("alternate", e.url.as_str(), Some("text/html"))
    }];
    // An enclosure link for a photo of known type and size (RFC 4287 §4.2.7.2).
    links.extend(e.photo.as_ref().and_then(|p| {
        Some(Link {
            length: Some(p.length?.to_string()),
            ..link("enclosure", p.url.as_str(), Some(p.mime?))
        })
    }));
    links.extend(e.related.iter().filter_map(|r| {
        r.url.as_ref().map(|url| Link {
            title: Some(r.title.clone()),
            ..link("related", url.as_str(), Some("text/html"))
        })
    }));
    let mut extensions = ExtensionMap::default();
    for element in e.media() {
        extensions
            .entry("media".into())
            .or_default()
            .entry(element.name.into())
            .or_default()
            .push(extension(&element));
    }
    let author = Person {
        name: e.creator().to_string(),
        ..Person::default()
    };
    AtomEntry {
        title: title(&e.title, Some(&e.lang)),
        id: e.id.clone(),
        updated: e.updated,
        published: Some(e.published),
        authors: vec![author],
        categories: e
            .tags
            .iter()
            .map(|tag| Category {
                term: tag.clone(),
                scheme: None,
                label: Some(tag.clone()),
            })
            .collect(),
        links,
        // An archive document's entries have neither (they list the stories): the alternate
        // link then stands for the content (RFC 4287 §4.1.1.1).
        summary: (!e.summary.is_empty()).then(|| text(&e.summary, &e.lang)),
        content: (!e.content_html.is_empty()).then(|| Content {
            value: Some(e.content_html.clone()),
            content_type: Some("html".into()),
            lang: Some(e.lang.clone()),
            ..Content::default()
        }),
        source: e.source.as_ref().map(|s| Source {
            title: title(&s.title, None),
            id: s.url.to_string(),
            // The source feed's own update time is unknown; it carried this story, so it was
            // updated at least then (atom_syndication would otherwise write 1970).
            updated: e.updated,
            links: vec![link("self", s.url.as_str(), None)],
            ..Source::default()
        }),
        extensions,
        ..AtomEntry::default()
    }
}

// The `atom_syndication` crate's own extension type.
super::media_extension!(Extension);

#[cfg(test)]
mod tests {
    use super::super::{assert_carries_the_model, render_and_parse_back, sample_feed};
    use super::*;

    #[test]
    fn renders_the_model_and_reads_back() {
        let feed = sample_feed();
        let (xml, parsed) = render_and_parse_back(&feed, Format::Atom);
        assert_carries_the_model(&feed, &parsed);
        assert_eq!(parsed.entries[0].updated.unwrap(), feed.entries[0].updated);
        assert!(xml.contains(r#"<link href="https://e.org/news/2025/06/b/" rel="related""#));
        assert!(
            xml.contains(r#"<title xml:lang="tg">Хабари тоҷикӣ</title>"#),
            "{xml}"
        );
        assert!(
            xml.contains("<updated>2025-06-18T14:30:00+05:00</updated>"),
            "{xml}"
        );
        assert!(
            xml.contains(r#"<link href="https://e.org/media/2025/06/a.jpg" rel="enclosure" type="image/jpeg" length="12345"/>"#),
            "{xml}"
        );
        assert!(xml.contains("<media:content "), "{xml}");
        let hubs: Vec<&str> = parsed
            .links
            .iter()
            .filter(|l| l.rel.as_deref() == Some("hub"))
            .map(|l| l.href.as_str())
            .collect();
        assert_eq!(hubs, ["https://hub.example.net/websub?x=1&y=2"]);
        assert!(
            xml.contains(r#"xmlns:at="http://purl.org/atompub/tombstones/1.0""#)
                && xml.contains(r#"<at:deleted-entry ref="tag:example.org,2025:2025/06/gone" when="2025-06-19T10:00:00+05:00">"#),
            "{xml}"
        );
    }

    #[test]
    fn branding_gives_icon_and_logo() {
        let mut feed = sample_feed();
        feed.branding.icon = Some(url::Url::parse("https://e.org/i.png").unwrap());
        feed.branding.logo = Some(url::Url::parse("https://e.org/l.png").unwrap());
        let (xml, parsed) = render_and_parse_back(&feed, Format::Atom);
        assert!(xml.contains("<icon>https://e.org/i.png</icon>"), "{xml}");
        assert_eq!(
            parsed.logo.map(|l| l.uri).as_deref(),
            Some("https://e.org/l.png")
        );
        let (xml, _) = render_and_parse_back(&sample_feed(), Format::Atom);
        assert!(!xml.contains("<icon>") && !xml.contains("<logo>"), "{xml}");
    }

    #[test]
    fn no_tombstone_no_namespace() {
        let feed = Feed {
            tombstones: Vec::new(),
            ..sample_feed()
        };
        let (xml, _) = render_and_parse_back(&feed, Format::Atom);
        assert!(!xml.contains("tombstones"), "{xml}");
    }

    #[test]
    fn text_constructs_are_plain_text() {
        let (xml, parsed) = render_and_parse_back(&sample_feed(), Format::Atom);
        let summary = parsed.entries[0].summary.as_ref().unwrap();
        assert_eq!(summary.content_type.essence().to_string(), "text/plain");
        assert!(
            xml.contains("Лид &lt;script&gt;x&lt;/script&gt; &amp; 1 &lt; 2."),
            "{xml}"
        );
    }
}
