//! IPTC ninjs 3.3 checks (`ninjs.*`): the rules of the official JSON Schema
//! (`ninjs-schema_3.3.json`, iptc/newsinjson) that matter for a news object,
//! encoded by hand rather than by a schema engine, so that each finding has a
//! stable code and the line of the object it is about.
//!
//! A ninjs document is JSON Lines (one object per line, as `build` writes
//! `ninjs.jsonl`) or a single object. Findings are at the object's line,
//! column 1: serde_json's `Value` carries no positions inside a line.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::date::parse_rfc3339;
use super::media::is_media_type;
use super::report::Sink;
use super::{is_absolute_url, is_language_tag};

/// The properties a ninjs 3.3 object may have: the schema's `ninjsType`, whose
/// `unevaluatedProperties: false` forbids any other.
const OBJECT_PROPS: &[&str] = &[
    "uri",
    "type",
    "representationType",
    "profile",
    "version",
    "firstCreated",
    "versionCreated",
    "contentCreated",
    "contentDigitised",
    "embargoedUntil",
    "pubStatus",
    "urgency",
    "copyrightHolder",
    "copyrightNotice",
    "usageTerms",
    "edNote",
    "language",
    "descriptions",
    "bodies",
    "headlines",
    "people",
    "organisations",
    "places",
    "subjects",
    "events",
    "eventDetails",
    "plannedCoverage",
    "objects",
    "infoSources",
    "title",
    "by",
    "slugline",
    "located",
    "renditions",
    "associations",
    "altIds",
    "trustIndicators",
    "standard",
    "genres",
    "expires",
    "rightsInfo",
    "digitalSourceType",
];

/// Properties whose value the schema types as a string (dates and enums have their own rules).
const STRING_PROPS: &[&str] = &[
    "profile",
    "version",
    "copyrightHolder",
    "copyrightNotice",
    "usageTerms",
    "edNote",
    "title",
    "by",
    "slugline",
    "located",
];

/// Properties the schema types as an object.
const OBJECT_VALUED: &[&str] = &[
    "eventDetails",
    "standard",
    "rightsInfo",
    "digitalSourceType",
];

/// The `format: date-time` properties.
const DATE_PROPS: &[&str] = &[
    "firstCreated",
    "versionCreated",
    "contentCreated",
    "contentDigitised",
    "embargoedUntil",
    "expires",
];

/// `newsObjectType`.
const TYPES: &[&str] = &[
    "text",
    "audio",
    "video",
    "picture",
    "graphic",
    "composite",
    "component",
    "event",
    "planning",
];

/// `pubStatus`.
const PUB_STATUSES: &[&str] = &["usable", "withheld", "canceled"];

/// The arrays of small objects whose properties the schema closes
/// (`additionalProperties: false`), with the properties each item may have.
const CLOSED_ITEMS: &[(&str, &[&str])] = &[
    ("people", &["name", "rel", "uri", "literal", "contactInfo"]),
    (
        "organisations",
        &["name", "rel", "uri", "literal", "symbols", "contactInfo"],
    ),
    (
        "places",
        &["name", "rel", "uri", "literal", "contactInfo", "geoJSON"],
    ),
    (
        "subjects",
        &[
            "name",
            "rel",
            "uri",
            "literal",
            "creator",
            "relevance",
            "confidence",
        ],
    ),
    ("events", &["id", "name", "rel", "uri", "literal"]),
    ("objects", &["name", "rel", "uri", "literal"]),
    (
        "infoSources",
        &["name", "role", "uri", "literal", "contactInfo"],
    ),
    ("altIds", &["role", "value"]),
    ("trustIndicators", &["role", "title", "href"]),
    ("genres", &["name", "uri", "literal"]),
];

/// `renditionType`'s properties.
const RENDITION_PROPS: &[&str] = &[
    "name",
    "href",
    "contentType",
    "title",
    "width",
    "height",
    "sizeInBytes",
    "duration",
    "format",
    "aspectRatio",
    "videoCodec",
    "frameRate",
    "poi",
    "transportProtocol",
    "scanType",
    "bitrate",
    "resources",
    "extensions",
];

/// `standard`'s properties.
const STANDARD_PROPS: &[&str] = &["name", "version", "schema"];

/// Properties the schema types as an array.
const ARRAY_PROPS: &[&str] = &[
    "descriptions",
    "bodies",
    "headlines",
    "people",
    "organisations",
    "places",
    "subjects",
    "events",
    "plannedCoverage",
    "objects",
    "infoSources",
    "renditions",
    "associations",
    "altIds",
    "trustIndicators",
    "genres",
];

/// Associations nest ninjs objects; deeper than this is hostile input, not news.
const MAX_DEPTH: usize = 16;

/// Where the findings of one line go: every finding is at the line's object.
struct Out<'s> {
    sink: &'s mut Sink,
    line: usize,
}

impl Out<'_> {
    fn push(&mut self, code: &'static str, message: String) {
        self.sink.push(code, self.line, 1, message);
    }
}

/// Whether `v` is a ninjs object rather than a JSON Feed: it has a `uri`,
/// which JSON Feed does not define at the top, and no JSON Feed `version`.
fn is_ninjs_object(v: &Value) -> bool {
    v.as_object().is_some_and(|o| {
        o.contains_key("uri")
            && !o
                .get("version")
                .and_then(Value::as_str)
                .is_some_and(|s| s.starts_with("https://jsonfeed.org/"))
    })
}

/// Whether the JSON document `text` is ninjs: its first line is a ninjs
/// object (JSON Lines), or the whole text is one.
pub(crate) fn recognise(text: &str) -> bool {
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    // The first line alone first: for JSON Lines the whole text is no single value, and
    // serde_json stops at the second line.
    serde_json::from_str::<Value>(first).is_ok_and(|v| is_ninjs_object(&v))
        || serde_json::from_str::<Value>(text).is_ok_and(|v| is_ninjs_object(&v))
}

/// Checks a ninjs document: JSON Lines, or a single (pretty-printed) object.
pub(crate) fn check(text: &str, sink: &mut Sink) {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut seen: HashMap<String, usize> = HashMap::new();
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        let lead = text.len() - text.trim_start().len();
        let line = 1 + text[..lead].matches('\n').count();
        check_line(&v, line, &mut seen, sink);
        return;
    }
    let lines: Vec<&str> = text.split('\n').collect();
    for (i, raw) in lines.iter().enumerate() {
        let line = i + 1;
        let l = raw.strip_suffix('\r').unwrap_or(raw);
        if l.trim().is_empty() {
            // JSON Lines allows a line separator at the very end only.
            if i + 1 != lines.len() {
                sink.push(
                    "ninjs.json",
                    line,
                    1,
                    "a blank line: every line of JSON Lines is one JSON value".into(),
                );
            }
            continue;
        }
        match serde_json::from_str::<Value>(l) {
            Ok(v) => check_line(&v, line, &mut seen, sink),
            Err(e) => sink.push(
                "ninjs.json",
                line,
                e.column().max(1),
                format!("not one JSON value: {e}"),
            ),
        }
    }
}

/// One top-level object: its rules, and that its uri is not taken by an
/// earlier live object.
fn check_line(v: &Value, line: usize, seen: &mut HashMap<String, usize>, sink: &mut Sink) {
    let Some(obj) = v.as_object() else {
        sink.push(
            "ninjs.json",
            line,
            1,
            "a ninjs document holds JSON objects, one per line".into(),
        );
        return;
    };
    check_object(obj, "", 0, &mut Out { sink, line });
    // A canceled object repeats the uri of the story it takes down: that is its purpose.
    let canceled = obj.get("pubStatus").and_then(Value::as_str) == Some("canceled");
    if let (Some(uri), false) = (obj.get("uri").and_then(Value::as_str), canceled) {
        if let Some(first) = seen.get(uri) {
            sink.push(
                "ninjs.uri.duplicate",
                line,
                1,
                format!("uri '{uri}' is already the uri of the object on line {first}"),
            );
        } else {
            seen.insert(uri.to_string(), line);
        }
    }
}

/// The rules of one ninjs object (`at` names it in messages: "" for the
/// line's object, `associations[0].` for an association).
fn check_object(obj: &Map<String, Value>, at: &str, depth: usize, out: &mut Out<'_>) {
    let association = !at.is_empty();
    for (key, value) in obj {
        let known = OBJECT_PROPS.contains(&key.as_str())
            || (association && (key == "name" || key == "rel"));
        if !known {
            out.push(
                "ninjs.property",
                format!("{at}{key}: ninjs 3.3 defines no such property, and allows no other"),
            );
            continue;
        }
        let wrong_type = match key.as_str() {
            k if STRING_PROPS.contains(&k) || k == "name" || k == "rel" => !value.is_string(),
            k if OBJECT_VALUED.contains(&k) => !value.is_object(),
            k if ARRAY_PROPS.contains(&k) => !value.is_array(),
            "urgency" => !value.as_u64().is_some_and(|n| (1..=9).contains(&n)),
            _ => false,
        };
        if wrong_type {
            let expected = match key.as_str() {
                "urgency" => "an integer from 1 to 9",
                k if OBJECT_VALUED.contains(&k) => "an object",
                k if STRING_PROPS.contains(&k) || k == "name" || k == "rel" => "a string",
                _ => "an array",
            };
            out.push(
                "ninjs.property",
                format!("{at}{key} must be {expected}, not {value}"),
            );
        }
    }
    match obj.get("uri") {
        None => out.push("ninjs.uri", format!("{at}uri is required")),
        Some(Value::String(u)) if is_absolute_url(u) => {}
        Some(other) => out.push(
            "ninjs.uri",
            format!("{at}uri {other} must be an absolute URI (format: uri)"),
        ),
    }
    if let Some(t) = obj.get("type") {
        if !t.as_str().is_some_and(|t| TYPES.contains(&t)) {
            out.push(
                "ninjs.type",
                format!("{at}type {t} must be one of {}", TYPES.join(", ")),
            );
        }
    }
    if let Some(s) = obj.get("pubStatus") {
        if !s.as_str().is_some_and(|s| PUB_STATUSES.contains(&s)) {
            out.push(
                "ninjs.pubstatus",
                format!("{at}pubStatus {s} must be usable, withheld or canceled"),
            );
        }
    }
    for key in DATE_PROPS {
        if let Some(d) = obj.get(*key) {
            let problem = match d.as_str() {
                Some(s) if s.trim() != s => Some(format!("'{s}' has spaces around it")),
                Some(s) => parse_rfc3339(s).err(),
                None => Some(format!("{d} is not a string")),
            };
            if let Some(problem) = problem {
                out.push("ninjs.date", format!("{at}{key}: {problem}"));
            }
        }
    }
    if let Some(l) = obj.get("language") {
        if !l.as_str().is_some_and(is_language_tag) {
            out.push(
                "ninjs.language",
                format!("{at}language {l} must be a BCP 47 language tag"),
            );
        }
    }
    if association && !obj.contains_key("name") {
        out.push(
            "ninjs.association",
            format!("{}: an association needs a name", at.trim_end_matches('.')),
        );
    }
    if let Some(standard) = obj.get("standard").and_then(Value::as_object) {
        closed(standard, STANDARD_PROPS, &format!("{at}standard."), out);
    }
    for (key, code, extra) in [
        ("headlines", "ninjs.headline", &[][..]),
        ("descriptions", "ninjs.description", &[][..]),
        ("bodies", "ninjs.body", &["charCount", "wordCount"][..]),
    ] {
        for (i, item) in items(obj, key) {
            check_text(item, code, extra, &format!("{at}{key}[{i}]"), out);
        }
    }
    for (i, item) in items(obj, "renditions") {
        check_rendition(item, &format!("{at}renditions[{i}]"), out);
    }
    for (key, allowed) in CLOSED_ITEMS {
        for (i, item) in items(obj, key) {
            match item.as_object() {
                Some(o) => closed(o, allowed, &format!("{at}{key}[{i}]."), out),
                None => out.push(
                    "ninjs.property",
                    format!("{at}{key}[{i}] must be an object"),
                ),
            }
        }
    }
    for (i, item) in items(obj, "associations") {
        let here = format!("{at}associations[{i}].");
        match item.as_object() {
            Some(_) if depth >= MAX_DEPTH => out.push(
                "ninjs.association",
                format!("{here}: associations nested deeper than {MAX_DEPTH} are not checked"),
            ),
            Some(o) => check_object(o, &here, depth + 1, out),
            None => out.push(
                "ninjs.association",
                format!(
                    "{}: an association must be an object",
                    here.trim_end_matches('.')
                ),
            ),
        }
    }
}

/// The items of the array `key` of `obj`, if it is an array.
fn items<'v>(obj: &'v Map<String, Value>, key: &str) -> impl Iterator<Item = (usize, &'v Value)> {
    obj.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
}

/// `ninjs.property` for each member of `obj` not in `allowed`.
fn closed(obj: &Map<String, Value>, allowed: &[&str], at: &str, out: &mut Out<'_>) {
    for key in obj.keys().filter(|k| !allowed.contains(&k.as_str())) {
        out.push(
            "ninjs.property",
            format!("{at}{key}: ninjs 3.3 defines no such property here, and allows no other"),
        );
    }
}

/// A headline, description or body: an object with a string `value`
/// (required), an optional `role` and a `contentType` that is a media type.
fn check_text(item: &Value, code: &'static str, extra: &[&str], at: &str, out: &mut Out<'_>) {
    let Some(o) = item.as_object() else {
        out.push(code, format!("{at} must be an object with a value"));
        return;
    };
    if !o.get("value").is_some_and(Value::is_string) {
        out.push(code, format!("{at}.value (a string) is required"));
    }
    if o.get("role").is_some_and(|r| !r.is_string()) {
        out.push(code, format!("{at}.role must be a string"));
    }
    if let Some(t) = o.get("contentType") {
        if !t.as_str().is_some_and(is_media_type) {
            out.push(
                code,
                format!("{at}.contentType {t} must be a media type (type/subtype)"),
            );
        }
    }
    for count in extra {
        if o.get(*count).is_some_and(|n| !n.is_u64()) {
            out.push(code, format!("{at}.{count} must be a non-negative integer"));
        }
    }
    let mut allowed = vec!["role", "contentType", "value"];
    allowed.extend(extra);
    closed(o, &allowed, &format!("{at}."), out);
}

/// A rendition: a `name` (required), an absolute `href`, positive integer
/// sizes, a byte count and a media type.
fn check_rendition(item: &Value, at: &str, out: &mut Out<'_>) {
    let Some(o) = item.as_object() else {
        out.push("ninjs.rendition", format!("{at} must be an object"));
        return;
    };
    if !o.get("name").is_some_and(Value::is_string) {
        out.push(
            "ninjs.rendition",
            format!("{at}.name (a string) is required"),
        );
    }
    if let Some(h) = o.get("href") {
        if !h.as_str().is_some_and(is_absolute_url) {
            out.push(
                "ninjs.rendition",
                format!("{at}.href {h} must be an absolute URL (format: uri)"),
            );
        }
    }
    for key in ["width", "height"] {
        if o.get(key)
            .is_some_and(|n| n.as_u64().is_none_or(|n| n == 0))
        {
            out.push(
                "ninjs.rendition",
                format!("{at}.{key} must be a positive integer"),
            );
        }
    }
    if o.get("sizeInBytes").is_some_and(|n| !n.is_u64()) {
        out.push(
            "ninjs.rendition",
            format!("{at}.sizeInBytes must be a non-negative integer"),
        );
    }
    if let Some(t) = o.get("contentType") {
        if !t.as_str().is_some_and(is_media_type) {
            out.push(
                "ninjs.rendition",
                format!("{at}.contentType {t} must be a media type (type/subtype)"),
            );
        }
    }
    closed(o, RENDITION_PROPS, &format!("{at}."), out);
}

#[cfg(test)]
mod tests {
    use super::super::{check as check_document, CheckOptions, DocumentKind};
    use super::*;

    /// The (code, line) of each finding in `text`, which must be recognised as ninjs.
    fn findings(text: &str) -> Vec<(&'static str, usize)> {
        let report = check_document(text.as_bytes(), &CheckOptions::default()).unwrap();
        assert_eq!(report.kind, Some(DocumentKind::Ninjs), "{text}");
        report.findings.iter().map(|f| (f.code, f.line)).collect()
    }

    const GOOD: &str = r#"{"uri":"tag:e.org,2025:a","type":"text","pubStatus":"usable","versionCreated":"2025-06-18T14:30:00+05:00","language":"ru","headlines":[{"role":"main","contentType":"text/plain","value":"H"}],"bodies":[{"contentType":"text/html","value":"<p>x</p>","wordCount":1}],"associations":[{"name":"photo","uri":"https://e.org/a.jpg","type":"picture","renditions":[{"name":"original","href":"https://e.org/a.jpg","width":800,"height":600,"contentType":"image/jpeg"}]}]}"#;

    #[test]
    fn recognises_ninjs_and_not_json_feed() {
        assert!(recognise(GOOD));
        assert!(recognise(&format!("{GOOD}\n{GOOD}\n")));
        assert!(
            recognise("{\n  \"uri\": \"urn:x:1\"\n}\n"),
            "one pretty object"
        );
        assert!(!recognise(
            r#"{"version":"https://jsonfeed.org/version/1.1","uri":"x","title":"t","items":[]}"#
        ));
        assert!(!recognise(
            "{\n \"version\": \"https://jsonfeed.org/version/1.1\"\n}"
        ));
    }

    #[test]
    fn a_valid_stream_has_no_finding() {
        assert_eq!(findings(&format!("{GOOD}\n")), []);
        let canceled = r#"{"uri":"tag:e.org,2025:a","pubStatus":"canceled","versionCreated":"2025-06-19T00:00:00Z"}"#;
        assert_eq!(
            findings(&format!("{GOOD}\n{canceled}\n")),
            [],
            "a canceled object may repeat a uri"
        );
    }

    #[test]
    fn each_rule_reports_its_line() {
        let bad = |from: &str, to: &str| {
            assert!(GOOD.contains(from), "{from}");
            let line = GOOD.replace(from, to);
            findings(&format!("{GOOD}\n{line}\n"))
                .into_iter()
                .filter(|(code, _)| *code != "ninjs.uri.duplicate")
                .collect::<Vec<_>>()
        };
        assert_eq!(
            bad(r#""type":"text""#, r#""type":"story""#),
            [("ninjs.type", 2)]
        );
        assert_eq!(
            bad(r#""usable""#, r#""published""#),
            [("ninjs.pubstatus", 2)]
        );
        assert_eq!(
            bad("2025-06-18T14:30:00+05:00", "2025-06-18 14:30"),
            [("ninjs.date", 2)]
        );
        assert_eq!(bad(r#""ru""#, r#""russian_RU""#), [("ninjs.language", 2)]);
        assert_eq!(
            bad(r#""value":"H""#, r#""text":"H""#),
            [("ninjs.headline", 2), ("ninjs.property", 2)]
        );
        assert_eq!(bad(r#""text/html""#, r#""html""#), [("ninjs.body", 2)]);
        assert_eq!(
            bad(r#""wordCount":1"#, r#""wordCount":-1"#),
            [("ninjs.body", 2)]
        );
        assert_eq!(
            bad(r#""width":800"#, r#""width":0"#),
            [("ninjs.rendition", 2)]
        );
        assert_eq!(
            bad(r#""href":"https://e.org/a.jpg""#, r#""href":"a.jpg""#),
            [("ninjs.rendition", 2)]
        );
        assert_eq!(bad(r#""name":"original","#, ""), [("ninjs.rendition", 2)]);
        assert_eq!(bad(r#""name":"photo","#, ""), [("ninjs.association", 2)]);
        assert_eq!(bad(r#""language":"#, r#""lang":"#), [("ninjs.property", 2)]);
        assert_eq!(
            bad(r#""type":"picture""#, r#""type":"photo""#),
            [("ninjs.type", 2)]
        );
        assert_eq!(
            bad(r#""uri":"tag:e.org,2025:a""#, r#""uri":"a""#),
            [("ninjs.uri", 2)]
        );
    }

    #[test]
    fn duplicates_blank_lines_and_non_objects() {
        assert_eq!(
            findings(&format!("{GOOD}\n{GOOD}\n")),
            [("ninjs.uri.duplicate", 2)]
        );
        assert_eq!(
            findings(&format!("{GOOD}\n\n[1]\n{{\"uri\":\n")),
            [("ninjs.json", 2), ("ninjs.json", 3), ("ninjs.json", 4)]
        );
        // A uri that is not a string is no duplicate of anything, and one finding.
        assert_eq!(
            findings(&format!("{GOOD}\n{{\"uri\":1}}\n")),
            [("ninjs.uri", 2)]
        );
    }

    #[test]
    fn deep_associations_stop_at_a_limit_without_panicking() {
        let mut doc = String::from(r#"{"uri":"urn:x:0""#);
        for i in 1..40 {
            doc.push_str(&format!(
                r#","associations":[{{"name":"n","uri":"urn:x:{i}""#
            ));
        }
        doc.push_str(&"}]".repeat(39));
        doc.push('}');
        assert_eq!(findings(&doc), [("ninjs.association", 1)]);
    }
}
