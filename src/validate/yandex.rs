//! Yandex news feed rules (`yandex.*`): an RSS 2.0 document with elements in the
//! `http://news.yandex.ru` namespace, checked by the RSS rules first and then by these.
//!
//! Yandex takes an item's text from `yandex:full-text` and rejects boilerplate there (the
//! wire's `CITY, DATE /AGENCY/.` dateline, the photo credit), wants a genre per item, reads
//! photos from `enclosure` and refuses files over 10 MB.

use super::report::Sink;
use super::xml::{Document, Node};

/// Namespace of Yandex's news elements (`feed::yandex::YANDEX_NS`, spelt out since the
/// validator sits below the feed model).
pub(crate) const YANDEX_NS: &str = "http://news.yandex.ru";

/// Largest feed Yandex accepts, in bytes (10 MB, decimal: the stricter reading).
const MAX_BYTES: usize = 10_000_000;

/// The genres Yandex's news format names.
const GENRES: &[&str] = &["message", "article", "interview", "lenta"];

/// Whether an RSS document is a Yandex feed: it has an element in the Yandex namespace.
pub(crate) fn is_yandex(doc: &Document<'_>) -> bool {
    doc.nodes().any(|n| n.ns() == Some(YANDEX_NS))
}

/// Applies the `yandex.*` rules to an RSS document of `size` bytes whose root is `root`.
pub(crate) fn check(doc: &Document<'_>, root: usize, size: usize, sink: &mut Sink) {
    let Some(rss) = doc.get(root) else { return };
    if size > MAX_BYTES {
        sink.at(
            "yandex.size",
            rss.pos(),
            format!("the feed is {size} bytes; Yandex accepts at most {MAX_BYTES} (10 MB)"),
        );
    }
    let Some((channel, _)) = doc.children_named(root, None, "channel").next() else {
        return;
    };
    for (id, item) in doc.children_named(channel, None, "item") {
        check_item(doc, id, item, sink);
    }
}

fn check_item(doc: &Document<'_>, id: usize, item: Node<'_, '_>, sink: &mut Sink) {
    match doc.child(id, Some(YANDEX_NS), "full-text") {
        Some(text) if !text.trimmed_text().is_empty() => {
            if let Some(why) = boilerplate(&text.text()) {
                sink.at(
                    "yandex.full-text.boilerplate",
                    text.pos(),
                    format!("<yandex:full-text> {why}; Yandex wants the story's own text"),
                );
            }
        }
        Some(text) => sink.at(
            "yandex.full-text.missing",
            text.pos(),
            "<yandex:full-text> is empty".into(),
        ),
        None => sink.at(
            "yandex.full-text.missing",
            item.pos(),
            "<item> has no <yandex:full-text>".into(),
        ),
    }
    match doc.child(id, Some(YANDEX_NS), "genre") {
        Some(g) if GENRES.contains(&g.trimmed_text().as_ref()) => {}
        Some(g) => sink.at(
            "yandex.genre",
            g.pos(),
            format!(
                "<yandex:genre> '{}' is not one of {}",
                g.trimmed_text(),
                GENRES.join(", ")
            ),
        ),
        None => sink.at(
            "yandex.genre",
            item.pos(),
            "<item> has no <yandex:genre>".into(),
        ),
    }
    for (_, enclosure) in doc.children_named(id, None, "enclosure") {
        let length = enclosure.attr("length").map(|a| a.value().trim());
        let kind = enclosure.attr("type").map(|a| a.value().trim());
        let sized = length
            .and_then(|l| l.parse::<u64>().ok())
            .is_some_and(|n| n > 0);
        let media = kind.is_some_and(|t| {
            ["image/", "video/", "audio/"]
                .iter()
                .any(|p| t.starts_with(p) && t.len() > p.len())
        });
        if !sized || !media {
            sink.at(
                "yandex.enclosure",
                enclosure.pos(),
                format!(
                    "<enclosure> needs its size in bytes (length > 0) and an image, video or audio type; has length={:?} type={:?}",
                    length.unwrap_or(""),
                    kind.unwrap_or("")
                ),
            );
        }
    }
}

/// What boilerplate the text carries, if any: a wire dateline `CITY, DATE /AGENCY/.` at its
/// start, or a photo credit line.
fn boilerplate(text: &str) -> Option<&'static str> {
    let first = text.trim_start().lines().next().unwrap_or("");
    if starts_with_dateline(first) {
        return Some("starts with the dateline (`CITY, DATE /AGENCY/.`)");
    }
    const CREDITS: &[&str] = &["ФОТО:", "Фото:", "PHOTO:", "Photo:", "АКС:", "Акс:"];
    if text
        .lines()
        .any(|l| CREDITS.iter().any(|c| l.trim_start().starts_with(c)))
    {
        return Some("holds a photo credit line");
    }
    None
}

/// `CITY, DATE [TIME] /AGENCY/.` at the start of a line: a short place before a comma, a date
/// with digits, then the agency between slashes followed by a full stop.
fn starts_with_dateline(line: &str) -> bool {
    let Some((city, rest)) = line.split_once(',') else {
        return false;
    };
    if city.trim().is_empty() || city.chars().count() > 40 || city.contains(['.', '/']) {
        return false;
    }
    let Some((date, rest)) = rest.split_once('/') else {
        return false;
    };
    if date.chars().count() > 40 || !date.chars().any(|c| c.is_ascii_digit()) {
        return false;
    }
    match rest.split_once('/') {
        Some((agency, after)) => {
            !agency.trim().is_empty()
                && agency.chars().count() <= 80
                && after.trim_start().starts_with('.')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datelines_are_told_from_text() {
        for yes in [
            "ДУШАНБЕ, 18.06.2025 /НИАТ «Ховар»/. 17 июня",
            "DUSHANBE, June 18, 2025 14:30 /Khovar/. Text",
            "Душанбе, 18 июня 2025 г. /АП/.",
        ] {
            assert!(starts_with_dateline(yes), "{yes}");
        }
        for no in [
            "17 июня в городе Пекин, Китай, прошло совещание.",
            "Он сказал, что 1/2 бюджета /примерно/ уйдёт.",
            "Цены выросли на 5%, по данным агентства.",
            "",
        ] {
            assert!(!starts_with_dateline(no), "{no}");
        }
        assert!(boilerplate("Текст.\nФОТО: Автор").is_some());
        assert!(boilerplate("Текст.\nВторой абзац.").is_none());
    }
}
