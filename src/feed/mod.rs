//! The format-neutral feed model and the renderers that turn it into documents.
//!
//! [`Feed`] and [`Entry`] know nothing of XML: each field's doc says where it goes in RSS, Atom
//! and JSON Feed. Each format is one module with a [`Renderer`]; adding a format (or a feed per
//! tag or language, which is just another `Feed` value) does not touch the model.

pub mod atom;
pub mod html;
pub mod json;
pub mod rss;

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use url::Url;

use crate::article::Article;
use crate::config::Config;
pub use crate::format::Format;

/// Name and version written as the feeds' generator.
pub const GENERATOR: &str = "wirefeed";

/// A related story named at the end of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelatedLink {
    /// The headline: the target's own headline when resolved, else as cited.
    pub title: String,
    /// The target's URL when the headline was resolved (Atom `link rel="related"`, HTML link).
    pub url: Option<Url>,
}

/// Where a story came from, when its agency has its own site (RSS `source`, Atom `source`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The agency's name.
    pub title: String,
    /// The agency's feed or site URL.
    pub url: Url,
}

/// One entry of a feed.
#[derive(Debug, Clone, PartialEq)]
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
    /// The agency (RSS `dc:creator`, Atom `author/name`, JSON `authors[].name`).
    pub author: String,
    /// The lead paragraph as plain text (RSS `description`, Atom `summary`, JSON `summary`).
    pub summary: String,
    /// Full text as HTML (RSS `content:encoded`, Atom `content type="html"`, JSON `content_html`).
    pub content_html: String,
    /// Language tag (Atom `xml:lang` of title/summary/content, JSON `language`).
    pub lang: String,
    /// Photo credit (`media:credit` in RSS and Atom; in the HTML content everywhere).
    pub credit: Option<String>,
    /// Related stories (Atom `link rel="related"` for resolved ones; HTML list everywhere).
    pub related: Vec<RelatedLink>,
    /// The agency's own site (RSS `source`, Atom `source`).
    pub source: Option<Source>,
}

/// A feed: channel metadata and entries, newest first.
#[derive(Debug, Clone, PartialEq)]
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
}

/// Builds the feed model from stories that are already sorted newest first and limited.
pub fn build_feed(config: &Config, stories: &[Publishable<'_>]) -> Feed {
    let entries: Vec<Entry> = stories.iter().map(|s| entry(config, s)).collect();
    let updated = entries
        .iter()
        .map(|e| e.updated)
        .max()
        .unwrap_or_else(|| DateTime::UNIX_EPOCH.fixed_offset());
    Feed {
        title: config.title.clone(),
        description: config.description.clone(),
        site_url: config.site_url.clone(),
        language: config.story.language.clone(),
        id: config.site_url.to_string(),
        author: config.author.clone(),
        self_urls: Format::ALL
            .iter()
            .map(|f| (*f, config.feed_url(*f)))
            .collect(),
        updated,
        entries,
    }
}

fn entry(config: &Config, story: &Publishable<'_>) -> Entry {
    let a = story.article;
    let author = if a.dateline.agency.is_empty() {
        config.author.clone().unwrap_or_default()
    } else {
        a.dateline.agency.clone()
    };
    // Agencies are configured by name as people write it; the dateline's spelling of quotes
    // and case may differ.
    let agency = crate::related::normalize(&a.dateline.agency);
    let source = config
        .agencies
        .iter()
        .find(|(name, _)| crate::related::normalize(name) == agency)
        .map(|(_, agency)| Source {
            title: agency.title.clone(),
            url: agency.url.clone(),
        });
    Entry {
        id: config.entry_id(&a.id),
        url: config.article_url.render(a.date, &a.id, &a.slug),
        title: a.title.clone(),
        published: a.date,
        updated: a.date,
        author,
        summary: a.lead().to_string(),
        content_html: html::content(a, &story.related),
        lang: a.lang.clone(),
        credit: a.credit.clone(),
        related: story.related.clone(),
        source,
    }
}

/// Turns a [`Feed`] into a document of one format.
pub trait Renderer {
    /// The format this renderer writes.
    fn format(&self) -> Format;
    /// Renders the feed to bytes.
    fn render(&self, feed: &Feed) -> Result<Vec<u8>, crate::Error>;
}

/// The renderer of a format.
pub fn renderer(format: Format) -> Box<dyn Renderer + Send + Sync> {
    match format {
        Format::Rss => Box::new(rss::RssRenderer),
        Format::Atom => Box::new(atom::AtomRenderer),
        Format::Json => Box::new(json::JsonRenderer),
    }
}

/// Renders a feed in one format.
pub fn render(feed: &Feed, format: Format) -> Result<Vec<u8>, crate::Error> {
    renderer(format).render(feed)
}
