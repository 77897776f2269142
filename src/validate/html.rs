//! Scans escaped HTML (RSS description/content:encoded, Atom html content)
//! for the mistakes that break in feed readers: relative links, which
//! readers resolve against the wrong base, and active content, which
//! readers strip or which makes the feed unsafe to embed.
//!
//! This is a tag-level scanner, not an HTML parser: it only needs tag names
//! and attributes, and must cope with whatever garbage is in a story.

use super::report::Sink;

fn is_relative(v: &str) -> bool {
    let v = v.trim();
    // Fragment-only links stay inside the item and are harmless.
    !(v.is_empty() || v.starts_with('#') || super::is_absolute_url(v))
}

/// Checks one HTML fragment; findings are positioned at `pos`, the element
/// carrying the escaped HTML. `base` is the `xml:base` in scope, if any.
pub(crate) fn check_html(html: &str, base: Option<&str>, pos: (usize, usize), sink: &mut Sink) {
    let b = html.as_bytes();
    let mut relative: Vec<String> = Vec::new();
    let mut active: Vec<String> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        if html.get(i..).is_some_and(|s| s.starts_with("<!--")) {
            i = html
                .get(i + 4..)
                .and_then(|s| s.find("-->"))
                .map_or(b.len(), |e| i + 4 + e + 3);
            continue;
        }
        i += 1;
        let name_start = i;
        while i < b.len() && b[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if i == name_start {
            continue;
        }
        let tag = html.get(name_start..i).unwrap_or("").to_ascii_lowercase();
        if tag == "script" || tag == "iframe" {
            active.push(format!("<{tag}>"));
        }
        // Attributes up to the closing '>'.
        loop {
            while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
                i += 1;
            }
            if i >= b.len() || b[i] == b'>' {
                i += 1;
                break;
            }
            let an_start = i;
            while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/')
            {
                i += 1;
            }
            let aname = html.get(an_start..i).unwrap_or("").to_ascii_lowercase();
            if i == an_start {
                i += 1;
                continue;
            }
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            let mut value = String::new();
            if i < b.len() && b[i] == b'=' {
                i += 1;
                while i < b.len() && b[i].is_ascii_whitespace() {
                    i += 1;
                }
                if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                    let q = b[i];
                    let vs = i + 1;
                    i = vs;
                    while i < b.len() && b[i] != q {
                        i += 1;
                    }
                    value = html.get(vs..i.min(b.len())).unwrap_or("").to_string();
                    i += 1;
                } else {
                    let vs = i;
                    while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                        i += 1;
                    }
                    value = html.get(vs..i).unwrap_or("").to_string();
                }
            }
            if aname.len() > 2 && aname.starts_with("on") {
                active.push(format!("{aname}= on <{tag}>"));
            }
            if (aname == "href" || aname == "src") && base.is_none() && is_relative(&value) {
                relative.push(format!("{aname}=\"{value}\""));
            }
        }
    }
    report(sink, "html.url.relative", pos, &relative, "relative URL in HTML content with no xml:base in scope (readers resolve it against their own location)");
    report(
        sink,
        "html.script",
        pos,
        &active,
        "active content in HTML (feed readers strip it; it is unsafe to embed)",
    );
}

fn report(sink: &mut Sink, code: &'static str, pos: (usize, usize), hits: &[String], why: &str) {
    if let Some(first) = hits.first() {
        let more = if hits.len() > 1 {
            format!(" (and {} more)", hits.len() - 1)
        } else {
            String::new()
        };
        sink.at(code, pos, format!("{first}{more}: {why}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(html: &str, base: Option<&str>) -> Vec<(&'static str, String)> {
        let mut s = Sink::default();
        check_html(html, base, (1, 1), &mut s);
        s.into_sorted()
            .into_iter()
            .map(|f| (f.code, f.message))
            .collect()
    }

    #[test]
    fn finds_relative_and_script() {
        let c = codes(
            "<p><a href=\"/x\">x</a><img src=y.png onerror='z'><script>1</script>",
            None,
        );
        assert_eq!(c.len(), 2);
        assert!(c[0].1.contains("onerror") && c[0].0 == "html.script");
        assert!(c[1].1.contains("/x") && c[1].1.contains("1 more"));
    }

    #[test]
    fn absolute_and_base_are_fine() {
        assert!(codes("<a href='https://e.com/x'>x</a><a href='#top'>t</a>", None).is_empty());
        assert!(codes("<a href='/x'>x</a>", Some("https://e.com/")).is_empty());
        assert!(codes("a < b and <", None).is_empty());
    }
}
