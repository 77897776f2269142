//! The output formats: a leaf that the configuration, the renderers and the CLI all name.

use std::fmt;

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// RSS 2.0.
    Rss,
    /// Atom 1.0 (RFC 4287).
    Atom,
    /// JSON Feed 1.1.
    Json,
    /// Yandex news feed: RSS 2.0 with the `yandex` namespace (`yandex.xml`).
    Yandex,
    /// Google News sitemap (`news-sitemap.xml`).
    NewsSitemap,
    /// IPTC ninjs 3.3, one object per story (JSON Lines): for news systems, not feed readers.
    Ninjs,
}

impl Format {
    /// The feed formats, in output order: what `all` means, and the formats with self links.
    pub const ALL: [Format; 3] = [Format::Rss, Format::Atom, Format::Json];

    /// Every format there is, in output order: the feeds `all` names, then the formats that
    /// must be named one by one (the aggregators' documents and the IPTC stream).
    pub const EVERY: [Format; 6] = [
        Format::Rss,
        Format::Atom,
        Format::Json,
        Format::Yandex,
        Format::NewsSitemap,
        Format::Ninjs,
    ];

    /// Whether the format is a feed a reader subscribes to (RSS, Atom, JSON Feed): the front
    /// page's and the OPML list's feeds, as opposed to a document made for one aggregator.
    pub fn is_feed(self) -> bool {
        Format::ALL.contains(&self)
    }

    /// Parses `rss`, `atom`, `json`, `yandex`, `news-sitemap` or `ninjs`.
    pub fn parse(name: &str) -> Option<Format> {
        match name.trim().to_ascii_lowercase().as_str() {
            "rss" => Some(Format::Rss),
            "atom" => Some(Format::Atom),
            "json" | "jsonfeed" => Some(Format::Json),
            "yandex" => Some(Format::Yandex),
            "news-sitemap" => Some(Format::NewsSitemap),
            "ninjs" => Some(Format::Ninjs),
            _ => None,
        }
    }

    /// The short name (`rss`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Rss => "rss",
            Format::Atom => "atom",
            Format::Json => "json",
            Format::Yandex => "yandex",
            Format::NewsSitemap => "news-sitemap",
            Format::Ninjs => "ninjs",
        }
    }

    /// The media type of the document.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Rss => "application/rss+xml",
            Format::Atom => "application/atom+xml",
            Format::Json => "application/feed+json",
            Format::Yandex => "application/rss+xml",
            Format::NewsSitemap => "application/xml",
            // JSON Lines has no registered type; this is the one servers use for it.
            Format::Ninjs => "application/x-ndjson",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
