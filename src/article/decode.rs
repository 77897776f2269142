//! Bytes to text: BOMs, UTF-8, UTF-16 and the legacy Cyrillic code pages of old archives.
//!
//! Policy: UTF-8 is taken as it is (zero-copy). A BOM decides the encoding when there is one.
//! Otherwise bytes that are not UTF-8 are given to `chardetng`, and only the Cyrillic legacy
//! encodings seen in Russian and Tajik archives are accepted from it: any single-byte code page
//! "decodes" arbitrary bytes, so accepting every guess would publish mojibake instead of
//! reporting the file. Files dense with control bytes are treated as binary (an image or archive
//! dropped into the folder); a stray control character in a real story is left for the parser to
//! remove with a warning.

use std::borrow::Cow;

use encoding_rs::{Encoding, IBM866, KOI8_R, KOI8_U, UTF_8, WINDOWS_1251};

use super::ArticleErrorKind;

/// Decoded text of one file and how it was decoded.
#[derive(Debug)]
pub struct Decoded<'a> {
    /// The text, without BOM.
    pub text: Cow<'a, str>,
    /// The encoding the bytes were in.
    pub encoding: &'static Encoding,
    /// Number of malformed sequences replaced by U+FFFD (UTF-16 only; other encodings fail).
    pub replaced: usize,
}

/// Legacy encodings accepted from the detector.
const ACCEPTED_GUESSES: [&Encoding; 4] = [WINDOWS_1251, KOI8_R, KOI8_U, IBM866];

/// Decodes a story file. `forced` is the configured encoding, if any.
pub fn decode<'a>(
    bytes: &'a [u8],
    forced: Option<&'static Encoding>,
) -> Result<Decoded<'a>, ArticleErrorKind> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let body = &bytes[bom_len..];
        if encoding == UTF_8 {
            return decode_utf8(body, bytes);
        }
        let (text, had_errors) = encoding.decode_without_bom_handling(body);
        let replaced = if had_errors {
            text.matches('\u{FFFD}').count()
        } else {
            0
        };
        return Ok(Decoded {
            text,
            encoding,
            replaced,
        });
    }
    if let Some(reason) = binary_reason(bytes) {
        return Err(ArticleErrorKind::Binary { reason });
    }
    if let Some(encoding) = forced.filter(|e| *e != UTF_8) {
        return match encoding.decode_without_bom_handling_and_without_replacement(bytes) {
            Some(text) => Ok(Decoded {
                text,
                encoding,
                replaced: 0,
            }),
            None => Err(ArticleErrorKind::BadForcedEncoding {
                encoding: encoding.name().to_string(),
            }),
        };
    }
    decode_utf8(bytes, bytes).or_else(|utf8_error| {
        if forced == Some(UTF_8) {
            return Err(utf8_error);
        }
        let mut detector = chardetng::EncodingDetector::new();
        detector.feed(bytes, true);
        let guess = detector.guess(None, true);
        if !ACCEPTED_GUESSES.contains(&guess) {
            return Err(utf8_error);
        }
        match guess.decode_without_bom_handling_and_without_replacement(bytes) {
            Some(text) if looks_cyrillic(&text) => Ok(Decoded {
                text,
                encoding: guess,
                replaced: 0,
            }),
            _ => Err(utf8_error),
        }
    })
}

fn decode_utf8<'a>(body: &'a [u8], whole: &[u8]) -> Result<Decoded<'a>, ArticleErrorKind> {
    // simdutf8 validates Cyrillic text several times faster than `std::str::from_utf8`, which
    // matters when a build reads every story of a large archive; std then locates any error.
    if let Ok(text) = simdutf8::basic::from_utf8(body) {
        return Ok(Decoded {
            text: Cow::Borrowed(text),
            encoding: UTF_8,
            replaced: 0,
        });
    }
    match std::str::from_utf8(body) {
        Ok(text) => Ok(Decoded {
            text: Cow::Borrowed(text),
            encoding: UTF_8,
            replaced: 0,
        }),
        Err(e) => {
            let offset = e.valid_up_to() + (whole.len() - body.len());
            let line = 1 + whole[..offset].iter().filter(|&&b| b == b'\n').count();
            Err(ArticleErrorKind::Undecodable {
                detail: format!("invalid byte at offset {offset}, line {line}"),
            })
        }
    }
}

/// Says why the bytes look binary, or `None` for text.
///
/// NUL bytes or C0 controls (other than tab, LF, CR, FF) make up under 0.1% of any real story
/// even with stray characters; images and archives have several percent.
fn binary_reason(bytes: &[u8]) -> Option<String> {
    // Runs over every byte of the archive: first a branch-free test the compiler vectorises
    // (almost every story has no control byte at all), then the exact count.
    let any_control = bytes.chunks(256).any(|chunk| {
        chunk.iter().fold(false, |acc, &b| {
            acc | ((b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r') & (b != 0x0c))
        })
    });
    if !any_control {
        return None;
    }
    let controls: usize = bytes
        .iter()
        .map(|&b| usize::from((b < 0x20) & !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)))
        .sum();
    let dense = (controls >= 8 && controls * 50 > bytes.len())
        || (controls >= 2 && controls * 4 >= bytes.len());
    if dense {
        let nuls = memchr::memchr_iter(0, bytes).count();
        Some(format!(
            "{controls} control bytes in {} bytes, {nuls} of them NUL",
            bytes.len()
        ))
    } else {
        None
    }
}

/// A decoded legacy text is only believed when most of its letters are Cyrillic.
fn looks_cyrillic(text: &str) -> bool {
    let (mut cyrillic, mut letters) = (0usize, 0usize);
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        letters += 1;
        if ('\u{0400}'..='\u{04FF}').contains(&c) {
            cyrillic += 1;
        }
    }
    letters > 0 && cyrillic * 2 > letters
}

/// Looks up an encoding by its WHATWG label (`utf-8`, `windows-1251`, `koi8-r`, `cp866`…).
pub fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label(label.trim().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{UTF_16BE, UTF_16LE};

    const STORY: &str = "Заголовок новости\nДУШАНБЕ, 18.06.2025 /НИАТ «Ховар»/. Текст.\n";

    #[test]
    fn utf8_is_borrowed() {
        let d = decode(STORY.as_bytes(), None).unwrap();
        assert!(matches!(d.text, Cow::Borrowed(_)));
        assert_eq!(d.encoding, UTF_8);
    }

    #[test]
    fn utf8_bom_is_stripped() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice(STORY.as_bytes());
        assert_eq!(decode(&bytes, None).unwrap().text, STORY);
    }

    #[test]
    fn utf16le_with_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in STORY.encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let d = decode(&bytes, None).unwrap();
        assert_eq!(d.text, STORY);
        assert_eq!(d.encoding, UTF_16LE);
    }

    #[test]
    fn utf16be_with_bom() {
        let mut bytes = vec![0xFE, 0xFF];
        for unit in STORY.encode_utf16() {
            bytes.extend_from_slice(&unit.to_be_bytes());
        }
        assert_eq!(decode(&bytes, None).unwrap().encoding, UTF_16BE);
    }

    #[test]
    fn windows_1251_is_detected() {
        let (bytes, _, _) = WINDOWS_1251.encode(STORY);
        let d = decode(&bytes, None).unwrap();
        assert_eq!(d.encoding, WINDOWS_1251);
        assert_eq!(d.text, STORY);
    }

    /// KOI8-R has no guillemets; archives in it use straight quotes.
    const KOI8_STORY: &str = "Заголовок новости\nДУШАНБЕ, 18.06.2025 /НИАТ \"Ховар\"/. Текст.\n";

    #[test]
    fn koi8_r_is_detected() {
        let long = KOI8_STORY.repeat(5);
        let (bytes, _, _) = KOI8_R.encode(&long);
        let d = decode(&bytes, None).unwrap();
        // KOI8-U is a superset of KOI8-R: identical for Russian text.
        assert!(
            d.encoding == KOI8_R || d.encoding == KOI8_U,
            "{:?}",
            d.encoding
        );
        assert_eq!(d.text, long);
    }

    #[test]
    fn forced_encoding_wins_over_detection() {
        let (bytes, _, _) = IBM866.encode(KOI8_STORY);
        let d = decode(&bytes, Some(IBM866)).unwrap();
        assert_eq!(d.text, KOI8_STORY);
    }

    #[test]
    fn latin1_text_is_not_accepted_as_cyrillic() {
        let err = decode(b"Caf\xe9 au lait, cr\xe8me br\xfbl\xe9e", None).unwrap_err();
        assert!(
            matches!(err, ArticleErrorKind::Undecodable { .. }),
            "{err:?}"
        );
    }

    #[test]
    fn dense_nul_bytes_are_binary() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0\0\0\x01\0\x08\x06\0\0\0";
        assert!(matches!(
            decode(png, None),
            Err(ArticleErrorKind::Binary { .. })
        ));
    }

    #[test]
    fn a_stray_nul_is_not_binary() {
        let text = format!("{STORY}Ещё\0 абзац.\n");
        assert!(decode(text.as_bytes(), None).is_ok());
    }
}
