//! What XML 1.0 allows in character data: which characters may appear
//! at all (the `Char` production) and what an `&...;` reference may name.
//!
//! Both the builder (which reports bad references once, while parsing) and
//! the tree (which expands them again when a rule reads a text) need the
//! same expansion, so it lives here, apart from either.

use super::position::LineIndex;
use crate::validate::report::Sink;
use std::borrow::Cow;

/// Is `c` a `Char` in the XML 1.0 (fifth edition) sense?
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Whether UTF-8 text may hold a character outside `Char`: a C0 control other than tab, LF and
/// CR, or U+FFFE / U+FFFF (EF BF BE / EF BF BF); a `str` holds no surrogate. Byte passes the
/// compiler vectorises, so that the common clean document is not decoded character by
/// character.
fn may_hold_non_chars(b: &[u8]) -> bool {
    let c0 = b.chunks(256).any(|chunk| {
        chunk.iter().fold(false, |acc, &x| {
            acc | ((x < 0x20) & (x != b'\t') & (x != b'\n') & (x != b'\r'))
        })
    });
    c0 || memchr::memmem::find_iter(b, b"\xEF\xBF")
        .any(|i| b.get(i + 2).is_some_and(|n| *n >= 0xBE))
}

/// Reports characters outside the XML 1.0 `Char` production.
pub(super) fn check_chars(text: &str, idx: &LineIndex<'_>, sink: &mut Sink) {
    if !may_hold_non_chars(text.as_bytes()) {
        return;
    }
    for (off, c) in text.char_indices() {
        if !is_xml_char(c) {
            sink.at(
                "xml.char.invalid",
                idx.pos(off),
                format!("U+{:04X} is not allowed in XML 1.0", c as u32),
            );
        }
    }
}

/// Expands predefined entities and character references in `raw`, which
/// starts at byte `base` of the text. Character references to non-XML
/// characters are reported; unknown entities are well-formedness errors
/// unless a DOCTYPE might declare them. Returns the expanded text (borrowed
/// when there is no reference) and whether a fatal well-formedness error
/// occurred.
pub(super) fn unescape<'r>(
    raw: &'r str,
    base: usize,
    has_doctype: bool,
    idx: &LineIndex<'_>,
    sink: &mut Sink,
) -> (Cow<'r, str>, bool) {
    let mut fatal = false;
    let text = references(raw, has_doctype, true, |at, problem| {
        fatal |= report_reference(problem, idx.pos(base + at), sink);
    });
    (text, fatal)
}

/// [`unescape`] for text already checked: no findings.
pub(super) fn expand(raw: &str, has_doctype: bool) -> Cow<'_, str> {
    references(raw, has_doctype, true, |_, _| {})
}

/// [`unescape`] for text whose value is not kept (the tree reads it back
/// from the source when a rule needs it): findings only, no copy.
pub(super) fn check_references(
    raw: &str,
    base: usize,
    has_doctype: bool,
    idx: &LineIndex<'_>,
    sink: &mut Sink,
) -> bool {
    let mut fatal = false;
    references(raw, has_doctype, false, |at, problem| {
        fatal |= report_reference(problem, idx.pos(base + at), sink);
    });
    fatal
}

/// Reports a bad reference at `pos`; true when it is fatal to
/// well-formedness.
fn report_reference(problem: RefProblem<'_>, pos: (usize, usize), sink: &mut Sink) -> bool {
    match problem {
        RefProblem::BareAmpersand => {
            sink.at(
                "xml.wellformed",
                pos,
                "'&' must start an entity or character reference (write &amp;)".into(),
            );
            true
        }
        RefProblem::NotAChar(name) => {
            sink.at(
                "xml.char.invalid",
                pos,
                format!(
                    "character reference &{name}; does not refer to an allowed XML 1.0 character"
                ),
            );
            false
        }
        RefProblem::Undefined(name) => {
            sink.at(
                "xml.wellformed",
                pos,
                format!("undefined entity &{name}; (only amp, lt, gt, quot, apos are predefined)"),
            );
            true
        }
    }
}

/// What is wrong with a reference, for [`unescape`] to report.
enum RefProblem<'r> {
    /// `&` not followed by `name;` within 64 characters.
    BareAmpersand,
    /// A character reference to something outside `Char` (or no number).
    NotAChar(&'r str),
    /// A named entity that is not predefined, without a DOCTYPE.
    Undefined(&'r str),
}

/// Expands references in `raw` (when `build`; otherwise only looks at
/// them and returns `raw`), calling `problem` with the byte offset in `raw`
/// of each bad one. A bad character reference becomes U+FFFD; an unknown
/// entity and a bare `&` stay as written.
fn references<'r>(
    raw: &'r str,
    has_doctype: bool,
    build: bool,
    mut problem: impl FnMut(usize, RefProblem<'r>),
) -> Cow<'r, str> {
    if !raw.contains('&') {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(if build { raw.len() } else { 0 });
    let mut rest = raw;
    let mut consumed = 0;
    while let Some(amp) = rest.find('&') {
        if build {
            out.push_str(&rest[..amp]);
        }
        let after = &rest[amp + 1..];
        let at = consumed + amp;
        let Some(semi) = after.find(';').filter(|&s| s <= 64) else {
            problem(at, RefProblem::BareAmpersand);
            if build {
                out.push('&');
            }
            consumed += amp + 1;
            rest = after;
            continue;
        };
        let name = &after[..semi];
        let expanded: Option<char> = match name {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ if name.starts_with("#x") || name.starts_with('#') => {
                let num = if let Some(h) = name.strip_prefix("#x") {
                    u32::from_str_radix(h, 16).ok()
                } else {
                    name[1..].parse::<u32>().ok()
                };
                match num.and_then(char::from_u32).filter(|c| is_xml_char(*c)) {
                    Some(c) => Some(c),
                    None => {
                        problem(at, RefProblem::NotAChar(name));
                        Some('\u{FFFD}')
                    }
                }
            }
            _ => {
                if !has_doctype {
                    problem(at, RefProblem::Undefined(name));
                }
                None
            }
        };
        match expanded {
            _ if !build => {}
            Some(c) => out.push(c),
            None => {
                out.push('&');
                out.push_str(name);
                out.push(';');
            }
        }
        consumed += amp + 1 + semi + 1;
        rest = &after[semi + 1..];
    }
    if !build {
        return Cow::Borrowed(raw);
    }
    out.push_str(rest);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::super::tests::parse_str;
    use super::*;

    #[test]
    fn xml_chars() {
        assert!(is_xml_char('a'));
        assert!(is_xml_char('\t'));
        assert!(is_xml_char('\u{10FFFF}'));
        assert!(!is_xml_char('\u{1}'));
        assert!(!is_xml_char('\u{FFFE}'));
        assert!(!is_xml_char('\u{0}'));
    }

    #[test]
    fn char_reference_to_control_char_is_reported() {
        let (_, f) = parse_str("<a>\n  x&#1;y</a>");
        assert_eq!(f.len(), 1);
        assert_eq!(
            (f[0].code, f[0].line, f[0].column),
            ("xml.char.invalid", 2, 4)
        );
    }

    #[test]
    fn raw_control_char_is_reported() {
        let (_, f) = parse_str("<a>\u{7}</a>");
        assert_eq!(
            (f[0].code, f[0].line, f[0].column),
            ("xml.char.invalid", 1, 4)
        );
    }

    #[test]
    fn undefined_entities_stay_as_written_under_a_doctype() {
        let (doc, f) = parse_str("<!DOCTYPE a [<!ENTITY e 'x'>]><a>1 &e; 2</a>");
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(doc.get(0).expect("a").text(), "1 &e; 2");
    }
}
