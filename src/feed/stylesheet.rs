//! The browser stylesheet of the XML feeds: the `<?xml-stylesheet?>` processing instruction and
//! the XSLT ([`FEED_XSL`]) it points to.
//!
//! A browser shows a bare feed as a tree of tags or offers it as a download; with the stylesheet
//! it shows a readable page that says what a feed is and how to subscribe. Readers ignore the
//! instruction. Neither feed crate writes processing instructions, so the RSS and Atom renderers
//! both pass their finished bytes through [`insert_after_declaration`].

use quick_xml::events::{BytesPI, BytesStart, Event};
use quick_xml::Writer;
use url::Url;

use super::Format;

/// An XSLT 1.0 stylesheet that shows an RSS 2.0 channel or an Atom 1.0 feed as an HTML page;
/// the site serves it at the URL the feeds' `stylesheet` points to.
pub const FEED_XSL: &str = include_str!("feed.xsl");

/// The `<?xml-stylesheet type="text/xsl" href="…"?>` instruction for `href`, as bytes.
///
/// The href is written as a pseudo-attribute by quick-xml, which escapes it as an attribute
/// value (`&`, `"`, `<`, `>`, `'`), so nothing in it can end the instruction early; a
/// serialized `Url` percent-encodes `"`, `<` and `>` anyway.
pub fn processing_instruction(href: &Url, format: Format) -> Result<Vec<u8>, crate::Error> {
    let pseudo = BytesStart::new("xml-stylesheet")
        .with_attributes([("type", "text/xsl"), ("href", href.as_str())]);
    let content = std::str::from_utf8(&pseudo).map_err(|e| render_error(format, e))?;
    // Checked rather than trusted: an escaping change in quick-xml must not produce a PI that
    // ends inside the href and leaves the rest as text before the root.
    if content.contains("?>") {
        return Err(render_error(
            format,
            format!("the stylesheet href {href} would end its processing instruction early"),
        ));
    }
    let mut writer = Writer::new(Vec::new());
    writer
        .write_event(Event::PI(BytesPI::new(content)))
        .map_err(|e| render_error(format, e))?;
    Ok(writer.into_inner())
}

/// Puts the stylesheet instruction for `href` on its own line right after the XML declaration
/// that starts `document`.
///
/// A splice rather than a rewrite: the `rss` and `atom_syndication` writers always begin with
/// `<?xml …?>` and nothing else, and `?>` cannot occur inside a declaration's pseudo-attributes
/// (version, encoding, standalone), so the first `?>` is the declaration's end. A document that
/// does not start so is refused instead of guessed at.
pub fn insert_after_declaration(
    document: Vec<u8>,
    href: &Url,
    format: Format,
) -> Result<Vec<u8>, crate::Error> {
    let end = document
        .starts_with(b"<?xml ")
        .then(|| document.windows(2).position(|w| w == b"?>"))
        .flatten()
        .ok_or_else(|| render_error(format, "the document does not start with <?xml …?>"))?
        + 2;
    let pi = processing_instruction(href, format)?;
    // In place: an archive's month is half a megabyte, and a copy of it was one more.
    let mut inserted = Vec::with_capacity(pi.len() + 2);
    inserted.push(b'\n');
    inserted.extend_from_slice(&pi);
    if !document[end..].starts_with(b"\n") {
        inserted.push(b'\n');
    }
    let mut document = document;
    document.splice(end..end, inserted);
    Ok(document)
}

fn render_error(
    format: Format,
    e: impl Into<Box<dyn std::error::Error + Send + Sync>>,
) -> crate::Error {
    crate::Error::Render {
        format,
        source: e.into(),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::process::Command;

    use quick_xml::events::Event;
    use quick_xml::Reader;

    use super::super::{render, render_and_parse_back, sample_feed, Feed};
    use super::*;

    const HREF: &str = "https://e.org/feed.xsl";

    fn styled() -> Feed {
        Feed {
            stylesheet: Some(Url::parse(HREF).unwrap()),
            ..sample_feed()
        }
    }

    /// The processing instructions of a document, as (target, content), and the index of the
    /// event each came in (0: the declaration).
    fn instructions(xml: &str) -> Vec<(usize, String)> {
        let mut reader = Reader::from_str(xml);
        let mut found = Vec::new();
        for n in 0.. {
            match reader.read_event().unwrap() {
                Event::Eof => break,
                Event::PI(pi) => found.push((n, String::from_utf8(pi.to_vec()).unwrap())),
                _ => {}
            }
        }
        found
    }

    #[test]
    fn rss_and_atom_carry_one_instruction_right_after_the_declaration() {
        for format in [Format::Rss, Format::Atom] {
            let (xml, parsed) = render_and_parse_back(&styled(), format);
            super::super::assert_carries_the_model(&styled(), &parsed);
            let mut lines = xml.lines();
            assert!(lines.next().unwrap().starts_with("<?xml version="), "{xml}");
            assert_eq!(
                lines.next().unwrap(),
                r#"<?xml-stylesheet type="text/xsl" href="https://e.org/feed.xsl"?>"#,
                "{format}"
            );
            // Event 0 is the declaration, 1 the line break after it.
            let pis = instructions(&xml);
            assert_eq!(pis.len(), 1, "{format}: {pis:?}");
            assert_eq!(pis[0].0, 2, "{format}: {pis:?}");
        }
    }

    #[test]
    fn json_has_no_stylesheet() {
        let json = render(&styled(), Format::Json).unwrap();
        assert_eq!(json, render(&sample_feed(), Format::Json).unwrap());
    }

    #[test]
    fn without_a_stylesheet_the_bytes_are_the_crates_own() {
        for format in [Format::Rss, Format::Atom] {
            let plain = String::from_utf8(render(&sample_feed(), format).unwrap()).unwrap();
            let styled = String::from_utf8(render(&styled(), format).unwrap()).unwrap();
            assert!(!plain.contains("xml-stylesheet"), "{plain}");
            let pi = r#"<?xml-stylesheet type="text/xsl" href="https://e.org/feed.xsl"?>"#;
            assert_eq!(
                styled.replacen(&format!("\n{pi}"), "", 1),
                plain,
                "{format}"
            );
        }
    }

    #[test]
    fn the_href_is_escaped_as_an_attribute_and_reads_back_whole() {
        let href = Url::parse(r#"https://e.org/x.xsl?a=1&b='q'&c="?>"#).unwrap();
        let pi = String::from_utf8(processing_instruction(&href, Format::Rss).unwrap()).unwrap();
        assert!(pi.ends_with("?>") && pi.matches("?>").count() == 1, "{pi}");
        assert!(pi.contains("a=1&amp;b="), "{pi}");
        let doc = format!("{pi}<r/>");
        let mut reader = Reader::from_str(&doc);
        let Event::PI(read) = reader.read_event().unwrap() else {
            panic!("{pi}")
        };
        let raw = read
            .attributes()
            .map(|a| a.unwrap())
            .find(|a| a.key.as_ref() == b"href")
            .unwrap()
            .value
            .into_owned();
        let raw = String::from_utf8(raw).unwrap();
        assert_eq!(quick_xml::escape::unescape(&raw).unwrap(), href.as_str());
    }

    #[test]
    fn a_document_without_a_declaration_is_refused() {
        let href = Url::parse(HREF).unwrap();
        let got = insert_after_declaration(b"<rss/>".to_vec(), &href, Format::Rss);
        assert!(matches!(got, Err(crate::Error::Render { .. })), "{got:?}");
    }

    #[test]
    fn feed_xsl_is_well_formed_xslt_without_escape_hatches() {
        let mut reader = Reader::from_str(FEED_XSL);
        reader.config_mut().check_comments = true;
        let mut root = None;
        loop {
            match reader.read_event() {
                Ok(Event::Eof) => break,
                Ok(Event::Start(e)) if root.is_none() => {
                    root = Some(String::from_utf8(e.name().as_ref().to_vec()).unwrap());
                }
                Ok(_) => {}
                Err(e) => panic!("feed.xsl at byte {}: {e}", reader.error_position()),
            }
        }
        assert_eq!(root.as_deref(), Some("xsl:stylesheet"));
        assert!(!FEED_XSL.contains("disable-output-escaping="));
        assert!(!FEED_XSL.to_lowercase().contains("<script"));
    }

    /// Runs `xsltproc` (libxslt, as in Chromium) with feed.xsl over `feed`; `None` when it is not
    /// installed and this is not CI, where its absence must fail the build instead.
    fn xsltproc(dir: &Path, feed: &[u8]) -> Option<String> {
        let xsl = dir.join("feed.xsl");
        let doc = dir.join("feed.xml");
        std::fs::write(&xsl, FEED_XSL).unwrap();
        std::fs::write(&doc, feed).unwrap();
        let out = match Command::new("xsltproc")
            .arg("--nonet")
            .arg(&xsl)
            .arg(&doc)
            .output()
        {
            Ok(out) => out,
            Err(e)
                if e.kind() == std::io::ErrorKind::NotFound && std::env::var_os("CI").is_none() =>
            {
                eprintln!("skipped: xsltproc is not installed (apt-get install xsltproc)");
                return None;
            }
            Err(e) => panic!("cannot run xsltproc: {e}"),
        };
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && stderr.is_empty(),
            "xsltproc: {stderr}"
        );
        Some(String::from_utf8(out.stdout).unwrap())
    }

    #[test]
    fn feed_xsl_shows_rss_and_atom_as_a_page_of_text() {
        let dir = tempfile::tempdir().unwrap();
        let feed = styled();
        for format in [Format::Rss, Format::Atom] {
            let Some(html) = xsltproc(dir.path(), &render(&feed, format).unwrap()) else {
                return;
            };
            assert!(html.starts_with("<!DOCTYPE html"), "{format}: {html}");
            assert!(html.contains("Это веб-лента."), "{format}: {html}");
            assert!(html.contains("<h1>Лента</h1>"), "{format}: {html}");
            assert!(
                html.contains(r#"<code>https://e.org/feed."#),
                "{format}: {html}"
            );
            for entry in &feed.entries {
                let title = quick_xml::escape::partial_escape(entry.title.as_str());
                let link = format!(r#"<a href="{}">{title}</a>"#, entry.url);
                assert!(html.contains(&link), "{format}: {link} in {html}");
            }
            assert!(html.contains("Заголовок &lt;b&gt;с&lt;/b&gt; &amp; знаками"));
            assert!(!html.contains("<b>"), "{format}: {html}");
            assert!(!html.to_lowercase().contains("<script"), "{format}: {html}");
            // The lead is shown as the text it is, in RSS decoded from its escaped HTML.
            assert!(
                html.contains("Лид &lt;script&gt;x&lt;/script&gt; &amp; 1 &lt; 2."),
                "{format}: {html}"
            );
            // Dates without day name, seconds and zone; midnight (time unknown) as the date alone.
            let (timed, untimed) = match format {
                Format::Rss => ("18 Jun 2025 14:30 · Иван Петров", "17 Jun 2025 · Ховар"),
                _ => ("2025-06-18 14:30 · Иван Петров", "2025-06-17 · Ховар"),
            };
            assert!(html.contains(timed), "{format}: {html}");
            assert!(html.contains(untimed), "{format}: {html}");
            assert!(
                html.contains(r#"<img src="https://e.org/media/2025/06/a.jpg""#),
                "{format}: {html}"
            );
            assert!(
                html.contains(r#"alt="Подпись &lt;i&gt;к&lt;/i&gt; фото""#),
                "{format}: {html}"
            );
        }
    }

    #[test]
    fn feed_xsl_links_only_to_web_urls() {
        let dir = tempfile::tempdir().unwrap();
        let mut feed = sample_feed();
        feed.entries[0].url = Url::parse("javascript:alert(1)").unwrap();
        let Some(html) = xsltproc(dir.path(), &render(&feed, Format::Atom).unwrap()) else {
            return;
        };
        assert!(!html.contains("javascript:"), "{html}");
        assert!(
            html.contains("знаками</h2>") || html.contains("знаками\n"),
            "{html}"
        );
    }
}
