//! JSON Feed 1.1 (<https://www.jsonfeed.org/version/1.1/>), serialised with `serde_json`.
//!
//! No well-kept crate models JSON Feed 1.1 for writing, and the format is a small serde struct.

use serde::Serialize;

use super::{Feed, Format, Renderer};

/// Writes JSON Feed 1.1.
#[derive(Debug, Clone, Copy)]
pub struct JsonRenderer;

#[derive(Serialize)]
struct JsonFeed<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    feed_url: Option<&'a str>,
    description: &'a str,
    language: &'a str,
    items: Vec<JsonItem<'a>>,
}

#[derive(Serialize)]
struct JsonItem<'a> {
    id: &'a str,
    url: &'a str,
    title: &'a str,
    content_html: &'a str,
    summary: &'a str,
    date_published: String,
    date_modified: String,
    authors: [JsonAuthor<'a>; 1],
    language: &'a str,
}

#[derive(Serialize)]
struct JsonAuthor<'a> {
    name: &'a str,
}

impl Renderer for JsonRenderer {
    fn format(&self) -> Format {
        Format::Json
    }

    fn render(&self, feed: &Feed) -> Result<Vec<u8>, crate::Error> {
        let doc = JsonFeed {
            version: "https://jsonfeed.org/version/1.1",
            title: &feed.title,
            home_page_url: feed.site_url.as_str(),
            feed_url: feed.self_url(Format::Json).map(|u| u.as_str()),
            description: &feed.description,
            language: &feed.language,
            items: feed
                .entries
                .iter()
                .map(|e| JsonItem {
                    id: &e.id,
                    url: e.url.as_str(),
                    title: &e.title,
                    content_html: &e.content_html,
                    summary: &e.summary,
                    date_published: e.published.to_rfc3339(),
                    date_modified: e.updated.to_rfc3339(),
                    authors: [JsonAuthor { name: &e.author }],
                    language: &e.lang,
                })
                .collect(),
        };
        let mut out = serde_json::to_vec_pretty(&doc).map_err(|e| crate::Error::Render {
            format: "json",
            message: e.to_string(),
        })?;
        out.push(b'\n');
        Ok(out)
    }
}
