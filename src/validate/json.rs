//! Basic JSON Feed 1.1 checks (<https://jsonfeed.org/version/1.1>): enough to
//! catch a broken template, not a full schema validation.
//!
//! serde_json's `Value` carries no positions, so a tiny scanner locates the
//! start of each top-level `items` entry to position item findings.

use super::media::check_type;
use super::report::Sink;
use super::scheme::{check_hub, check_id, check_link};
use super::xml::LineIndex;
use serde_json::Value;

/// Byte offsets of the values of the top-level `"items"` array, found with
/// an iterative scan (no recursion, so nesting depth is irrelevant).
fn item_offsets(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    let mut last_key_at_depth1: Option<(usize, usize)> = None;
    let mut in_items = false;
    let mut expect_value = false;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let s = i;
                i = string_end(b, i);
                if depth == 1 {
                    last_key_at_depth1 = Some((s + 1, i.min(b.len())));
                }
                if in_items && depth == 2 && expect_value {
                    out.push(s);
                    expect_value = false;
                }
            }
            b'[' | b'{' => {
                if in_items && depth == 2 && expect_value {
                    out.push(i);
                    expect_value = false;
                }
                depth += 1;
                if depth == 2 && b[i] == b'[' {
                    in_items = last_key_at_depth1
                        .and_then(|(s, e)| text.get(s..e))
                        .is_some_and(|k| k == "items");
                    expect_value = in_items;
                }
            }
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if depth < 2 {
                    in_items = false;
                }
            }
            b',' if in_items && depth == 2 => expect_value = true,
            c if in_items && depth == 2 && expect_value && !c.is_ascii_whitespace() => {
                out.push(i);
                expect_value = false;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Checks a JSON Feed document.
pub(crate) fn check(text: &str, sink: &mut Sink) {
    let v: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            sink.push(
                "json.syntax",
                e.line().max(1),
                e.column().max(1),
                format!("invalid JSON: {e}"),
            );
            return;
        }
    };
    let Some(obj) = v.as_object() else {
        sink.push(
            "json.syntax",
            1,
            1,
            "a JSON Feed must be a JSON object".into(),
        );
        return;
    };
    let idx = LineIndex::new(text);
    check_version(obj, text, &idx, sink);
    if !obj.get("title").is_some_and(Value::is_string) {
        sink.push(
            "json.required",
            1,
            1,
            "'title' (a string) is required".into(),
        );
    }
    let Some(items) = obj.get("items").and_then(Value::as_array) else {
        sink.push(
            "json.required",
            1,
            1,
            "'items' (an array) is required".into(),
        );
        return;
    };
    for key in [
        "home_page_url",
        "feed_url",
        "icon",
        "favicon",
        "author",
        "authors",
        "hubs",
    ] {
        if obj.contains_key(key) {
            let pos = top_level_key(text, key).map_or((1, 1), |o| idx.pos(o));
            check_links(obj, key, key, pos, sink);
        }
    }
    let offsets = item_offsets(text);
    for (n, item) in items.iter().enumerate() {
        let pos = offsets.get(n).map_or((1, 1), |&o| idx.pos(o));
        check_item(n, item, pos, sink);
    }
}

/// `version` must be a JSON Feed version URL.
fn check_version(
    obj: &serde_json::Map<String, Value>,
    text: &str,
    idx: &LineIndex<'_>,
    sink: &mut Sink,
) {
    match obj.get("version").and_then(Value::as_str) {
        Some(s) if s.starts_with("https://jsonfeed.org/version/") => {}
        other => sink.at(
            "json.version",
            // Point at the key when present (a nested "version" earlier in
            // the text is possible but rare); otherwise at the object.
            text.find("\"version\"").map_or((1, 1), |o| idx.pos(o)),
            format!(
                "version {} must be https://jsonfeed.org/version/1.1",
                other.map_or("(missing)".to_string(), |s| format!("'{s}'"))
            ),
        ),
    }
}

/// Checks `items[n]`, whose findings are positioned at `pos`.
fn check_item(n: usize, item: &Value, pos: (usize, usize), sink: &mut Sink) {
    if let Some(item) = item.as_object() {
        if let Some(id) = item.get("id").and_then(Value::as_str) {
            check_id(id, &format!("items[{n}].id"), pos, sink);
        }
        for key in [
            "url",
            "external_url",
            "image",
            "banner_image",
            "attachments",
            "author",
            "authors",
        ] {
            check_links(item, key, &format!("items[{n}].{key}"), pos, sink);
        }
        if let Some(a) = item.get("attachments") {
            check_attachments(n, a, pos, sink);
        }
    }
    if !item.get("id").is_some_and(Value::is_string) {
        sink.at(
            "json.item.id",
            pos,
            format!("items[{n}] needs a string 'id'"),
        );
    }
    let has = |k: &str| item.get(k).is_some_and(Value::is_string);
    if !has("content_html") && !has("content_text") {
        sink.at(
            "json.item.content",
            pos,
            format!("items[{n}] needs 'content_html' or 'content_text'"),
        );
    }
}

/// `items[n].attachments`: an array of objects, each with the `url` and
/// `mime_type` JSON Feed 1.1 requires and numbers where it counts, so a
/// reader can decide whether to fetch it. Findings are at the item (`pos`).
fn check_attachments(n: usize, attachments: &Value, pos: (usize, usize), sink: &mut Sink) {
    let Some(list) = attachments.as_array() else {
        sink.at(
            "json.attachment",
            pos,
            format!("items[{n}].attachments must be an array"),
        );
        return;
    };
    for (i, a) in list.iter().enumerate() {
        let what = format!("items[{n}].attachments[{i}]");
        let Some(a) = a.as_object() else {
            sink.at("json.attachment", pos, format!("{what} must be an object"));
            continue;
        };
        for key in ["url", "mime_type"] {
            if !a.get(key).is_some_and(Value::is_string) {
                sink.at(
                    "json.attachment",
                    pos,
                    format!("{what} needs a string '{key}'"),
                );
            }
        }
        if let Some(t) = a.get("mime_type").and_then(Value::as_str) {
            check_type(t, &format!("{what}.mime_type"), pos, sink);
        }
        for key in ["size_in_bytes", "duration_in_seconds"] {
            // A count of bytes or seconds cannot be negative either.
            if a.get(key)
                .is_some_and(|v| !v.as_f64().is_some_and(|x| x >= 0.0))
            {
                sink.at(
                    "json.attachment",
                    pos,
                    format!("{what}.{key} must be a non-negative number"),
                );
            }
        }
    }
}

/// `url.scheme` for the member `key` of `obj`, named `what` in messages:
/// a URL string, or the `url`/`avatar` of an author or the `url` of an
/// attachment or a hub (objects, or arrays of them); a hub's `url` must also
/// be absolute (`websub.hub.relative`).
fn check_links(
    obj: &serde_json::Map<String, Value>,
    key: &str,
    what: &str,
    pos: (usize, usize),
    sink: &mut Sink,
) {
    let Some(v) = obj.get(key) else { return };
    let fields: &[&str] = match key {
        "author" | "authors" => &["url", "avatar"],
        "attachments" | "hubs" => &["url"],
        _ => {
            if let Some(url) = v.as_str() {
                check_link(url, what, pos, sink);
            }
            return;
        }
    };
    let parts: Vec<(String, &Value)> = match v {
        Value::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, x)| (format!("{what}[{i}]"), x))
            .collect(),
        other => vec![(what.to_string(), other)],
    };
    for (name, part) in parts {
        for field in fields {
            if let Some(url) = part.get(field).and_then(Value::as_str) {
                let what = format!("{name}.{field}");
                if !check_link(url, &what, pos, sink) && key == "hubs" {
                    check_hub(url, &what, pos, sink);
                }
            }
        }
    }
}

/// The index of the closing quote of the JSON string that opens at `open` (or the end of the
/// input when it is not closed), skipping escaped characters.
fn string_end(b: &[u8], open: usize) -> usize {
    let mut i = open + 1;
    while i < b.len() && b[i] != b'"' {
        if b[i] == b'\\' {
            i += 1;
        }
        i += 1;
    }
    i
}

/// Byte offset of the `"key"` of a top-level member, found with the same
/// kind of iterative scan as [`item_offsets`].
fn top_level_key(text: &str, key: &str) -> Option<usize> {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let s = i;
                i = string_end(b, i);
                let is_key = text
                    .get(i + 1..)
                    .is_some_and(|r| r.trim_start().starts_with(':'));
                if depth == 1 && is_key && text.get(s + 1..i) == Some(key) {
                    return Some(s);
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{item_offsets, top_level_key};

    #[test]
    fn finds_items() {
        let t = "{\"a\":[1],\"items\": [ {\"x\":[{}]},\n  {\"y\":\"]\"} ]}";
        let o = item_offsets(t);
        assert_eq!(o.len(), 2);
        assert_eq!(&t[o[1]..o[1] + 1], "{");
    }

    #[test]
    fn finds_top_level_keys_only() {
        let t = "{\"items\": [{\"url\": \"x\"}], \"url\" : 1}";
        assert_eq!(top_level_key(t, "url"), t.rfind("\"url\""));
        assert_eq!(top_level_key(t, "icon"), None);
    }
}
