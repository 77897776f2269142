//! URL schemes as a browser reads them, for the `url.scheme` and
//! `html.url.scheme` rules.
//!
//! A feed reader turns links into clickable elements; a `javascript:` or
//! `data:` link runs script in the reader's origin and a `file:` link opens
//! local files. Browsers are lenient about how a scheme is written
//! (`  JaVa\tScript:` is `javascript:`), so the scheme is judged the way the
//! WHATWG URL parser reads it, not as written.

use super::report::Sink;

/// Schemes that run script or reach the reader's own machine. Ids may use
/// any other scheme (`tag:`, `urn:`), HTML links may use `mailto:`/`tel:`.
const SCRIPT_SCHEMES: &[&str] = &["javascript", "data", "vbscript", "file"];

/// Longest value quoted in a message (a `data:` URL can be megabytes).
const QUOTE_MAX: usize = 60;

/// The scheme of `value`, lowercased, or `None` for a relative reference.
///
/// Follows the WHATWG URL parser: leading C0 controls and spaces are
/// skipped and ASCII tab, LF and CR are ignored anywhere; a scheme is an
/// ASCII letter followed by letters, digits, `+`, `-` or `.`, ended by `:`.
pub(crate) fn scheme(value: &str) -> Option<String> {
    let mut out = String::new();
    for c in value.trim_start_matches(|c: char| c <= ' ').chars() {
        match c {
            '\t' | '\n' | '\r' => {}
            ':' => return (!out.is_empty()).then_some(out),
            c if c.is_ascii_alphabetic() => out.push(c.to_ascii_lowercase()),
            c if !out.is_empty() && (c.is_ascii_digit() || matches!(c, '+' | '-' | '.')) => {
                out.push(c)
            }
            _ => return None,
        }
    }
    None
}

/// The scheme of `value` when it runs script or opens local files.
pub(crate) fn script_scheme(value: &str) -> Option<String> {
    scheme(value).filter(|s| SCRIPT_SCHEMES.contains(&s.as_str()))
}

/// Reports `url.scheme` when the link `value` (named `what` in the message)
/// has a scheme other than `http`/`https`. Returns true when it did, so the
/// caller does not also call the value relative.
pub(crate) fn check_link(value: &str, what: &str, pos: (usize, usize), sink: &mut Sink) -> bool {
    match scheme(value) {
        Some(s) if s != "http" && s != "https" => {
            sink.at(
                "url.scheme",
                pos,
                format!(
                    "{what} {} has the scheme {s}:; links in a feed must be http or https",
                    quote(value)
                ),
            );
            true
        }
        _ => false,
    }
}

/// Reports `websub.hub.relative` when the hub link `value` (named `what`)
/// is a relative reference: a subscriber must send its subscription to the
/// hub, and what a relative href resolves against depends on where the feed
/// was fetched from (a non-http(s) scheme is `url.scheme`'s business).
pub(crate) fn check_hub(value: &str, what: &str, pos: (usize, usize), sink: &mut Sink) {
    if scheme(value).is_none() {
        sink.at(
            "websub.hub.relative",
            pos,
            format!(
                "{what} {} is not an absolute http(s) URL; subscribers send their WebSub subscription there",
                quote(value)
            ),
        );
    }
}

/// Reports `url.scheme` when the identifier `value` (an Atom id, an RSS
/// guid that is not a permalink) uses a script or local-file scheme: ids
/// need not be links, but readers open them as links when nothing else is
/// there. Returns true when it reported.
pub(crate) fn check_id(value: &str, what: &str, pos: (usize, usize), sink: &mut Sink) -> bool {
    match script_scheme(value) {
        Some(s) => {
            sink.at(
                "url.scheme",
                pos,
                format!(
                    "{what} {} uses the {s}: scheme, which readers may run or open locally",
                    quote(value)
                ),
            );
            true
        }
        None => false,
    }
}

/// `value` quoted for a message: control characters escaped (the tab in
/// `java\tscript:` must show) and long values cut.
pub(crate) fn quote(value: &str) -> String {
    let mut out = String::from("'");
    for (n, c) in value.trim().chars().enumerate() {
        if n == QUOTE_MAX {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_are_read_as_browsers_read_them() {
        assert_eq!(scheme("https://e.com/").as_deref(), Some("https"));
        assert_eq!(
            scheme("  JaVa\tScript:alert(1)").as_deref(),
            Some("javascript")
        );
        assert_eq!(
            scheme("\u{1}\u{0} java\nscr\ript:x").as_deref(),
            Some("javascript")
        );
        assert_eq!(scheme("tag:e.com,2025:1").as_deref(), Some("tag"));
        assert_eq!(scheme("svn+ssh://x").as_deref(), Some("svn+ssh"));
        for relative in [
            "/a:b",
            "a b:c",
            "1abc:x",
            ":x",
            "",
            "#top",
            "java\u{0}script:x",
        ] {
            assert_eq!(scheme(relative), None, "{relative:?}");
        }
    }

    #[test]
    fn only_script_and_file_schemes_are_refused_for_ids() {
        assert!(script_scheme("DATA:text/html,<b>").is_some());
        assert!(script_scheme(" vbscript:x").is_some());
        assert!(script_scheme("file:///etc/passwd").is_some());
        assert!(script_scheme("urn:uuid:1").is_none());
        assert!(script_scheme("mailto:a@b.c").is_none());
    }

    #[test]
    fn quotes_escape_controls_and_cut_long_values() {
        assert_eq!(quote("java\tscript:x"), "'java\\tscript:x'");
        let long = format!("data:{}", "A".repeat(500));
        assert!(quote(&long).chars().count() < 70);
    }
}
