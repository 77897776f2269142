//! Language of a story: Russian, Tajik or English.
//!
//! The agency writes in all three, with the same Cyrillic script for Russian and Tajik. Tajik
//! has six letters that Russian never uses (ғ ӣ қ ӯ ҳ ҷ), so any of them marks a story as Tajik;
//! a story written mostly in Latin letters is English; other Cyrillic is Russian. A story with
//! no letters at all keeps the configured default. Full language identification (a crate such as
//! `whatlang`) would be slower and less certain for this narrow case.

/// Letters used in Tajik and never in Russian, lower and upper case.
const TAJIK_ONLY: &[char] = &['ғ', 'ӣ', 'қ', 'ӯ', 'ҳ', 'ҷ', 'Ғ', 'Ӣ', 'Қ', 'Ӯ', 'Ҳ', 'Ҷ'];

/// Detects the language tag (`tg`, `en`, `ru`) of a story's text, or returns `default`.
pub fn detect<'a>(texts: impl IntoIterator<Item = &'a str>, default: &str) -> String {
    let (mut cyrillic, mut latin) = (0usize, 0usize);
    for text in texts {
        for c in text.chars() {
            if TAJIK_ONLY.contains(&c) {
                return "tg".to_string();
            }
            if c.is_ascii_alphabetic() {
                latin += 1;
            } else if ('\u{0400}'..='\u{04FF}').contains(&c) {
                cyrillic += 1;
            }
        }
    }
    if latin == 0 && cyrillic == 0 {
        default.to_string()
    } else if latin > cyrillic {
        "en".to_string()
    } else {
        "ru".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
