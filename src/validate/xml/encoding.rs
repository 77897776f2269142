//! From the bytes of a file to the text the parser reads.
//!
//! A feed's encoding is told three ways that can disagree: a byte order
//! mark, the shape of the first bytes, and the `encoding` of the XML
//! declaration. This module settles which one wins, decodes accordingly and
//! reports `xml.encoding.mismatch` when they contradict each other or the
//! bytes; only input that cannot be text at all is refused.

use super::position::LineIndex;
use crate::validate::report::Sink;
use crate::validate::CheckError;
use encoding_rs::Encoding;
use std::borrow::Cow;

/// Reads the `encoding="..."` pseudo-attribute of an XML declaration at the
/// start of `head` (which must already be ASCII-compatible text).
fn declared_encoding(head: &str) -> Option<String> {
    let head = head.strip_prefix("<?xml")?;
    let end = head.find("?>")?;
    let decl = &head[..end];
    let i = decl.find("encoding")?;
    let rest = decl[i + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let quote = rest.chars().next()?;
    if quote != '"' && quote != '\'' {
        return None;
    }
    let val = &rest[1..];
    let close = val.find(quote)?;
    Some(val[..close].to_string())
}

fn is_utf8_label(l: &str) -> bool {
    l.eq_ignore_ascii_case("utf-8") || l.eq_ignore_ascii_case("utf8")
}

/// Decodes the raw bytes to text, reporting `xml.encoding.mismatch` when the
/// declared encoding contradicts the bytes. Rejects input that cannot be a
/// text document at all. Valid UTF-8 is borrowed, not copied: for a large
/// feed that copy would be as big as the input.
pub(in crate::validate) fn decode<'b>(
    bytes: &'b [u8],
    sink: &mut Sink,
) -> Result<Cow<'b, str>, CheckError> {
    if bytes.is_empty() {
        return Err(CheckError::NotXml {
            line: 1,
            column: 1,
            message: "the input is empty".to_string(),
        });
    }
    if let Some((enc, skip)) = sniff_utf16(bytes) {
        return Ok(decode_utf16(enc, bytes.get(skip..).unwrap_or(&[]), sink));
    }
    let (body, had_bom) = match bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    // The declaration is ASCII by construction, so a lossy look is enough.
    let head = String::from_utf8_lossy(&body[..body.len().min(256)]);
    Ok(match declared_encoding(&head) {
        None => decode_utf8(body, "UTF-8", sink),
        Some(l) if is_utf8_label(&l) => decode_utf8(body, &l, sink),
        Some(l) => decode_declared(body, &l, had_bom, sink),
    })
}

/// UTF-16 and the bytes to skip, when a byte order mark says so or the
/// document starts with `<?` in two-byte units; the XML declaration cannot
/// be read before this is known.
fn sniff_utf16(bytes: &[u8]) -> Option<(&'static Encoding, usize)> {
    match bytes {
        [0xFF, 0xFE, ..] => Some((encoding_rs::UTF_16LE, 2)),
        [0xFE, 0xFF, ..] => Some((encoding_rs::UTF_16BE, 2)),
        [b'<', 0, b'?', 0, ..] => Some((encoding_rs::UTF_16LE, 0)),
        [0, b'<', 0, b'?', ..] => Some((encoding_rs::UTF_16BE, 0)),
        _ => None,
    }
}

/// Decodes a document sniffed as UTF-16; a declaration naming another
/// encoding is wrong, as the bytes win.
fn decode_utf16<'b>(enc: &'static Encoding, body: &'b [u8], sink: &mut Sink) -> Cow<'b, str> {
    let (text, had_errors) = enc.decode_without_bom_handling(body);
    if had_errors {
        sink.push(
            "xml.encoding.mismatch",
            1,
            1,
            "the byte order mark says UTF-16 but the bytes are not valid UTF-16".into(),
        );
    } else if let Some(label) = declared_encoding(&text) {
        if !label.to_ascii_lowercase().starts_with("utf-16") {
            sink.push(
                "xml.encoding.mismatch",
                1,
                1,
                format!("encoding=\"{label}\" is declared but the document is UTF-16"),
            );
        }
    }
    text
}

/// Takes `body` as UTF-8 (declared as `label`, or by default), reporting
/// where the first invalid byte is; the text stays borrowed when valid.
fn decode_utf8<'b>(body: &'b [u8], label: &str, sink: &mut Sink) -> Cow<'b, str> {
    // simdutf8 validates Cyrillic several times faster than `std::str::from_utf8`, which a
    // build calls on every feed it writes; the standard one then finds where invalid input
    // goes wrong.
    if let Ok(text) = simdutf8::basic::from_utf8(body) {
        return Cow::Borrowed(text);
    }
    match std::str::from_utf8(body) {
        Ok(s) => Cow::Borrowed(s),
        Err(e) => {
            let valid = String::from_utf8_lossy(&body[..e.valid_up_to()]);
            let idx = LineIndex::new(&valid);
            let (l, c) = idx.pos(valid.len());
            sink.push(
                "xml.encoding.mismatch",
                l,
                c,
                format!("the document is declared (or defaults to) {label} but contains bytes that are not valid UTF-8"),
            );
            String::from_utf8_lossy(body)
        }
    }
}

/// Decodes `body` as the declared encoding `l`, which is not UTF-8. When
/// the declaration cannot be right (a UTF-8 byte order mark, UTF-16 that
/// was not sniffed, an unknown label) the bytes are read as UTF-8 so the
/// rest of the document can still be checked.
fn decode_declared<'b>(body: &'b [u8], l: &str, had_bom: bool, sink: &mut Sink) -> Cow<'b, str> {
    if had_bom {
        sink.push(
            "xml.encoding.mismatch",
            1,
            1,
            format!(
                "encoding=\"{l}\" is declared but the document starts with a UTF-8 byte order mark"
            ),
        );
        return String::from_utf8_lossy(body);
    }
    match Encoding::for_label(l.as_bytes()) {
        Some(enc) if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE => {
            sink.push(
                "xml.encoding.mismatch",
                1,
                1,
                format!("encoding=\"{l}\" is declared but the bytes are not UTF-16"),
            );
            String::from_utf8_lossy(body)
        }
        Some(enc) => {
            let (text, had_errors) = enc.decode_without_bom_handling(body);
            if had_errors {
                sink.push(
                    "xml.encoding.mismatch",
                    1,
                    1,
                    format!("the bytes are not valid {l}"),
                );
            }
            text
        }
        None => {
            sink.push(
                "xml.encoding.mismatch",
                1,
                1,
                format!("encoding=\"{l}\" is not a known character encoding"),
            );
            String::from_utf8_lossy(body)
        }
    }
}
