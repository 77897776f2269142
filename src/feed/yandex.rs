//! The Yandex news feed: RSS 2.0 with the `yandex` namespace, built with the `rss` crate from
//! the same entries as the RSS feed.
//!
//! Yandex takes the story's text from `yandex:full-text` and rejects boilerplate there, so it
//! is the entry's plain paragraphs ([`Entry::text`]: the lead without its dateline, no credit,
//! no related headlines), one per line. `content:encoded` is left out, since it would double
//! the file for nothing; the photo is an `enclosure` (with `length` and `type`), as Yandex reads
//! it. The whole file must stay under [`MAX_BYTES`]: the oldest items go first.

use std::collections::BTreeMap;

use rss::extension::{Extension, ExtensionMap};
use rss::Channel;

use super::{Entry, Feed, Format, Renderer};

/// Namespace of Yandex's news elements.
pub const YANDEX_NS: &str = "http://news.yandex.ru";

/// Largest Yandex feed accepted: 10 MB, counted in decimal megabytes so that either reading of
/// "10 MB" holds.
pub const MAX_BYTES: usize = 10_000_000;

/// The genre of every item: wire copy is news messages.
pub const GENRE: &str = "message";

/// Writes the Yandex news feed.
#[derive(Debug, Clone, Copy)]
pub struct YandexRenderer;

impl Renderer for YandexRenderer {
    fn render(&self, feed: &Feed) -> Result<Vec<u8>, crate::Error> {
        render_capped(feed, MAX_BYTES).map(|(bytes, _)| bytes)
    }
}

/// Renders the feed within `max` bytes, leaving out the oldest items as needed; returns the
/// bytes and how many items were left out.
pub fn render_capped(feed: &Feed, max: usize) -> Result<(Vec<u8>, usize), crate::Error> {
    let mut channel = channel(feed);
    let all = channel.items.len();
    loop {
        let bytes = write(&channel)?;
        let n = channel.items.len();
        if bytes.len() < max || n == 0 {
            return Ok((bytes, all - n));
        }
        // Items are alike in size: drop the share that is over, at least one, and try again.
        let over = (bytes.len() - max) as f64 / bytes.len() as f64;
        let drop = ((n as f64 * over).ceil() as usize).clamp(1, n);
        channel.items.truncate(n - drop);
    }
}

fn write(channel: &Channel) -> Result<Vec<u8>, crate::Error> {
    let mut out =
        channel
            .pretty_write_to(Vec::new(), b' ', 2)
            .map_err(|e| crate::Error::Render {
                format: Format::Yandex,
                source: Box::new(e),
            })?;
    out.push(b'\n');
    // Titles as the RSS feed writes them (see `rss::hex_escape_titles`).
    Ok(super::rss::hex_escape_titles(out))
}

/// The channel: the RSS feed's, with its own self link, the Yandex logos and items.
pub fn channel(feed: &Feed) -> Channel {
    let mut channel = super::rss::channel(feed);
    channel.namespaces.insert("yandex".into(), YANDEX_NS.into());
    // Its own address as self link; archive links point at RSS documents, not at this one.
    if let Some(atom) = channel.atom_ext.as_mut() {
        atom.links.retain(|l| l.rel == "self" || l.rel == "hub");
        for link in atom.links.iter_mut().filter(|l| l.rel == "self") {
            match feed.self_url(Format::Yandex) {
                Some(url) => link.href = url.to_string(),
                None => link.href.clear(),
            }
        }
        atom.links.retain(|l| !l.href.is_empty());
    }
    channel.extensions.remove("fh");
    channel.namespaces.remove("fh");
    let logos: Vec<Extension> = [
        (feed.branding.logo.as_ref(), None),
        (feed.branding.icon.as_ref(), Some("square")),
    ]
    .into_iter()
    .filter_map(|(url, kind)| {
        url.map(|u| Extension {
            name: "yandex:logo".into(),
            value: Some(u.to_string()),
            attrs: kind
                .map(|k| BTreeMap::from([("type".to_string(), k.to_string())]))
                .unwrap_or_default(),
            ..Extension::default()
        })
    })
    .collect();
    if !logos.is_empty() {
        channel.extensions.insert(
            "yandex".into(),
            BTreeMap::from([("logo".to_string(), logos)]),
        );
    }
    channel.items = feed.entries.iter().map(item).collect();
    channel
}

fn item(entry: &Entry) -> rss::Item {
    let mut item = super::rss::item(entry);
    item.content = None;
    // The summary is the lead with its dateline (unless a sidecar gave one): the lead's text
    // without it is the first paragraph of the plain text, and Yandex wants no boilerplate.
    if let Some(first) = entry.text.first().filter(|f| !f.is_empty()) {
        if entry.summary.ends_with(first.as_str()) {
            item.description = Some(quick_xml::escape::partial_escape(first.as_str()).into_owned());
        }
    }
    let element = |name: &str, value: String| Extension {
        name: format!("yandex:{name}"),
        value: Some(value),
        ..Extension::default()
    };
    let mut extensions: ExtensionMap = item.extensions;
    extensions.insert(
        "yandex".into(),
        BTreeMap::from([
            ("genre".to_string(), vec![element("genre", GENRE.into())]),
            (
                "full-text".to_string(),
                vec![element("full-text", entry.text.join("\n"))],
            ),
        ]),
    );
    item.extensions = extensions;
    item
}

#[cfg(test)]
mod tests {
    use super::super::sample_feed;
    use super::*;

    fn render(feed: &Feed) -> String {
        let bytes = YandexRenderer.render(feed).unwrap();
        let opts = crate::validate::CheckOptions {
            publishing: true,
            ..Default::default()
        };
        let report = crate::validate::check(&bytes, &opts).unwrap();
        assert!(report.findings.is_empty(), "{:#?}", report.findings);
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn items_carry_the_full_text_without_boilerplate_and_the_genre() {
        let mut feed = sample_feed();
        feed.entries[0].text = vec!["Первый абзац.".into(), "Второй <b>абзац</b>.".into()];
        let xml = render(&feed);
        assert!(
            xml.contains(r#"xmlns:yandex="http://news.yandex.ru""#),
            "{xml}"
        );
        assert!(
            xml.contains(
                "<yandex:full-text>Первый абзац.\nВторой &lt;b&gt;абзац&lt;/b&gt;.</yandex:full-text>"
            ),
            "{xml}"
        );
        assert_eq!(
            xml.matches("<yandex:genre>message</yandex:genre>").count(),
            2
        );
        assert!(!xml.contains("content:encoded"), "{xml}");
        // The description is the lead without its dateline too (the sample's summary is the
        // dateline and the lead paragraph, which ends the first paragraph of the text).
        let mut feed = sample_feed();
        feed.entries[0].summary =
            "ДУШАНБЕ, 18.06.2025 /НИАТ «Ховар»/. Лид <script>x</script>".into();
        let plain = render(&feed);
        assert!(
            plain.contains(
                "<description><![CDATA[Лид &lt;script&gt;x&lt;/script&gt;]]></description>"
            ),
            "{plain}"
        );
        assert!(!plain.contains("ДУШАНБЕ, 18.06.2025"), "{plain}");
        assert!(xml.contains(r#"<enclosure url="https://e.org/media/2025/06/a.jpg" length="12345" type="image/jpeg"/>"#));
        assert!(
            xml.contains(r#"<atom:link href="https://e.org/feed.yandex" rel="self""#),
            "{xml}"
        );
        // Parsed back by an independent parser: an RSS feed with every item.
        let parsed = feed_rs::parser::parse(xml.as_bytes()).unwrap();
        assert_eq!(parsed.entries.len(), 2);
        assert_eq!(parsed.entries[0].authors[0].name, "Иван Петров");
    }

    #[test]
    fn logos_only_when_configured() {
        let xml = render(&sample_feed());
        assert!(!xml.contains("yandex:logo"), "{xml}");
        let mut feed = sample_feed();
        feed.branding.logo = Some(url::Url::parse("https://e.org/logo.png").unwrap());
        feed.branding.icon = Some(url::Url::parse("https://e.org/icon.png").unwrap());
        let xml = render(&feed);
        assert!(
            xml.contains("<yandex:logo>https://e.org/logo.png</yandex:logo>"),
            "{xml}"
        );
        assert!(
            xml.contains(r#"<yandex:logo type="square">https://e.org/icon.png</yandex:logo>"#),
            "{xml}"
        );
    }

    #[test]
    fn the_oldest_items_go_when_the_file_is_too_large() {
        let mut feed = sample_feed();
        let first = feed.entries[0].clone();
        feed.entries = (0..40)
            .map(|i| Entry {
                id: format!("tag:e.org,2025:{i}"),
                text: vec!["слово ".repeat(200)],
                ..first.clone()
            })
            .collect();
        let (whole, dropped) = render_capped(&feed, usize::MAX).unwrap();
        assert_eq!(dropped, 0);
        let (capped, dropped) = render_capped(&feed, whole.len() / 2).unwrap();
        assert!(capped.len() < whole.len() / 2);
        assert!((20..40).contains(&dropped), "{dropped}");
        // The newest stay: the first item is still the first entry.
        let xml = String::from_utf8(capped).unwrap();
        assert!(xml.contains("<guid isPermaLink=\"false\">tag:e.org,2025:0</guid>"));
        assert!(!xml.contains("<guid isPermaLink=\"false\">tag:e.org,2025:39</guid>"));
    }
}
