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
    let not_xml = |message: &str| CheckError::NotXml {
        line: 1,
        column: 1,
        message: message.to_string(),
    };
    if bytes.is_empty() {
        return Err(not_xml("the input is empty"));
    }
    let utf16 = match bytes {
        [0xFF, 0xFE, ..] => Some((encoding_rs::UTF_16LE, 2)),
        [0xFE, 0xFF, ..] => Some((encoding_rs::UTF_16BE, 2)),
        [b'<', 0, b'?', 0, ..] => Some((encoding_rs::UTF_16LE, 0)),
        [0, b'<', 0, b'?', ..] => Some((encoding_rs::UTF_16BE, 0)),
        _ => None,
    };
    if let Some((enc, skip)) = utf16 {
        let (text, had_errors) = enc.decode_without_bom_handling(bytes.get(skip..).unwrap_or(&[]));
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
        return Ok(text);
    }
    let (body, had_bom) = match bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    // The declaration is ASCII by construction, so a lossy look is enough.
    let head = String::from_utf8_lossy(&body[..body.len().min(256)]);
    let label = declared_encoding(&head);
    let report_invalid_utf8 = |sink: &mut Sink, label: &str| -> Cow<'b, str> {
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
    };
    match label {
        None => Ok(report_invalid_utf8(sink, "UTF-8")),
        Some(l) if is_utf8_label(&l) => Ok(report_invalid_utf8(sink, &l)),
        Some(l) => {
            if had_bom {
                sink.push(
                    "xml.encoding.mismatch",
                    1,
                    1,
                    format!("encoding=\"{l}\" is declared but the document starts with a UTF-8 byte order mark"),
                );
                return Ok(String::from_utf8_lossy(body));
            }
            match encoding_rs::Encoding::for_label(l.as_bytes()) {
                Some(enc) if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE => {
                    sink.push(
                        "xml.encoding.mismatch",
                        1,
                        1,
                        format!("encoding=\"{l}\" is declared but the bytes are not UTF-16"),
                    );
                    Ok(String::from_utf8_lossy(body))
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
                    Ok(text)
                }
                None => {
                    sink.push(
                        "xml.encoding.mismatch",
                        1,
                        1,
                        format!("encoding=\"{l}\" is not a known character encoding"),
                    );
                    Ok(String::from_utf8_lossy(body))
                }
            }
        }
    }
}
