//! IPTC ninjs 3.3 (News in JSON, <https://iptc.org/standards/ninjs/>), one object per story as
//! JSON Lines, serialised with `serde_json`.
//!
//! Why 3.3 and not 2.4: it is the current version, IPTC's own examples and tools have moved to
//! it, and its names are camelCase like the rest of today's JSON APIs. Both versions carry the
//! same facts for a text story (2.x spells them `versioncreated`, `pubstatus`…), so nothing is
//! lost; 3.3 also has `standard`, which names the schema each object conforms to, so a consumer
//! need not guess. Its schema forbids properties it does not define (`unevaluatedProperties`),
//! so every struct here uses the schema's names only; `wirefeed check` enforces that
//! (`ninjs.property`).
//!
//! What comes from where: `uri` is the entry id; `firstCreated` the publication time and
//! `versionCreated` the latest correction (`Entry::updated`); `version` is `1` for a story never
//! corrected and otherwise the correction's Unix time, since the ledger knows when a story was
//! last corrected but not how often, and a version must change, and grow, with each correction.
//! The stories come in the feed's order (newest first), then one `canceled` object per
//! tombstone, so that a system that took a withdrawn story learns to take it down.

use serde::Serialize;

use super::{Entry, Feed, Format, Renderer, Tombstone};

/// The schema the objects conform to.
pub const SCHEMA: &str = "http://www.iptc.org/std/ninjs/ninjs-schema_3.3.json#";

/// Writes IPTC ninjs 3.3 as JSON Lines.
#[derive(Debug, Clone, Copy)]
pub struct NinjsRenderer;

/// ninjs `standard`: which standard, version and schema an object is valid against.
#[derive(Serialize)]
struct Standard {
    name: &'static str,
    version: &'static str,
    schema: &'static str,
}

const STANDARD: Standard = Standard {
    name: "ninjs",
    version: "3.3",
    schema: SCHEMA,
};

/// A headline, body or description: the schema's `{role, contentType, value}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Text<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<&'static str>,
    content_type: &'static str,
    value: std::borrow::Cow<'a, str>,
}

/// A subject: a tag is a name and nothing more (no scheme or code for desk tags).
#[derive(Serialize)]
struct Subject<'a> {
    name: &'a str,
}

/// An info source: the agency, as the story's originator.
#[derive(Serialize)]
struct InfoSource<'a> {
    name: &'a str,
    role: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri: Option<&'a str>,
}

/// A rendition: the story's web page, or the photo file.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rendition<'a> {
    name: &'static str,
    href: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    content_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    width: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    height: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    size_in_bytes: Option<u64>,
}

/// An association: a ninjs object of its own, with the `name` 3.x requires and a `rel`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Association<'a> {
    name: &'static str,
    rel: &'static str,
    uri: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    by: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    headlines: Vec<Text<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    descriptions: Vec<Text<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    renditions: Vec<Rendition<'a>>,
}

/// One story.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Story<'a> {
    uri: &'a str,
    standard: Standard,
    #[serde(rename = "type")]
    kind: &'static str,
    version: String,
    first_created: String,
    version_created: String,
    pub_status: &'static str,
    language: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    copyright_holder: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    by: Option<&'a str>,
    located: &'a str,
    headlines: [Text<'a>; 1],
    descriptions: [Text<'a>; 1],
    bodies: [Text<'a>; 2],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    subjects: Vec<Subject<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    info_sources: Option<[InfoSource<'a>; 1]>,
    renditions: [Rendition<'a>; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    associations: Vec<Association<'a>>,
}

/// A withdrawn or deleted story, while its tombstone lasts.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Canceled<'a> {
    uri: &'a str,
    standard: Standard,
    #[serde(rename = "type")]
    kind: &'static str,
    version_created: String,
    pub_status: &'static str,
}

fn plain<'a>(role: Option<&'static str>, value: &'a str) -> Text<'a> {
    Text {
        role,
        content_type: "text/plain",
        value: value.into(),
    }
}

/// `1` until the story is corrected, then the correction's Unix time (see the module doc).
fn version(e: &Entry) -> String {
    if e.updated == e.published {
        "1".into()
    } else {
        e.updated.timestamp().to_string()
    }
}

fn story(e: &Entry) -> Story<'_> {
    let mut associations: Vec<Association<'_>> = e
        .photo
        .iter()
        .map(|p| Association {
            name: "photo",
            rel: "leadPhoto",
            uri: p.url.as_str(),
            kind: "picture",
            by: e.credit.as_deref(),
            headlines: Vec::new(),
            descriptions: p
                .caption
                .iter()
                .map(|c| plain(Some("caption"), c))
                .collect(),
            renditions: vec![Rendition {
                name: "original",
                href: p.url.as_str(),
                content_type: p.mime,
                width: p.width,
                height: p.height,
                size_in_bytes: p.length,
            }],
        })
        .collect();
    // Only resolved links name a story; an unresolved headline has no uri to give.
    associations.extend(e.related.iter().filter_map(|r| {
        Some(Association {
            name: "related",
            rel: "seeAlso",
            uri: r.id.as_deref()?,
            kind: "text",
            by: None,
            headlines: vec![plain(Some("main"), &r.title)],
            descriptions: Vec::new(),
            renditions: r
                .url
                .iter()
                .map(|u| Rendition {
                    name: "web",
                    href: u.as_str(),
                    content_type: Some("text/html"),
                    width: None,
                    height: None,
                    size_in_bytes: None,
                })
                .collect(),
        })
    }));
    let agency = Some(e.author.as_str()).filter(|a| !a.is_empty());
    Story {
        uri: &e.id,
        standard: STANDARD,
        kind: "text",
        version: version(e),
        first_created: e.published.to_rfc3339(),
        version_created: e.updated.to_rfc3339(),
        pub_status: "usable",
        language: &e.lang,
        // A dateline without an agency and no configured author leave no one to name.
        copyright_holder: agency,
        by: e.byline.as_deref(),
        located: &e.city,
        headlines: [plain(Some("main"), &e.title)],
        descriptions: [plain(Some("summary"), &e.summary)],
        bodies: [
            Text {
                role: None,
                content_type: "text/html",
                value: e.content_html.as_str().into(),
            },
            Text {
                role: None,
                content_type: "text/plain",
                value: e.text.join("\n\n").into(),
            },
        ],
        subjects: e.tags.iter().map(|t| Subject { name: t }).collect(),
        info_sources: agency.map(|name| {
            [InfoSource {
                name,
                role: "originator",
                uri: e.source.as_ref().map(|s| s.url.as_str()),
            }]
        }),
        renditions: [Rendition {
            name: "web",
            href: e.url.as_str(),
            content_type: Some("text/html"),
            width: None,
            height: None,
            size_in_bytes: None,
        }],
        associations,
    }
}

fn canceled(t: &Tombstone) -> Canceled<'_> {
    Canceled {
        uri: &t.id,
        standard: STANDARD,
        // Every story wirefeed publishes is text.
        kind: "text",
        version_created: t.when.to_rfc3339(),
        pub_status: "canceled",
    }
}

impl Renderer for NinjsRenderer {
    fn render(&self, feed: &Feed) -> Result<Vec<u8>, crate::Error> {
        let error = |e: serde_json::Error| crate::Error::Render {
            format: Format::Ninjs,
            source: Box::new(e),
        };
        let mut out = Vec::new();
        for e in &feed.entries {
            serde_json::to_writer(&mut out, &story(e)).map_err(error)?;
            out.push(b'\n');
        }
        for t in &feed.tombstones {
            serde_json::to_writer(&mut out, &canceled(t)).map_err(error)?;
            out.push(b'\n');
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{render, sample_feed};
    use super::*;
    use serde_json::{json, Value};

    fn lines(bytes: &[u8]) -> Vec<Value> {
        let text = std::str::from_utf8(bytes).unwrap();
        assert!(text.ends_with('\n'));
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn one_valid_object_per_story_then_one_per_tombstone() {
        let feed = sample_feed();
        let bytes = render(&feed, Format::Ninjs).unwrap();
        let opts = crate::validate::CheckOptions {
            publishing: true,
            ..Default::default()
        };
        let report = crate::validate::check(&bytes, &opts).unwrap();
        assert_eq!(
            report.kind,
            Some(crate::validate::DocumentKind::Ninjs),
            "recognised as ninjs"
        );
        assert!(report.findings.is_empty(), "{:#?}", report.findings);
        let objs = lines(&bytes);
        assert_eq!(objs.len(), 3);
        let full = &objs[0];
        assert_eq!(full["uri"], "tag:e.org,2025:2025/06/a");
        assert_eq!(full["standard"]["schema"], SCHEMA);
        assert_eq!(full["type"], "text");
        assert_eq!(full["version"], "1");
        assert_eq!(full["firstCreated"], "2025-06-18T14:30:00+05:00");
        assert_eq!(full["pubStatus"], "usable");
        assert_eq!(full["copyrightHolder"], "НИАТ «Ховар»");
        assert_eq!(full["by"], "Иван Петров");
        assert_eq!(full["located"], "ДУШАНБЕ");
        assert_eq!(
            full["headlines"][0]["value"],
            "Заголовок <b>с</b> & знаками"
        );
        assert_eq!(full["bodies"][0]["contentType"], "text/html");
        assert_eq!(full["bodies"][1]["value"], "Лид <script>x</script>");
        assert_eq!(
            full["subjects"],
            json!([{"name": "ШОС"}, {"name": "ИКТ & связь"}])
        );
        assert_eq!(full["infoSources"][0]["uri"], "https://wire.e.org/rss.xml");
        assert_eq!(
            full["associations"],
            json!([
                {"name": "photo", "rel": "leadPhoto", "uri": "https://e.org/media/2025/06/a.jpg",
                 "type": "picture", "by": "Автор",
                 "descriptions": [{"role": "caption", "contentType": "text/plain", "value": "Подпись <i>к</i> фото"}],
                 "renditions": [{"name": "original", "href": "https://e.org/media/2025/06/a.jpg",
                    "contentType": "image/jpeg", "width": 800, "height": 600, "sizeInBytes": 12345}]},
                {"name": "related", "rel": "seeAlso", "uri": "tag:e.org,2025:2025/06/b", "type": "text",
                 "headlines": [{"role": "main", "contentType": "text/plain", "value": "Другая"}],
                 "renditions": [{"name": "web", "href": "https://e.org/news/2025/06/b/", "contentType": "text/html"}]}
            ]),
            "the photo, and only the resolved related story"
        );
        let bare = &objs[1];
        assert!(bare.get("associations").is_none() && bare.get("subjects").is_none());
        assert_eq!(bare["copyrightHolder"], "Ховар");
        assert!(bare.get("by").is_none());
        assert_eq!(
            objs[2],
            json!({"uri": "tag:example.org,2025:2025/06/gone", "standard": full["standard"],
                   "type": "text", "versionCreated": "2025-06-19T10:00:00+05:00", "pubStatus": "canceled"})
        );
    }

    #[test]
    fn keys_come_in_a_fixed_order() {
        let bytes = render(&sample_feed(), Format::Ninjs).unwrap();
        let first = std::str::from_utf8(&bytes).unwrap().lines().next().unwrap();
        let keys = [
            "\"uri\"",
            "\"standard\"",
            "\"type\"",
            "\"version\"",
            "\"firstCreated\"",
            "\"versionCreated\"",
            "\"pubStatus\"",
            "\"language\"",
            "\"headlines\"",
            "\"bodies\"",
            "\"associations\"",
        ];
        // Each key after the one before (`standard` holds a `version` of its own).
        let mut from = 0;
        for key in keys {
            let at = first[from..].find(key);
            assert!(at.is_some(), "{key} missing or out of order in {first}");
            from += at.unwrap_or_default() + key.len();
        }
        assert!(first.starts_with("{\"uri\":"));
        assert_eq!(bytes, render(&sample_feed(), Format::Ninjs).unwrap());
    }

    #[test]
    fn a_corrected_story_gets_a_new_larger_version() {
        let mut feed = sample_feed();
        feed.tombstones.clear();
        feed.entries.truncate(1);
        feed.entries[0].updated =
            chrono::DateTime::parse_from_rfc3339("2025-06-19T09:00:00+05:00").unwrap();
        let objs = lines(&render(&feed, Format::Ninjs).unwrap());
        assert_eq!(objs[0]["version"], "1750305600");
        assert_eq!(objs[0]["versionCreated"], "2025-06-19T09:00:00+05:00");
        assert_eq!(objs[0]["firstCreated"], "2025-06-18T14:30:00+05:00");
    }

    #[test]
    fn no_agency_names_no_copyright_holder() {
        let mut feed = sample_feed();
        feed.entries[1].author.clear();
        let objs = lines(&render(&feed, Format::Ninjs).unwrap());
        assert!(objs[1].get("copyrightHolder").is_none() && objs[1].get("infoSources").is_none());
        assert_eq!(objs[0]["infoSources"][0]["name"], "НИАТ «Ховар»");
    }

    #[test]
    fn an_empty_feed_is_an_empty_stream() {
        let mut feed = sample_feed();
        feed.entries.clear();
        feed.tombstones.clear();
        assert!(render(&feed, Format::Ninjs).unwrap().is_empty());
    }
}
