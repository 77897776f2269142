//! OPML 2.0 subscription list (`feeds.opml`): every feed the site publishes, so a reader can
//! subscribe to all of them, or pick some, in one import.
//!
//! Policy, after the OPML 2.0 spec (<http://opml.org/spec2.opml>):
//!
//! - One outline per feed set (the main feeds, each tag's), holding one outline per feed.
//!   The set's outline is a plain folder: it carries `text` and `title` only, as `htmlUrl` is
//!   defined for subscriptions alone; each feed carries its own site link.
//! - Every feed is `type="rss"`, Atom and JSON Feed included: readers key subscriptions on
//!   `type="rss"` and `xmlUrl`, whatever the format. `version="RSS2"` is written for RSS 2.0
//!   feeds only, since the spec's values name RSS versions.
//! - `text` is required on every outline; a feed without a title gets its URL there.
//! - Attribute values are written on one line, runs of white space as one space: an XML
//!   reader would turn a newline in an attribute into a space anyway, so this writes what
//!   readers will see.
//! - A `<body>` must hold at least one outline: an empty list gets one commented-out
//!   (`isComment="true"`) outline named after the list, which readers import as nothing.
//! - The bytes depend on the model alone: `dateModified` (RFC 822) is written only when the
//!   caller gives it, never from the clock.

use std::io;

use chrono::{DateTime, FixedOffset};
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;
use url::Url;

use super::Format;

/// Where the format is documented (`<docs>`).
pub const DOCS: &str = "http://opml.org/spec2.opml";

/// A subscription list: one outline per feed set, holding that set's feeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opml {
    /// The list's name (`<head><title>`).
    pub title: String,
    /// When the list last changed (`<dateModified>`, RFC 822), if known.
    pub date_modified: Option<DateTime<FixedOffset>>,
    /// Who publishes it (`<ownerName>`), if configured.
    pub owner_name: Option<String>,
    /// The feed sets, in the order readers should show them.
    pub groups: Vec<OpmlGroup>,
}

/// One feed set: a folder outline (`text`, `title`) around its feeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpmlGroup {
    /// The set's name, shown as the folder's name.
    pub title: String,
    /// Its feeds, in order.
    pub feeds: Vec<OpmlFeed>,
}

/// One feed: a `type="rss"` outline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpmlFeed {
    /// The feed's title (`text` and `title`).
    pub title: String,
    /// Its format (`version="RSS2"` for RSS).
    pub format: Format,
    /// Where the feed is served (`xmlUrl`).
    pub xml_url: Url,
    /// The site or page the feed follows (`htmlUrl`), if any.
    pub html_url: Option<Url>,
    /// The feed's language tag (`language`), if any.
    pub language: Option<String>,
    /// The feed's description (`description`), if any.
    pub description: Option<String>,
}

/// Renders OPML 2.0.
pub fn render(opml: &Opml) -> Result<Vec<u8>, crate::Error> {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    write_document(&mut writer, opml).map_err(crate::Error::Opml)?;
    let mut out = writer.into_inner();
    out.push(b'\n');
    Ok(out)
}

fn write_document(w: &mut Writer<Vec<u8>>, opml: &Opml) -> io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("opml")
        .with_attribute(("version", "2.0"))
        .write_inner_content(|w| {
            w.create_element("head").write_inner_content(|w| {
                text_element(w, "title", &opml.title)?;
                if let Some(date) = opml.date_modified {
                    text_element(w, "dateModified", &date.to_rfc2822())?;
                }
                if let Some(owner) = &opml.owner_name {
                    text_element(w, "ownerName", owner)?;
                }
                text_element(w, "docs", DOCS)
            })?;
            w.create_element("body").write_inner_content(|w| {
                if opml.groups.is_empty() {
                    let text = one_line(&opml.title);
                    w.create_element("outline")
                        .with_attribute(("text", text.as_str()))
                        .with_attribute(("isComment", "true"))
                        .write_empty()?;
                }
                for group in &opml.groups {
                    write_group(w, group)?;
                }
                Ok(())
            })?;
            Ok(())
        })?;
    Ok(())
}

fn write_group(w: &mut Writer<Vec<u8>>, group: &OpmlGroup) -> io::Result<()> {
    let title = one_line(&group.title);
    let folder = w
        .create_element("outline")
        .with_attribute(("text", title.as_str()))
        .with_attribute(("title", title.as_str()));
    if group.feeds.is_empty() {
        folder.write_empty()?;
        return Ok(());
    }
    folder.write_inner_content(|w| {
        for feed in &group.feeds {
            write_feed(w, feed)?;
        }
        Ok(())
    })?;
    Ok(())
}

fn write_feed(w: &mut Writer<Vec<u8>>, feed: &OpmlFeed) -> io::Result<()> {
    let title = one_line(&feed.title);
    let text = if title.is_empty() {
        feed.xml_url.to_string()
    } else {
        title.clone()
    };
    let mut outline = w
        .create_element("outline")
        .with_attribute(("type", "rss"))
        .with_attribute(("text", text.as_str()));
    if !title.is_empty() {
        outline = outline.with_attribute(("title", title.as_str()));
    }
    outline = outline.with_attribute(("xmlUrl", feed.xml_url.as_str()));
    if let Some(url) = &feed.html_url {
        outline = outline.with_attribute(("htmlUrl", url.as_str()));
    }
    if let Some(lang) = &feed.language {
        outline = outline.with_attribute(("language", one_line(lang).as_str()));
    }
    if let Some(description) = &feed.description {
        outline = outline.with_attribute(("description", one_line(description).as_str()));
    }
    if feed.format == Format::Rss {
        outline = outline.with_attribute(("version", "RSS2"));
    }
    outline.write_empty()?;
    Ok(())
}

/// An element holding only text, which quick-xml escapes.
fn text_element(w: &mut Writer<Vec<u8>>, name: &str, text: &str) -> io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(text))?;
    Ok(())
}

/// `text` with runs of white space as one space and none at the ends.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn feed(title: &str, format: Format, xml_url: &str) -> OpmlFeed {
        OpmlFeed {
            title: title.into(),
            format,
            xml_url: url(xml_url),
            html_url: Some(url("https://e.org/")),
            language: Some("ru".into()),
            description: Some("Новости <b>и</b> & \"цитаты\"".into()),
        }
    }

    /// Two feed sets with Cyrillic names and markup-like, quoted text.
    fn sample() -> Opml {
        Opml {
            title: "Ленты «Ховар» <все> & \"сразу\"".into(),
            date_modified: Some(DateTime::parse_from_rfc3339("2025-06-18T14:30:00+05:00").unwrap()),
            owner_name: Some("НИАТ «Ховар»".into()),
            groups: vec![
                OpmlGroup {
                    title: "Все новости".into(),
                    feeds: vec![
                        feed(
                            "Лента <RSS> & \"ещё\"",
                            Format::Rss,
                            "https://e.org/feed.rss",
                        ),
                        feed("Лента (Atom)", Format::Atom, "https://e.org/feed.atom"),
                        feed("Лента (JSON)", Format::Json, "https://e.org/feed.json"),
                    ],
                },
                OpmlGroup {
                    title: "ИКТ & связь".into(),
                    feeds: vec![feed(
                        "ИКТ & связь",
                        Format::Rss,
                        "https://e.org/tags/ikt-svyaz/feed.rss?a=1&b=2",
                    )],
                },
            ],
        }
    }

    fn parse(bytes: &[u8]) -> opml::OPML {
        let text = std::str::from_utf8(bytes).unwrap();
        opml::OPML::from_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
    }

    #[test]
    fn parses_back_with_every_feed_in_its_group() {
        let model = sample();
        let parsed = parse(&render(&model).unwrap());
        assert_eq!(parsed.version, "2.0");
        assert_eq!(parsed.body.outlines.len(), model.groups.len());
        for (group, folder) in model.groups.iter().zip(&parsed.body.outlines) {
            assert_eq!(folder.text, group.title);
            assert_eq!(folder.title.as_deref(), Some(group.title.as_str()));
            assert_eq!(folder.xml_url, None, "a folder is not a subscription");
            assert_eq!(folder.outlines.len(), group.feeds.len());
            for (feed, outline) in group.feeds.iter().zip(&folder.outlines) {
                assert_eq!(outline.r#type.as_deref(), Some("rss"));
                assert_eq!(outline.text, feed.title);
                assert_eq!(outline.title.as_deref(), Some(feed.title.as_str()));
                assert_eq!(outline.xml_url.as_deref(), Some(feed.xml_url.as_str()));
                assert_eq!(
                    outline.html_url.as_deref(),
                    feed.html_url.as_ref().map(Url::as_str)
                );
                assert_eq!(outline.language, feed.language);
                assert_eq!(outline.description, feed.description);
                assert!(outline.outlines.is_empty());
            }
        }
    }

    #[test]
    fn head_round_trips_with_escaping() {
        let model = sample();
        let parsed = parse(&render(&model).unwrap());
        let head = parsed.head.unwrap();
        assert_eq!(head.title.as_deref(), Some(model.title.as_str()));
        assert_eq!(head.owner_name, model.owner_name);
        assert_eq!(head.docs.as_deref(), Some(DOCS));
        let date = head.date_modified.unwrap();
        assert_eq!(date, "Wed, 18 Jun 2025 14:30:00 +0500");
        assert_eq!(
            crate::validate::parse_rfc822(&date).unwrap(),
            model.date_modified.unwrap()
        );
    }

    #[test]
    fn special_characters_are_escaped_not_glued() {
        let text = String::from_utf8(render(&sample()).unwrap()).unwrap();
        assert!(
            text.contains("text=\"Лента &lt;RSS&gt; &amp; &quot;ещё&quot;\""),
            "{text}"
        );
        assert!(
            text.contains("<title>Ленты «Ховар» &lt;все&gt; &amp; &quot;сразу&quot;</title>"),
            "{text}"
        );
        assert!(
            text.contains("xmlUrl=\"https://e.org/tags/ikt-svyaz/feed.rss?a=1&amp;b=2\""),
            "{text}"
        );
    }

    #[test]
    fn every_feed_is_type_rss_and_only_rss_has_a_version() {
        let parsed = parse(&render(&sample()).unwrap());
        let feeds: Vec<_> = parsed
            .body
            .outlines
            .iter()
            .flat_map(|g| &g.outlines)
            .collect();
        let versions: Vec<_> = feeds.iter().map(|o| o.version.as_deref()).collect();
        assert_eq!(versions, [Some("RSS2"), None, None, Some("RSS2")]);
        assert!(feeds.iter().all(|o| o.r#type.as_deref() == Some("rss")));
    }

    #[test]
    fn document_shape_is_declared_indented_and_ends_with_a_newline() {
        let text = String::from_utf8(render(&sample()).unwrap()).unwrap();
        assert!(
            text.starts_with(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head>\n"
            ),
            "{text}"
        );
        assert!(text.ends_with("</opml>\n"), "{text}");
        assert!(!text.ends_with("\n\n"));
    }

    #[test]
    fn output_is_deterministic_and_has_no_date_unless_given() {
        let mut model = sample();
        assert_eq!(render(&model).unwrap(), render(&model).unwrap());
        model.date_modified = None;
        let text = String::from_utf8(render(&model).unwrap()).unwrap();
        assert!(!text.contains("dateModified"), "{text}");
    }

    #[test]
    fn well_formed_for_the_validator() {
        // The validator knows no OPML rules, but its XML layer checks well-formedness.
        let report =
            crate::validate::check(&render(&sample()).unwrap(), &Default::default()).unwrap();
        let xml: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.code.starts_with("xml."))
            .collect();
        assert!(xml.is_empty(), "{xml:#?}");
        assert!(
            report
                .findings
                .iter()
                .any(|f| f.code == "feed.kind.unknown"),
            "the check ran"
        );
    }

    #[test]
    fn empty_list_is_still_valid_opml() {
        let model = Opml {
            title: "Ленты".into(),
            date_modified: None,
            owner_name: None,
            groups: vec![],
        };
        let parsed = parse(&render(&model).unwrap());
        let [only] = parsed.body.outlines.as_slice() else {
            panic!("{:?}", parsed.body.outlines)
        };
        assert_eq!(only.text, "Ленты");
        assert_eq!(only.is_comment, Some(true));
        assert_eq!(only.xml_url, None);
    }

    #[test]
    fn untitled_feed_is_named_by_its_url_and_empty_group_is_an_empty_folder() {
        let mut untitled = feed("", Format::Atom, "https://e.org/feed.atom");
        untitled.html_url = None;
        untitled.language = None;
        untitled.description = None;
        let model = Opml {
            title: "Ленты".into(),
            date_modified: None,
            owner_name: None,
            groups: vec![
                OpmlGroup {
                    title: "Без названия".into(),
                    feeds: vec![untitled],
                },
                OpmlGroup {
                    title: "Пусто".into(),
                    feeds: vec![],
                },
            ],
        };
        let parsed = parse(&render(&model).unwrap());
        let outline = &parsed.body.outlines[0].outlines[0];
        assert_eq!(outline.text, "https://e.org/feed.atom");
        assert_eq!(outline.title, None);
        assert_eq!(outline.html_url, None);
        assert_eq!(outline.language, None);
        assert_eq!(outline.description, None);
        assert!(parsed.body.outlines[1].outlines.is_empty());
    }

    #[test]
    fn multi_line_text_is_written_as_readers_would_read_it() {
        let mut model = sample();
        model.groups[0].feeds[0].description = Some("  Первая\nвторая\t строка ".into());
        let parsed = parse(&render(&model).unwrap());
        let outline = &parsed.body.outlines[0].outlines[0];
        assert_eq!(outline.description.as_deref(), Some("Первая вторая строка"));
    }
}
