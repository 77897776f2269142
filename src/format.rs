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
}

impl Format {
    /// The feed formats, in output order: what `all` means, and the formats with self links.
    pub const ALL: [Format; 3] = [Format::Rss, Format::Atom, Format::Json];

    /// Every format there is, in output order; the aggregator formats are named explicitly.
    pub const EVERY: [Format; 5] = [
        Format::Rss,
        Format::Atom,
        Format::Json,
        Format::Yandex,
        Format::NewsSitemap,
    ];

    /// Whether the format is a feed a reader subscribes to (RSS, Atom, JSON Feed), as opposed
    /// to a document made for one aggregator.
    pub fn is_feed(self) -> bool {
        Format::ALL.contains(&self)
    }

    /// Parses `rss`, `atom`, `json`, `yandex` or `news-sitemap`.
    pub fn parse(name: &str) -> Option<Format> {
        match name.trim().to_ascii_lowercase().as_str() {
            "rss" => Some(Format::Rss),
            "atom" => Some(Format::Atom),
            "json" | "jsonfeed" => Some(Format::Json),
            "yandex" => Some(Format::Yandex),
            "news-sitemap" => Some(Format::NewsSitemap),
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
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
