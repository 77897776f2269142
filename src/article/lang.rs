//! Language of a story: Russian, Tajik or English.
//!
//! The agency writes in all three, with the same Cyrillic script for Russian and Tajik. Tajik
//! has six letters that Russian never uses (ғ ӣ қ ӯ ҳ ҷ), so any of them marks a story as Tajik;
//! a story written mostly in Latin letters is English; other Cyrillic is Russian. A story with
//! no letters at all keeps the configured default. Full language identification (a crate such as
//! `whatlang`) would be slower and less certain for this narrow case.

use serde::{Deserialize, Serialize};

/// What the letters of a story say about its language.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Detected {
    /// Cyrillic without Tajik letters, at least as many as Latin ones.
    Russian,
    /// At least one of the six Tajik-only letters.
    Tajik,
    /// More Latin letters than Cyrillic ones.
    English,
    /// No letters at all: the configured default applies.
    #[default]
    NoLetters,
}

impl Detected {
    /// The language tag, `default` when the text had no letters.
    pub fn tag(self, default: &str) -> &str {
        match self {
            Detected::Russian => "ru",
            Detected::Tajik => "tg",
            Detected::English => "en",
            Detected::NoLetters => default,
        }
    }
}

/// Detects the language tag (`tg`, `en`, `ru`) of a story's text, or returns `default`.
pub fn detect<'a>(texts: impl IntoIterator<Item = &'a str>, default: &str) -> String {
    detect_in(texts).tag(default).to_string()
}

/// The language of a story's text. Works on UTF-8 bytes, because every build runs it over the
/// whole archive: each character of U+0400..U+04FF has exactly one lead byte in 0xD0..=0xD3, and
/// the Tajik-only letters are the pairs matched below, so counting bytes gives the same answer
/// as decoding characters, in passes the compiler vectorises.
pub fn detect_in<'a>(texts: impl IntoIterator<Item = &'a str>) -> Detected {
    let (mut cyrillic, mut latin) = (0usize, 0usize);
    for text in texts {
        let bytes = text.as_bytes();
        // One pass counts both alphabets and the lead bytes 0xD2/0xD3 that every Tajik-only
        // letter starts with; only a text that has some is searched for the letters themselves.
        // Byte counters per chunk of 255 cannot overflow, and keep the loop branch-free.
        let mut maybe_tajik = false;
        for chunk in bytes.chunks(255) {
            let (mut l, mut c, mut t) = (0u8, 0u8, 0u8);
            for &b in chunk {
                l += u8::from((b | 0x20).wrapping_sub(b'a') < 26);
                c += u8::from(b.wrapping_sub(0xD0) < 4);
                t |= u8::from(b.wrapping_sub(0xD2) < 2);
            }
            latin += usize::from(l);
            cyrillic += usize::from(c);
            maybe_tajik |= t != 0;
        }
        if maybe_tajik && has_tajik_letter(bytes) {
            return Detected::Tajik;
        }
    }
    if latin == 0 && cyrillic == 0 {
        Detected::NoLetters
    } else if latin > cyrillic {
        Detected::English
    } else {
        Detected::Russian
    }
}

/// Whether UTF-8 text holds one of ғ ӣ қ ӯ ҳ ҷ (either case): U+0492/3, U+049A/B, U+04B2/3 and
/// U+04B6/7 start with 0xD2; U+04E2/3 and U+04EE/F with 0xD3.
fn has_tajik_letter(bytes: &[u8]) -> bool {
    memchr::memchr2_iter(0xD2, 0xD3, bytes).any(|i| {
        let next = bytes.get(i + 1).copied().unwrap_or(0);
        match bytes[i] {
            0xD2 => matches!(next, 0x92 | 0x93 | 0x9A | 0x9B | 0xB2 | 0xB3 | 0xB6 | 0xB7),
            _ => matches!(next, 0xA2 | 0xA3 | 0xAE | 0xAF),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte counts agree with decoding characters, on every kind of text.
    #[test]
    fn bytes_agree_with_characters() {
        const TAJIK_ONLY: &[char] = &['ғ', 'ӣ', 'қ', 'ӯ', 'ҳ', 'ҷ', 'Ғ', 'Ӣ', 'Қ', 'Ӯ', 'Ҳ', 'Ҷ'];
        let by_chars = |t: &str| {
            if t.chars().any(|c| TAJIK_ONLY.contains(&c)) {
                return Detected::Tajik;
            }
            let latin = t.chars().filter(char::is_ascii_alphabetic).count();
            let cyr = t
                .chars()
                .filter(|c| ('\u{0400}'..='\u{04FF}').contains(c))
                .count();
            match (latin, cyr) {
                (0, 0) => Detected::NoLetters,
                (l, c) if l > c => Detected::English,
                _ => Detected::Russian,
            }
        };
        for t in [
            "Ҷаласа",
            "ӣ",
            "Ӯ",
            "Ғ",
            "ҳ",
            "қ",
            "ҷ",
            "Ӣ",
            "ӭ ӧ Ӝ",
            "ҡ ҕ Ғ",
            "IBM и ООН",
            "SCO met",
            "123 — «»",
            "",
            "ЁёЂђ",
            "ӿ",
            "Ѐ",
            "ҍҏґ",
        ] {
            assert_eq!(detect_in([t]), by_chars(t), "{t:?}");
        }
    }

    #[test]
    fn russian() {
        assert_eq!(detect(["В Китае состоялось совещание ШОС"], "ru"), "ru");
    }

    #[test]
    fn tajik_by_its_own_letters() {
        assert_eq!(detect(["Ҷаласаи вазирон дар шаҳри Душанбе"], "ru"), "tg");
    }

    #[test]
    fn english_by_latin_letters() {
        assert_eq!(detect(["SCO ministers met in Karamay, China"], "ru"), "en");
    }

    #[test]
    fn russian_with_latin_acronyms_stays_russian() {
        assert_eq!(
            detect(["Компания IBM и ООН провели встречу в Душанбе"], "en"),
            "ru"
        );
    }

    #[test]
    fn no_letters_keeps_default() {
        assert_eq!(detect(["2025 — 18:30"], "tg"), "tg");
    }
}
