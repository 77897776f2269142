//! RFC 5005 feed history: the links that chain a subscription feed to its archive documents
//! (one per month) and the archive documents to each other.
//!
//! A reader that wants the whole history follows `prev-archive` from the subscription feed,
//! then from each archive document, until a document has none; `fh:archive` tells it that a
//! document is a closed page of the feed rather than a feed to subscribe to.

use std::collections::BTreeMap;

use url::Url;

use super::Format;

/// Namespace of RFC 5005's elements (`fh:archive`).
pub const FH_NS: &str = "http://purl.org/syndication/history/1.0";

/// The history links of one feed document, per format: an Atom document links Atom documents,
/// an RSS document RSS documents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct History {
    /// Whether the document is an archive document (`fh:archive`, RFC 5005 §4).
    pub archive: bool,
    /// The subscription feed (`rel="current"`); archive documents only.
    pub current: BTreeMap<Format, Url>,
    /// The archive document before this one (`rel="prev-archive"`), if any.
    pub prev: BTreeMap<Format, Url>,
    /// The archive document after this one (`rel="next-archive"`), if any.
    pub next: BTreeMap<Format, Url>,
}

impl History {
    /// The links of the document in `format`, as (relation, URL), in a fixed order.
    pub fn links(&self, format: Format) -> Vec<(&'static str, &Url)> {
        [
            ("current", &self.current),
            ("prev-archive", &self.prev),
            ("next-archive", &self.next),
        ]
        .into_iter()
        .filter_map(|(rel, urls)| urls.get(&format).map(|url| (rel, url)))
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{render_and_parse_back, sample_feed};
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    /// An archive document of the sample feed: current, prev and next in both formats.
    fn archived() -> super::super::Feed {
        let mut feed = sample_feed();
        let per_format = |stem: &str| {
            BTreeMap::from([
                (Format::Atom, url(&format!("https://e.org/{stem}.xml"))),
                (Format::Rss, url(&format!("https://e.org/{stem}.rss.xml"))),
            ])
        };
        feed.history = Some(History {
            archive: true,
            current: per_format("current"),
            prev: per_format("archive/2025-05"),
            next: per_format("archive/2025-07"),
        });
        feed
    }

    fn rel_links(parsed: &feed_rs::model::Feed) -> Vec<(String, String)> {
        parsed
            .links
            .iter()
            .filter(|l| {
                let rel = l.rel.as_deref().unwrap_or("");
                ["current", "prev-archive", "next-archive"].contains(&rel)
            })
            .map(|l| (l.rel.clone().unwrap_or_default(), l.href.clone()))
            .collect()
    }

    #[test]
    fn atom_archive_links_its_own_format_and_is_marked() {
        let (xml, parsed) = render_and_parse_back(&archived(), Format::Atom);
        assert!(xml.contains(r#"xmlns:fh="http://purl.org/syndication/history/1.0""#));
        assert!(xml.contains("<fh:archive"), "{xml}");
        let want = [
            ("current", "https://e.org/current.xml"),
            ("prev-archive", "https://e.org/archive/2025-05.xml"),
            ("next-archive", "https://e.org/archive/2025-07.xml"),
        ]
        .map(|(r, h)| (r.to_string(), h.to_string()));
        assert_eq!(rel_links(&parsed), want);
    }

    #[test]
    fn rss_archive_has_atom_links_and_the_marker() {
        let (xml, _) = render_and_parse_back(&archived(), Format::Rss);
        assert!(xml.contains("<fh:archive"), "{xml}");
        for (rel, href) in [
            ("current", "https://e.org/current.rss.xml"),
            ("prev-archive", "https://e.org/archive/2025-05.rss.xml"),
            ("next-archive", "https://e.org/archive/2025-07.rss.xml"),
        ] {
            let link =
                format!(r#"<atom:link href="{href}" rel="{rel}" type="application/rss+xml"/>"#);
            assert!(xml.contains(&link), "{link} in {xml}");
        }
    }

    #[test]
    fn a_subscription_feed_links_back_without_the_marker() {
        let mut feed = sample_feed();
        feed.history = Some(History {
            prev: BTreeMap::from([(Format::Atom, url("https://e.org/archive/2025-06.xml"))]),
            ..History::default()
        });
        let (xml, parsed) = render_and_parse_back(&feed, Format::Atom);
        assert!(!xml.contains("fh:archive"), "{xml}");
        assert_eq!(
            rel_links(&parsed),
            [(
                "prev-archive".to_string(),
                "https://e.org/archive/2025-06.xml".to_string()
            )]
        );
        // No RSS URL given: the RSS rendering has no history link at all.
        let (xml, _) = render_and_parse_back(&feed, Format::Rss);
        assert!(!xml.contains("prev-archive"), "{xml}");
    }
}
