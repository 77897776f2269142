//! ASCII slugs for tag names, which name the `tags/<slug>/` feed folders.
//!
//! A slug is part of a public URL and a folder name on disk, so it must be plain ASCII
//! (`[a-z0-9-]`) and must never change for a given tag: readers subscribe to the folder's
//! feed. [`slug`] is therefore a pure function of its input with a fixed, documented policy:
//!
//! - Cyrillic is transliterated by GOST 7.79-2000 system B (ISO 9:1995 system B), the Russian
//!   national standard, with its rule for `ц`: `c` before the Latin letters i, e, y and j,
//!   `cz` elsewhere (so `Цирк` → `cirk`, `Царь` → `czar`). The standard marks some letters
//!   with backticks (`ъ` is two, `ь` one, `ы` is `y` and one, `э` is `e` and one, `ґ` is `g`
//!   and one…); a URL slug cannot hold them, so they are dropped, and the slug is not
//!   reversible.
//! - System B is language-neutral only as far as one table goes: where it gives a letter
//!   another value in another language (Ukrainian `и` → `` y` ``, Bulgarian `щ` → `sht`), the
//!   Russian value is used, since a tag does not say its language.
//! - System B's table (§6.2, table 4) covers only the Slavic alphabets. For the Tajik letters
//!   `ғ ӣ қ ӯ ҳ ҷ` and the Kazakh `ә ң ө ұ ү һ` it gives nothing, so they follow the BGN/PCGN
//!   romanizations of Tajik (1994) and Kazakh (1979) with their diacritics dropped, as the
//!   way those languages are commonly written in Latin: `ғ` → `gh`, `қ` → `q`, `ҳ` → `h`,
//!   `ҷ` → `j`, `ӣ` → `i`, `ӯ` → `u`, `ә` → `a`, `ң` → `ng`, `ө` → `o`, `ұ` `ү` → `u`,
//!   `һ` → `h`.
//! - Latin letters with diacritics fold to their base letter by Unicode compatibility
//!   decomposition (`é` → `e`, `ﬁ` → `fi`), plus a few letters that have no decomposition
//!   (`ß` → `ss`, `ø` → `o`, `ł` → `l`…). This is not `deunicode`: that crate would also
//!   romanize every other script, which the policy keeps out, and its tables change between
//!   releases, which would rename folders; Unicode guarantees decompositions never change.
//! - Every other character — spaces, punctuation, symbols, other scripts — separates words;
//!   a run of separators becomes one `-`, and there is none at either end. Apostrophes,
//!   combining marks (a stress mark on a Russian vowel) and invisible format characters (a
//!   soft hyphen) sit inside words and are dropped without separating.
//!
//! The slug may be empty (a tag written only in, say, Chinese); the caller decides what to
//! do then.

use std::borrow::Cow;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// The URL slug of a tag: lower-case ASCII letters, digits and single dashes; may be empty.
pub(crate) fn slug(text: &str) -> String {
    // Composed first, so that a decomposed `й` (и + breve) is looked up as `й` rather than
    // read as `и` followed by a dropped mark.
    let chars: Vec<char> = text.nfc().flat_map(char::to_lowercase).collect();
    let mut out = String::with_capacity(chars.len());
    let mut separated = false;
    for (i, &c) in chars.iter().enumerate() {
        for l in latin(c, chars.get(i + 1).copied()).chars() {
            if l.is_ascii_alphanumeric() {
                if separated && !out.is_empty() {
                    out.push('-');
                }
                separated = false;
                out.push(l.to_ascii_lowercase());
            } else if !is_dropped(l) {
                separated = true;
            }
        }
    }
    out
}

/// Characters that sit inside a word and vanish from its slug instead of splitting it.
fn is_dropped(c: char) -> bool {
    is_combining_mark(c)
        || matches!(
            c,
            // System B's own marks, and apostrophes as written inside words (don't, м'ясо).
            '`' | '\'' | '\u{2019}' | '\u{02BC}' | '\u{02B9}' | '\u{02BA}'
            // Soft hyphen, zero-width space and joiners, word joiner, byte-order mark.
            | '\u{00AD}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}'
        )
}

/// The Latin spelling of one lower-case character, marks included; `next` is the character
/// after it, which `ц` depends on.
fn latin(c: char, next: Option<char>) -> Cow<'static, str> {
    if c == 'ц' {
        // System B: `c` where a Latin reader would say "ts" anyway (before i, e, y, j).
        let soft = next.is_some_and(|n| latin(n, None).starts_with(['i', 'e', 'y', 'j']));
        return Cow::Borrowed(if soft { "c" } else { "cz" });
    }
    if let Some(s) = cyrillic(c).or_else(|| latin_without_decomposition(c)) {
        return Cow::Borrowed(s);
    }
    if c.is_ascii() {
        return Cow::Owned(c.to_string());
    }
    // Decomposition folds Latin diacritics, and Cyrillic letters outside the table that are
    // a table letter with a mark (`ѐ`, `ӧ`, `ӥ`) to that letter. Whatever is still not ASCII
    // is another script: `slug` reads it as a separator, and the marks split off as nothing.
    let mut spelled = String::new();
    for d in c.nfkd() {
        match cyrillic(d) {
            Some(l) => spelled.push_str(l),
            None => spelled.push(d),
        }
    }
    Cow::Owned(spelled)
}

/// GOST 7.79-2000 system B for the Slavic alphabets (Russian values where languages differ),
/// then the Tajik and Kazakh letters; `None` for anything else.
fn cyrillic(c: char) -> Option<&'static str> {
    Some(match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'д' => "d",
        'е' => "e",
        'ё' => "yo",
        'ж' => "zh",
        'з' => "z",
        'и' => "i",
        'й' => "j",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ф' => "f",
        'х' => "x",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shh",
        'ъ' => "``",
        'ы' => "y`",
        'ь' => "`",
        'э' => "e`",
        'ю' => "yu",
        'я' => "ya",
        // Ukrainian and Belarusian.
        'ґ' => "g`",
        'є' => "ye",
        'і' => "i",
        'ї' => "yi",
        'ў' => "u`",
        // Macedonian.
        'ѓ' => "g`",
        'ѕ' => "z`",
        'ј' => "j",
        'ќ' => "k`",
        'љ' => "l`",
        'њ' => "n`",
        'џ' => "dh",
        // Tajik (BGN/PCGN 1994); ғ and қ are Kazakh letters too.
        'ғ' => "gh",
        'ӣ' => "i",
        'қ' => "q",
        'ӯ' => "u",
        'ҳ' => "h",
        'ҷ' => "j",
        // Kazakh (BGN/PCGN 1979); also Kyrgyz ң ө ү and Bashkir/Tatar ә ө ү һ.
        'ә' => "a",
        'ң' => "ng",
        'ө' => "o",
        'ұ' => "u",
        'ү' => "u",
        'һ' => "h",
        _ => return None,
    })
}

/// Latin letters that Unicode does not decompose into a base letter and a mark, spelled as
/// their languages spell them in ASCII. Written by hand because the list is short and
/// closed, and a crate's table (`deunicode`) could change and rename folders.
fn latin_without_decomposition(c: char) -> Option<&'static str> {
    Some(match c {
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        'ø' => "o",
        'đ' | 'ð' => "d",
        'ł' => "l",
        'þ' => "th",
        'ı' => "i",
        'ħ' => "h",
        'ŧ' => "t",
        'ŋ' => "ng",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn russian_words() {
        assert_eq!(slug("Экономика"), "ekonomika");
        assert_eq!(slug("Политика"), "politika");
        assert_eq!(
            slug("Шанхайская организация сотрудничества"),
            "shanxajskaya-organizaciya-sotrudnichestva"
        );
    }

    #[test]
    fn ampersand_and_spaces_make_one_dash() {
        assert_eq!(slug("ИКТ & связь"), "ikt-svyaz");
    }

    #[test]
    fn tajik_letters() {
        assert_eq!(slug("Иқтисодиёт"), "iqtisodiyot");
        assert_eq!(slug("Ҷавонон"), "javonon");
        assert_eq!(slug("Ҳукумат"), "hukumat");
        assert_eq!(slug("Ғизо"), "ghizo");
        assert_eq!(slug("Кӯҳистон"), "kuhiston");
        assert_eq!(slug("Миллӣ"), "milli");
    }

    #[test]
    fn tajik_and_russian_kh_stay_apart() {
        // ҳ and х are different letters; system B's `x` for х keeps them apart.
        assert_eq!(slug("ҳ х"), "h-x");
    }

    #[test]
    fn kazakh_ukrainian_belarusian_letters() {
        assert_eq!(slug("Қазақстан"), "qazaqstan");
        assert_eq!(slug("Әңгіме"), "anggime");
        assert_eq!(slug("Өнер Ұлттық Үкімет Һ"), "oner-ulttyq-ukimet-h");
        assert_eq!(slug("Їжак Європа Ґанок"), "yizhak-yevropa-ganok");
        assert_eq!(slug("Беларусь Ўзбек"), "belarus-uzbek");
    }

    #[test]
    fn tse_is_c_before_i_e_y_j_and_cz_elsewhere() {
        assert_eq!(slug("Цирк"), "cirk");
        assert_eq!(slug("Центр"), "centr");
        assert_eq!(slug("Цыган"), "cygan");
        assert_eq!(slug("Цюрих"), "cyurix");
        assert_eq!(slug("Царь"), "czar");
        assert_eq!(slug("Цокот"), "czokot");
        assert_eq!(slug("Шпиц"), "shpicz");
        assert_eq!(slug("Цц"), "czcz");
    }

    #[test]
    fn tse_looks_at_the_next_letter_whatever_its_case() {
        assert_eq!(slug("ЦЕНТР"), "centr");
        assert_eq!(slug("ЦАРЬ"), "czar");
    }

    #[test]
    fn yo_shcha_yu_ya_and_the_signs() {
        assert_eq!(slug("Ёлка"), "yolka");
        assert_eq!(slug("Щука"), "shhuka");
        assert_eq!(slug("Юг Ярмарка"), "yug-yarmarka");
        // ъ and ь are marks in system B: dropped, not separators.
        assert_eq!(slug("Объём"), "obyom");
        assert_eq!(slug("Связь"), "svyaz");
        assert_eq!(slug("Выборы Этика"), "vybory-etika");
    }

    #[test]
    fn cyrillic_letters_with_marks_outside_the_table_keep_their_base() {
        // ѐ is е with a grave (a written stress); ӧ and ӱ are Mari and Altai letters.
        assert_eq!(slug("ѐлка Ӧӱ"), "elka-ou");
    }

    #[test]
    fn decomposed_cyrillic_is_read_as_the_composed_letter() {
        // и + combining breve is й; е + combining diaeresis is ё.
        assert_eq!(slug("Чаи\u{306}"), "chaj");
        assert_eq!(slug("е\u{308}ж"), "yozh");
    }

    #[test]
    fn stress_marks_and_soft_hyphens_do_not_split_words() {
        assert_eq!(slug("Эконо\u{301}мика"), "ekonomika");
        assert_eq!(slug("эконо\u{AD}мика"), "ekonomika");
    }

    #[test]
    fn apostrophes_are_dropped_inside_words() {
        assert_eq!(slug("М’ясо"), "myaso");
        assert_eq!(slug("Don't panic"), "dont-panic");
    }

    #[test]
    fn latin_diacritics_fold_to_ascii() {
        assert_eq!(slug("Café Ñandú"), "cafe-nandu");
        assert_eq!(slug("Straße Øresund Łódź"), "strasse-oresund-lodz");
        assert_eq!(slug("Ｆｕｌｌｗｉｄｔｈ ﬁle"), "fullwidth-file");
    }

    #[test]
    fn mixed_latin_and_cyrillic() {
        assert_eq!(slug("COVID-19 в Таджикистане"), "covid-19-v-tadzhikistane");
        assert_eq!(slug("IT-Парк"), "it-park");
    }

    #[test]
    fn quotes_and_punctuation_are_separators() {
        assert_eq!(slug("«Ховар» — новости!"), "xovar-novosti");
        assert_eq!(slug("  --a  b--  "), "a-b");
    }

    #[test]
    fn other_scripts_are_separators() {
        assert_eq!(slug("Душанбе 北京 Ελλάδα"), "dushanbe");
        assert_eq!(slug("北京"), "");
    }

    #[test]
    fn only_punctuation_gives_an_empty_slug() {
        assert_eq!(slug("«» & — !?"), "");
        assert_eq!(slug(""), "");
    }

    #[test]
    fn digits_pass_through() {
        assert_eq!(slug("2025"), "2025");
        assert_eq!(slug("G20 саммит 2025"), "g20-sammit-2025");
    }

    /// Tags shaped like the archive's: Cyrillic (Russian, Tajik, Kazakh), Latin with and
    /// without diacritics, digits, punctuation and other scripts.
    fn tag() -> impl Strategy<Value = String> {
        proptest::string::string_regex(
            "[а-яёА-ЯЁғӣқӯҳҷҒӢҚӮҲҶәңөұүһіїєґўa-zA-Z0-9éüßø «»&,.!?'’\u{301}\u{AD}北京-]{0,24}",
        )
        .expect("valid regex")
    }

    proptest! {
        #[test]
        fn output_is_lower_ascii_letters_digits_and_inner_single_dashes(s in tag()) {
            let out = slug(&s);
            prop_assert!(out.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{out:?}");
            prop_assert!(!out.starts_with('-') && !out.ends_with('-'), "{out:?}");
            prop_assert!(!out.contains("--"), "{out:?}");
        }

        #[test]
        fn any_string_gives_a_clean_slug(s in any::<String>()) {
            let out = slug(&s);
            prop_assert!(out.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{out:?}");
            prop_assert!(!out.starts_with('-') && !out.ends_with('-') && !out.contains("--"), "{out:?}");
        }

        #[test]
        fn slug_of_a_slug_is_itself(s in tag()) {
            let once = slug(&s);
            prop_assert_eq!(slug(&once), once);
        }

        #[test]
        fn cyrillic_letters_never_vanish(s in "[а-яА-ЯғқҳҷӣӯәңөұүһіїєґўЁё]{1,12}") {
            // Every Cyrillic letter but the two signs has a Latin spelling.
            let signs_only = s.chars().all(|c| matches!(c, 'ъ' | 'ь' | 'Ъ' | 'Ь'));
            prop_assert_eq!(slug(&s).is_empty(), signs_only);
        }
    }
}
