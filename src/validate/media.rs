//! What photos and other media add to a feed, in both XML formats: media
//! types (`mime.type`), Media RSS `<media:content>`/`<media:thumbnail>`
//! (`media.content`) and the `length` of Atom links (`atom.link.length`,
//! `atom.link.enclosure-length`).
//!
//! A reader fetches an enclosure by its URL and decides how to show it by
//! its type and size, so a malformed value there breaks the photo, not just
//! the document's validity.

use super::report::Sink;
use super::scheme::{check_link, quote};
use super::xml::{Document, Node};
use super::{is_absolute_url, ATOM_NS};

/// Media RSS namespace URIs: the spec's, and the slash-less form many
/// feeds declare (both name the same module).
const MRSS_NS: &[&str] = &[
    "http://search.yahoo.com/mrss/",
    "http://search.yahoo.com/mrss",
];

/// The `medium` values Media RSS defines.
const MEDIUMS: &[&str] = &["image", "audio", "video", "document", "executable"];

/// Longest type or subtype name RFC 6838 §4.2 allows.
const NAME_MAX: usize = 127;

/// Is `s` a media type `type/subtype`, each an RFC 6838 §4.2
/// `restricted-name`, optionally followed by `;` parameters (not judged:
/// readers ignore ones they do not know)?
pub(crate) fn is_media_type(s: &str) -> bool {
    let main = s.split(';').next().unwrap_or("").trim();
    let name = |t: &str| {
        t.len() <= NAME_MAX
            && t.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    match main.split_once('/') {
        Some((a, b)) => name(a) && name(b),
        None => false,
    }
}

/// Reports `mime.type` at `pos` when `value` (the `what` of the message)
/// is not a media type.
pub(crate) fn check_type(value: &str, what: &str, pos: (usize, usize), sink: &mut Sink) {
    if !is_media_type(value) {
        sink.at(
            "mime.type",
            pos,
            format!(
                "{what} {} is not a media type type/subtype (e.g. image/jpeg)",
                quote(value)
            ),
        );
    }
}

/// The media rules for the element `id`, wherever it is in an RSS or Atom
/// document (item, entry, `<media:group>`, channel): Media RSS elements
/// and Atom links.
pub(crate) fn check_element(doc: &Document<'_>, id: usize, sink: &mut Sink) {
    let Some(el) = doc.get(id) else { return };
    match el.ns() {
        Some(ns) if MRSS_NS.contains(&ns) => match el.local() {
            "content" => media_content(doc, id, el, sink),
            "thumbnail" => media_url(el, "<media:thumbnail url>", sink),
            _ => {}
        },
        Some(ATOM_NS) if el.local() == "link" => atom_link(el, sink),
        _ => {}
    }
}

/// `<media:content>`: a fetchable url (or a player instead), a media type,
/// numbers where the spec counts and a known `medium`.
fn media_content(doc: &Document<'_>, id: usize, el: Node<'_, '_>, sink: &mut Sink) {
    let has_player = MRSS_NS
        .iter()
        .any(|ns| doc.child(id, Some(ns), "player").is_some());
    if el.attr("url").is_some() || !has_player {
        media_url(el, "<media:content url>", sink);
    }
    if let Some(t) = el.attr("type") {
        check_type(t.value(), "<media:content type>", t.pos(), sink);
    }
    // fileSize, width and height count bytes and pixels; bitrate (kbit/s)
    // and duration (seconds) are only called "rate" and "number of
    // seconds" by the spec, and real feeds write 128.5 or 185.27.
    for (name, decimal) in [
        ("fileSize", false),
        ("width", false),
        ("height", false),
        ("bitrate", true),
        ("duration", true),
    ] {
        let Some(a) = el.attr(name) else { continue };
        let ok = if decimal {
            is_decimal(a.value().trim())
        } else {
            is_integer(a.value().trim())
        };
        if !ok {
            let kind = if decimal { "number" } else { "integer" };
            sink.at(
                "media.content",
                a.pos(),
                format!(
                    "<media:content {name}> {} is not a non-negative {kind}",
                    quote(a.value())
                ),
            );
        }
    }
    if let Some(m) = el.attr("medium") {
        if !MEDIUMS.contains(&m.value().trim()) {
            sink.at(
                "media.content",
                m.pos(),
                format!(
                    "<media:content medium> {} is not one of {}",
                    quote(m.value()),
                    MEDIUMS.join(", ")
                ),
            );
        }
    }
}

/// The `url` of `el` (named `what`): present, http(s) (`url.scheme`) and
/// absolute, since a reader fetches it as it is.
fn media_url(el: Node<'_, '_>, what: &str, sink: &mut Sink) {
    let Some(u) = el.attr("url") else {
        sink.at(
            "media.content",
            el.pos(),
            format!("<{}> has no url attribute", el.qname()),
        );
        return;
    };
    if !check_link(u.value(), what, u.pos(), sink) && !is_absolute_url(u.value()) {
        sink.at(
            "media.content",
            u.pos(),
            format!("{what} {} must be an absolute URL", quote(u.value())),
        );
    }
}

/// An Atom `<link>`: its `type` is a media type, its `length` a byte
/// count, and an enclosure should say how large it is.
fn atom_link(el: Node<'_, '_>, sink: &mut Sink) {
    if let Some(t) = el.attr("type") {
        check_type(t.value(), "<link type>", t.pos(), sink);
    }
    match el.attr("length") {
        Some(l) if !is_integer(l.value().trim()) => sink.at(
            "atom.link.length",
            l.pos(),
            format!(
                "<link length> {} is not a non-negative integer (octets)",
                quote(l.value())
            ),
        ),
        Some(_) => {}
        None => {
            let rel = el.attr("rel").map_or("", |r| r.value().trim());
            if rel == "enclosure" || rel == "http://www.iana.org/assignments/relation/enclosure" {
                sink.at(
                    "atom.link.enclosure-length",
                    el.pos(),
                    "<link rel=\"enclosure\"> should have a length attribute (octets)".into(),
                );
            }
        }
    }
}

/// ASCII digits only: no sign, no space, no fraction.
fn is_integer(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Digits with an optional fraction (`128`, `44.1`, `.5`), no sign.
fn is_decimal(s: &str) -> bool {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    !(int.is_empty() && frac.is_empty())
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_follow_rfc_6838_names() {
        for ok in [
            "image/jpeg",
            "application/atom+xml; charset=utf-8",
            "audio/mpeg",
            "application/vnd.ms-excel",
            "TEXT/HTML",
        ] {
            assert!(is_media_type(ok), "{ok}");
        }
        let long = format!("image/{}", "a".repeat(128));
        for bad in [
            "plain",
            "text/",
            "/jpeg",
            "image/-x",
            "image/jp eg",
            "image jpeg",
            &long,
        ] {
            assert!(!is_media_type(bad), "{bad}");
        }
    }

    #[test]
    fn numbers() {
        assert!(is_integer("12345") && !is_integer("-1") && !is_integer("+1"));
        assert!(!is_integer("1.5") && !is_integer(""));
        assert!(is_decimal("44.1") && is_decimal("128") && is_decimal(".5"));
        assert!(!is_decimal(".") && !is_decimal("-1") && !is_decimal("1e3"));
    }
}
