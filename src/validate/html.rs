//! Scans escaped HTML (RSS description/content:encoded, Atom html content)
//! for the mistakes that break in feed readers: relative links, which
//! readers resolve against the wrong base; active content, which readers
//! strip or which makes the feed unsafe to embed; and script or local-file
//! URLs, which run in the reader when clicked or loaded.
//!
//! This is a tag-level scanner, not an HTML parser: it only needs tag names
//! and attributes, and must cope with whatever garbage is in a story.

use super::report::Sink;
use super::scheme::{quote, script_scheme};
use std::borrow::Cow;

/// Elements that run code, load other documents or change how the page
/// around them behaves; `<meta>` only with `http-equiv="refresh"`.
const ACTIVE_TAGS: &[&str] = &[
    "script", "iframe", "object", "embed", "applet", "frame", "frameset", "base", "form", "style",
];

/// Attributes whose value is a URL the browser follows or loads.
const URL_ATTRS: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "poster",
    "background",
    "cite",
    "data",
    "xlink:href",
];

fn is_relative(v: &str) -> bool {
    let v = v.trim();
    // Fragment-only links stay inside the item and are harmless.
    !(v.is_empty() || v.starts_with('#') || super::is_absolute_url(v))
}

/// Checks one HTML fragment; findings are positioned at `pos`, the element
/// carrying the escaped HTML. `base` is the `xml:base` in scope, if any.
pub(crate) fn check_html(html: &str, base: Option<&str>, pos: (usize, usize), sink: &mut Sink) {
    let b = html.as_bytes();
    let mut hits = Hits::default();
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
        // Not a tag (`a < b`, `</p>`, `<!DOCTYPE`): nothing to judge.
        if i == name_start {
            continue;
        }
        let tag = html.get(name_start..i).unwrap_or("").to_ascii_lowercase();
        if ACTIVE_TAGS.contains(&tag.as_str()) {
            hits.active.push(format!("<{tag}>"));
        }
        i = scan_attrs(html, i, |name, value| hits.attr(&tag, name, value, base));
    }
    hits.report(pos, sink);
}

/// Scans the attributes of a tag from `i`, just after its name, to past
/// its `>`, calling `attr` with each name (lower-cased) and raw value (empty
/// when there is none); returns where scanning goes on.
fn scan_attrs(html: &str, mut i: usize, mut attr: impl FnMut(&str, &str)) -> usize {
    let b = html.as_bytes();
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() || b[i] == b'>' {
            return i + 1;
        }
        let an_start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let aname = html.get(an_start..i).unwrap_or("").to_ascii_lowercase();
        // A stray `=` (or a name cut by one): step over it.
        if i == an_start {
            i += 1;
            continue;
        }
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < b.len() && b[i] == b'=' {
            (value, i) = attr_value(html, i + 1);
        }
        attr(&aname, &value);
    }
}

/// Reads an attribute value from `i`, just after its `=`: quoted up to the
/// same quote (or the end of the fragment), or bare up to whitespace or
/// `>`. Returns it and where scanning goes on.
fn attr_value(html: &str, mut i: usize) -> (String, usize) {
    let b = html.as_bytes();
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
        let value = html.get(vs..i.min(b.len())).unwrap_or("").to_string();
        (value, i + 1)
    } else {
        let vs = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
            i += 1;
        }
        (html.get(vs..i).unwrap_or("").to_string(), i)
    }
}

/// What the rules found in one fragment. Each rule reports once per
/// fragment, naming its first hit and counting the others, so a story
/// full of relative links is one finding, not hundreds.
#[derive(Default)]
struct Hits {
    relative: Vec<String>,
    active: Vec<String>,
    scripted: Vec<String>,
}

impl Hits {
    /// The rules on the attribute `aname=value` of a `<tag>`.
    fn attr(&mut self, tag: &str, aname: &str, value: &str, base: Option<&str>) {
        if aname.len() > 2 && aname.starts_with("on") {
            self.active.push(format!("{aname}= on <{tag}>"));
        }
        if tag == "meta"
            && aname == "http-equiv"
            && decode_refs(value).trim().eq_ignore_ascii_case("refresh")
        {
            self.active.push("<meta http-equiv=\"refresh\">".into());
        }
        let urls: Vec<Cow<'_, str>> = if aname == "srcset" {
            srcset_urls(value).into_iter().map(Cow::Borrowed).collect()
        } else if URL_ATTRS.contains(&aname) {
            vec![Cow::Borrowed(value)]
        } else {
            Vec::new()
        };
        let mut script_url = false;
        for url in urls {
            // Browsers decode character references before they read
            // the scheme: `&#106;avascript:` is `javascript:`.
            if let Some(scheme) = script_scheme(&decode_refs(&url)) {
                self.scripted
                    .push(format!("{aname}={} ({scheme}:) on <{tag}>", quote(&url)));
                script_url = true;
            }
        }
        if !script_url
            && (aname == "href" || aname == "src")
            && base.is_none()
            && is_relative(value)
        {
            self.relative.push(format!("{aname}=\"{value}\""));
        }
    }

    fn report(&self, pos: (usize, usize), sink: &mut Sink) {
        report(sink, "html.url.relative", pos, &self.relative, "relative URL in HTML content with no xml:base in scope (readers resolve it against their own location)");
        report(
            sink,
            "html.script",
            pos,
            &self.active,
            "active content in HTML (feed readers strip it; it is unsafe to embed)",
        );
        report(
            sink,
            "html.url.scheme",
            pos,
            &self.scripted,
            "a script or local-file URL in HTML content runs in the reader when followed or loaded",
        );
    }
}

/// The URLs of a `srcset` list (`url [descriptor], ...`), split as the
/// HTML spec does: a URL runs to whitespace, so a `data:` URL keeps its
/// commas, and trailing commas end a candidate.
fn srcset_urls(v: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = v;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == ',');
        if rest.is_empty() {
            return out;
        }
        let end = rest
            .find(|c: char| c.is_ascii_whitespace())
            .unwrap_or(rest.len());
        let url = &rest[..end];
        rest = &rest[end..];
        match url.strip_suffix(',') {
            Some(u) => out.push(u.trim_end_matches(',')),
            None => {
                out.push(url);
                // Descriptors (`2x`, `640w`) up to the next comma.
                rest = rest.find(',').map_or("", |c| &rest[c..]);
            }
        }
    }
}

/// Named character references worth decoding before judging a scheme:
/// the markup ones and those that spell a scheme's separators.
const NAMED_REFS: &[(&str, char)] = &[
    ("amp", '&'),
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("apos", '\''),
    ("nbsp", '\u{A0}'),
    ("Tab", '\t'),
    ("NewLine", '\n'),
    ("colon", ':'),
    ("sol", '/'),
    ("period", '.'),
    ("comma", ','),
    ("lpar", '('),
    ("rpar", ')'),
];

/// Decodes character references in an HTML attribute value as a browser
/// does: `&#NN;` and `&#xNN;` (the `;` optional, as browsers allow) and the
/// [`NAMED_REFS`]; anything else stays as written.
fn decode_refs(v: &str) -> Cow<'_, str> {
    if !v.contains('&') {
        return Cow::Borrowed(v);
    }
    let mut out = String::with_capacity(v.len());
    let mut rest = v;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let (decoded, used) = match after.strip_prefix('#') {
            Some(num) => numeric_ref(num).map_or((None, 0), |(c, n)| (Some(c), n + 1)),
            None => NAMED_REFS
                .iter()
                .find(|(name, _)| after.strip_prefix(name).is_some_and(|r| r.starts_with(';')))
                .map_or((None, 0), |&(name, c)| (Some(c), name.len() + 1)),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &after[used..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// A numeric reference after `&#`: the character and the bytes used
/// (digits, the `x`, an optional `;`). Out-of-range and NUL become U+FFFD,
/// as in browsers.
fn numeric_ref(s: &str) -> Option<(char, usize)> {
    let (radix, digits_at) = match s.as_bytes().first() {
        Some(b'x' | b'X') => (16, 1),
        _ => (10, 0),
    };
    let digits = s
        .get(digits_at..)?
        .bytes()
        .take_while(|b| (*b as char).is_digit(radix))
        .count();
    if digits == 0 {
        return None;
    }
    let code = s
        .get(digits_at..digits_at + digits)?
        .chars()
        .try_fold(0u32, |n, d| {
            n.checked_mul(radix)?.checked_add(d.to_digit(radix)?)
        });
    let c = code
        .filter(|&n| n != 0)
        .and_then(char::from_u32)
        .unwrap_or('\u{FFFD}');
    let semi = usize::from(s.as_bytes().get(digits_at + digits) == Some(&b';'));
    Some((c, digits_at + digits + semi))
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

    fn scheme_hits(html: &str) -> Vec<String> {
        codes(html, Some("https://e.com/"))
            .into_iter()
            .filter(|(c, _)| *c == "html.url.scheme")
            .map(|(_, m)| m)
            .collect()
    }

    #[test]
    fn script_schemes_in_mixed_case_and_with_tabs_are_found() {
        assert_eq!(scheme_hits("<a href='JaVaScRiPt:alert(1)'>x</a>").len(), 1);
        assert_eq!(scheme_hits("<a href=\" \tjava\tscript:x\">x</a>").len(), 1);
        assert_eq!(scheme_hits("<a href=java&#9;script:x>x</a>").len(), 1);
        assert_eq!(scheme_hits("<img src='vbscript:x'>").len(), 1);
        assert_eq!(scheme_hits("<form action='file:///etc/passwd'>").len(), 1);
        assert_eq!(scheme_hits("<object data='data:text/html,<b>'>").len(), 1);
        assert_eq!(
            scheme_hits("<svg><a xlink:href='javascript:x'/></svg>").len(),
            1
        );
    }

    #[test]
    fn entity_encoded_schemes_are_decoded_first() {
        for html in [
            "<a href='&#106;avascript:alert(1)'>x</a>",
            "<a href='&#x6A;avascript:alert(1)'>x</a>",
            "<a href='&#X6a&#x61;vascript:alert(1)'>x</a>",
            "<a href='&#0000106;avascript:alert(1)'>x</a>",
            "<a href='&#106avascript:alert(1)'>x</a>",
            "<a href='javascript&colon;alert(1)'>x</a>",
            "<a href='java&Tab;script:alert(1)'>x</a>",
            "<a href='&NewLine;javascript:alert(1)'>x</a>",
        ] {
            assert_eq!(scheme_hits(html).len(), 1, "{html}");
        }
        // A reference that is not a letter does not make a scheme.
        assert!(scheme_hits("<a href='java&#0;script:x'>x</a>").is_empty());
        assert!(scheme_hits("<a href='&unknown;javascript:x'>x</a>").is_empty());
    }

    #[test]
    fn every_srcset_candidate_is_checked() {
        assert_eq!(
            scheme_hits("<img srcset='https://e.com/a.png 1x, javascript:x 2x'>").len(),
            1
        );
        assert_eq!(
            scheme_hits("<img srcset='data:image/png;base64,AA,BB 1x'>").len(),
            1
        );
        assert_eq!(
            srcset_urls(" a.png 1x,b.png 2x , data:x,y 640w,,c.png,"),
            ["a.png", "b.png", "data:x,y", "c.png"]
        );
        assert!(scheme_hits("<img srcset='a.png 1x, https://e.com/b.png 2x'>").is_empty());
    }

    #[test]
    fn mail_phone_and_web_links_are_fine() {
        assert!(codes(
            "<a href='mailto:desk@e.com'>m</a><a href='tel:+992371'>t</a><a href='https://e.com/'>w</a>",
            None
        )
        .is_empty());
    }

    #[test]
    fn a_script_url_is_not_also_called_relative() {
        let c = codes("<a href='&#106;avascript:x'>x</a>", None);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].0, "html.url.scheme");
    }

    #[test]
    fn all_active_elements_are_reported() {
        for html in [
            "<object data='https://e.com/x.swf'>",
            "<EMBED src='https://e.com/x'>",
            "<applet code=x>",
            "<frameset><frame src='https://e.com/'>",
            "<base href='https://evil.example/'>",
            "<form action='https://e.com/'>",
            "<style>p{}</style>",
            "<meta http-equiv='Refresh' content='0;url=https://e.com/'>",
            "<iframe src='https://e.com/'>",
        ] {
            let c = codes(html, None);
            assert!(
                c.iter().any(|(code, _)| *code == "html.script"),
                "{html}: {c:?}"
            );
        }
        assert!(codes("<meta charset='utf-8'>", None).is_empty());
    }

    #[test]
    fn active_content_is_an_error_only_when_publishing() {
        use crate::validate::Severity;
        let html = "<p onclick='x'>hi</p>";
        let mut advice = Sink::default();
        check_html(html, None, (1, 1), &mut advice);
        assert_eq!(advice.into_sorted()[0].severity, Severity::Warning);
        let mut gate = Sink::new(true);
        check_html(html, None, (1, 1), &mut gate);
        let f = gate.into_sorted();
        assert_eq!((f[0].code, f[0].severity), ("html.script", Severity::Error));
        // The scheme rule is an error either way.
        let mut advice = Sink::default();
        check_html("<a href='javascript:x'>x</a>", None, (1, 1), &mut advice);
        assert_eq!(advice.into_sorted()[0].severity, Severity::Error);
    }
}
