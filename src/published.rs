//! What the feeds already on disk publish: the story ids of their entries.
//!
//! A build over an archive that is suddenly empty or half there (a failed mount, a wrong path,
//! a sync in progress) would replace good feeds with empty or thin ones, and every subscriber's
//! reader would follow. Before it writes, the build compares the stories those feeds carry with
//! the stories it found, and refuses to go on when too few are left.
//!
//! The files are in a folder others can write to, so they are read like any hostile input:
//! regular files only, never through a link, with a size cap, and nothing but the entry ids is
//! taken from them.

use std::collections::HashSet;
use std::path::Path;

use percent_encoding::percent_decode_str;
use quick_xml::events::Event;
use quick_xml::Reader;

use crate::fsx;
use crate::output::MAX_FEED_SIZE;

/// The entry ids of a feed document (RSS `item/guid`, Atom `entry/id`, JSON Feed `items[].id`,
/// ninjs `uri`).
/// A document that cannot be read yields the ids found before the problem.
pub(crate) fn entry_ids(bytes: &[u8]) -> Vec<String> {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map(|i| bytes[i]);
    if start == Some(b'{') {
        return json_ids(bytes);
    }
    let mut reader = Reader::from_reader(bytes);
    let mut path: Vec<Vec<u8>> = Vec::new();
    let mut ids = Vec::new();
    let mut text: Option<String> = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                path.push(e.local_name().as_ref().to_vec());
                text = is_id(&path).then(String::new);
            }
            Ok(Event::Text(t)) => {
                if let (Some(buf), Ok(t)) = (text.as_mut(), t.decode()) {
                    buf.push_str(&t);
                }
            }
            // quick-xml reports `&amp;` and `&#38;` apart from the text around them.
            Ok(Event::GeneralRef(r)) => {
                if let Some(buf) = text.as_mut() {
                    if let Ok(Some(c)) = r.resolve_char_ref() {
                        buf.push(c);
                    } else if let Some(v) = r
                        .decode()
                        .ok()
                        .and_then(|name| quick_xml::escape::resolve_predefined_entity(&name))
                    {
                        buf.push_str(v);
                    }
                }
            }
            Ok(Event::CData(t)) => {
                if let (Some(buf), Ok(t)) = (text.as_mut(), std::str::from_utf8(&t)) {
                    buf.push_str(t);
                }
            }
            Ok(Event::End(_)) => {
                if let Some(id) = text.take() {
                    ids.push(id.trim().to_string());
                }
                path.pop();
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    ids
}

/// Whether the innermost elements of `path` are an entry's id.
fn is_id(path: &[Vec<u8>]) -> bool {
    match path {
        [.., parent, name] => {
            (parent == b"item" && name == b"guid") || (parent == b"entry" && name == b"id")
        }
        _ => false,
    }
}

fn json_ids(bytes: &[u8]) -> Vec<String> {
    let Ok(doc) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return ninjs_ids(bytes);
    };
    // A ninjs stream of one story is one JSON value too.
    if doc.get("items").is_none() {
        return ninjs_ids(bytes);
    }
    doc.get("items")
        .and_then(|items| items.as_array())
        .into_iter()
        .flatten()
        .filter_map(|item| item.get("id")?.as_str().map(str::to_string))
        .collect()
}

/// The uris of the live objects of a ninjs stream (JSON Lines): a canceled one names a story
/// that is gone.
fn ninjs_ids(bytes: &[u8]) -> Vec<String> {
    bytes
        .split(|b| *b == b'\n')
        .filter_map(|line| serde_json::from_slice::<serde_json::Value>(line).ok())
        .filter(|o| o.get("pubStatus").and_then(|s| s.as_str()) != Some("canceled"))
        .filter_map(|o| o.get("uri")?.as_str().map(str::to_string))
        .collect()
}

/// The story ids published in the feed files at `paths` (those that exist), given the prefix
/// that makes entry ids of story ids. Ids of other origins are ignored.
pub(crate) fn story_ids(paths: &[&Path], id_prefix: &str) -> HashSet<String> {
    use rayon::prelude::*;
    // One feed per core at a time: a build with many feed sets has many feeds to read.
    paths
        .par_iter()
        .map(|path| {
            let Ok(bytes) = fsx::read_regular(path, false, MAX_FEED_SIZE) else {
                return HashSet::new();
            };
            entry_ids(&bytes)
                .iter()
                .filter_map(|id| {
                    id.strip_prefix(id_prefix)
                        .and_then(|rest| percent_decode_str(rest).decode_utf8().ok())
                        .map(|story| story.into_owned())
                })
                .collect()
        })
        .reduce(HashSet::new, |mut all, some| {
            all.extend(some);
            all
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_of_each_format() {
        let rss = br#"<rss><channel><guid>not-an-item</guid><item><title>t</title>
            <guid isPermaLink="false">tag:e.org,2025:2025/06/a</guid></item>
            <item><guid><![CDATA[tag:e.org,2025:b]]></guid></item></channel></rss>"#;
        assert_eq!(
            entry_ids(rss),
            ["tag:e.org,2025:2025/06/a", "tag:e.org,2025:b"]
        );
        let atom = br#"<feed xmlns="http://www.w3.org/2005/Atom"><id>https://e.org/</id>
            <entry><id>tag:e.org,2025:x&amp;y</id><source><id>s</id></source></entry></feed>"#;
        assert_eq!(entry_ids(atom), ["tag:e.org,2025:x&y"]);
        let ninjs = b"{\"uri\":\"tag:e.org,2025:n\",\"pubStatus\":\"usable\"}\n\
            {\"uri\":\"tag:e.org,2025:gone\",\"pubStatus\":\"canceled\"}\n{\"uri\":\"tag:e.org,2025:m\"}\n";
        assert_eq!(entry_ids(ninjs), ["tag:e.org,2025:n", "tag:e.org,2025:m"]);
        let json = br#" {"items": [{"id": "tag:e.org,2025:j"}, {"title": "no id"}]}"#;
        assert_eq!(entry_ids(json), ["tag:e.org,2025:j"]);
    }

    #[test]
    fn garbage_gives_what_was_found_before_it() {
        assert!(entry_ids(b"\x00\xff<<<").is_empty());
        assert_eq!(
            entry_ids(b"<rss><item><guid>a</guid></item><item><guid>b</oops>"),
            ["a"]
        );
    }

    #[test]
    fn story_ids_strip_the_prefix_and_decode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("atom.xml");
        std::fs::write(
            &path,
            "<feed><entry><id>tag:e.org,2025:2025/06/%D1%88%D0%BE%D1%81</id></entry>\
             <entry><id>urn:other:1</id></entry></feed>",
        )
        .unwrap();
        let missing = dir.path().join("rss.xml");
        let ids = story_ids(&[&path, &missing], "tag:e.org,2025:");
        assert_eq!(ids, HashSet::from(["2025/06/шос".to_string()]));
    }
}
