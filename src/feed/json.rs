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
    /// JSON Feed's `icon` and `favicon` are both square: the configured icon.
    #[serde(skip_serializing_if = "Option::is_none")]
    icon: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    favicon: Option<&'a str>,
    language: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hubs: Vec<JsonHub<'a>>,
    items: Vec<JsonItem<'a>>,
}

/// JSON Feed 1.1 `hubs`: the endpoints a reader can subscribe to for real-time updates.
#[derive(Serialize)]
struct JsonHub<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    url: &'a str,
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
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    tags: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attachments: Vec<JsonAttachment<'a>>,
    language: &'a str,
}

/// JSON Feed requires a `mime_type` for an attachment: a photo given as a URL is an `image`
/// only.
#[derive(Serialize)]
struct JsonAttachment<'a> {
    url: &'a str,
    mime_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    size_in_bytes: Option<u64>,
}

#[derive(Serialize)]
struct JsonAuthor<'a> {
    name: &'a str,
}

impl Renderer for JsonRenderer {
    fn render(&self, feed: &Feed) -> Result<Vec<u8>, crate::Error> {
        let doc = JsonFeed {
            version: "https://jsonfeed.org/version/1.1",
            title: &feed.title,
            home_page_url: feed.site_url.as_str(),
            feed_url: feed.self_url(Format::Json).map(|u| u.as_str()),
            description: &feed.description,
            icon: feed.branding.icon.as_ref().map(|u| u.as_str()),
            favicon: feed.branding.icon.as_ref().map(|u| u.as_str()),
            language: &feed.language,
            hubs: feed
                .hubs
                .iter()
                .map(|hub| JsonHub {
                    kind: "WebSub",
                    url: hub.as_str(),
                })
                .collect(),
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
                    authors: [JsonAuthor { name: e.creator() }],
                    tags: &e.tags,
                    image: e.photo.as_ref().map(|p| p.url.as_str()),
                    attachments: e
                        .photo
                        .iter()
                        .filter_map(|p| {
                            Some(JsonAttachment {
                                url: p.url.as_str(),
                                mime_type: p.mime?,
                                size_in_bytes: p.length,
                            })
                        })
                        .collect(),
                    language: &e.lang,
                })
                .collect(),
        };
        let mut out = serde_json::to_vec_pretty(&doc).map_err(|e| crate::Error::Render {
            format: Format::Json,
            source: Box::new(e),
        })?;
        out.push(b'\n');
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{assert_carries_the_model, render_and_parse_back, sample_feed};
    use super::*;

    #[test]
    fn the_icon_is_icon_and_favicon_only_when_configured() {
        let (json, _) = render_and_parse_back(&sample_feed(), Format::Json);
        assert!(
            !json.contains("\"icon\"") && !json.contains("favicon"),
            "{json}"
        );
        let mut feed = sample_feed();
        feed.branding.icon = Some(url::Url::parse("https://e.org/i.png").unwrap());
        let (json, _) = render_and_parse_back(&feed, Format::Json);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["icon"], "https://e.org/i.png");
        assert_eq!(v["favicon"], "https://e.org/i.png");
    }

    #[test]
    fn renders_the_model_and_reads_back() {
        let feed = sample_feed();
        let (json, parsed) = render_and_parse_back(&feed, Format::Json);
        assert_carries_the_model(&feed, &parsed);
        let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(doc["version"], "https://jsonfeed.org/version/1.1");
        assert_eq!(doc["feed_url"], "https://e.org/feed.json");
        // JSON Feed's summary is plain text by its spec: the lead as written.
        assert_eq!(
            doc["items"][0]["summary"],
            "ДУШАНБЕ, 18.06.2025 /НИАТ «Ховар»/. Лид <script>x</script> & 1 < 2."
        );
        assert_eq!(doc["items"][1]["language"], "tg");
        assert_eq!(
            doc["items"][0]["image"],
            "https://e.org/media/2025/06/a.jpg"
        );
        assert_eq!(
            doc["items"][0]["attachments"],
            serde_json::json!([{"url": "https://e.org/media/2025/06/a.jpg", "mime_type": "image/jpeg", "size_in_bytes": 12345}])
        );
        assert!(doc["items"][1].get("attachments").is_none());
        assert_eq!(
            doc["hubs"],
            serde_json::json!([{"type": "WebSub", "url": "https://hub.example.net/websub?x=1&y=2"}])
        );
    }
}
