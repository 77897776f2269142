//! Related headlines: matching the headlines a story cites to the stories that carry them.
//!
//! Editors retype headlines, so a citation rarely matches byte for byte: quotes change style,
//! `ё` becomes `е`, dashes and spaces vary, a period is added. [`normalize`] folds all of that
//! away; [`title_key`] hashes the folded title so the whole archive's titles can be kept as
//! eight-byte keys instead of strings. Resolution searches the whole archive, not only the
//! stories in the feed, and when several stories share a headline it picks the one closest in
//! date to the citing story, preferring an older one on a tie (a story cites what came before).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, FixedOffset};
use unicode_normalization::UnicodeNormalization;

/// Folds a headline for comparison: Unicode NFKC, lower case, `ё`→`е`, quotes removed, dashes
/// and runs of whitespace turned into single spaces, surrounding punctuation trimmed.
///
/// ```
/// use wirefeed::related::normalize;
/// assert_eq!(
///     normalize("Обсуждена реализация проекта «Безопасный город» в Худжанде."),
///     normalize("обсуждена реализация проекта \"Безопасный  город\" в Худжанде"),
/// );
/// ```
pub fn normalize(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    // ASCII and Cyrillic letters are already NFKC: the common headline skips the normaliser,
    // which matters when every headline of a large archive is folded.
    if title.chars().all(|c| {
        c.is_ascii() || ('\u{400}'..'\u{500}').contains(&c) || QUOTES_AND_DASHES.contains(&c)
    }) {
        fold_into(title.chars(), &mut out);
    } else {
        fold_into(title.nfkc(), &mut out);
    }
    let kept = out
        .trim_end_matches(|c: char| c.is_whitespace() || ".,;:!?…".contains(c))
        .len();
    out.truncate(kept);
    out
}

/// Quotes (dropped) and dashes (turned into spaces) by [`normalize`]; all are NFKC-stable.
const QUOTES_AND_DASHES: &[char] = &[
    '«', '»', '“', '”', '„', '‟', '‘', '’', '‚', '‹', '›', '‐', '‑', '‒', '–', '—', '―', '−',
];

/// Lower case, with the two alphabets of the archive done by arithmetic; `char::to_lowercase`
/// (a table search per character) only for the rest.
fn lowercase(c: char) -> impl Iterator<Item = char> {
    let fast = match c {
        'A'..='Z' => Some(c.to_ascii_lowercase()),
        '\u{410}'..='\u{42F}' => char::from_u32(c as u32 + 0x20),
        '\u{400}'..='\u{40F}' => char::from_u32(c as u32 + 0x50),
        c if c.is_ascii() || ('\u{430}'..='\u{45F}').contains(&c) => Some(c),
        _ => None,
    };
    let slow = match fast {
        Some(_) => None,
        None => Some(c.to_lowercase()),
    };
    fast.into_iter().chain(slow.into_iter().flatten())
}

fn fold_into(chars: impl Iterator<Item = char>, out: &mut String) {
    let mut pending_space = false;
    for c in chars.flat_map(lowercase) {
        let c = match c {
            'ё' => 'е',
            '«' | '»' | '“' | '”' | '„' | '‟' | '"' | '\'' | '‘' | '’' | '‚' | '‹' | '›' | '`' => {
                continue
            }
            '-' | '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' => ' ',
            c => c,
        };
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
    }
}

/// A stable 64-bit key of a normalised headline (stable across runs and platforms, since it is
/// stored in the cache).
pub fn title_key(title: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(normalize(title).as_bytes())
}

/// What the index knows of one story of the archive.
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    /// Position of the story in the caller's list (sorted by id, which breaks ties).
    pub index: usize,
    /// Its publication time.
    pub date: DateTime<FixedOffset>,
}

/// Stories of the archive that carry one of a set of wanted headline keys.
#[derive(Debug, Default)]
pub struct RelatedIndex {
    by_key: HashMap<u64, Vec<Candidate>>,
}

impl RelatedIndex {
    /// Indexes the stories whose key is in `wanted`; `stories` yields (key, candidate).
    /// Indexing only the wanted keys keeps this cheap for archives of millions of stories.
    pub fn build(wanted: &HashSet<u64>, stories: impl Iterator<Item = (u64, Candidate)>) -> Self {
        let mut by_key: HashMap<u64, Vec<Candidate>> = HashMap::new();
        for (key, candidate) in stories {
            if wanted.contains(&key) {
                by_key.entry(key).or_default().push(candidate);
            }
        }
        RelatedIndex { by_key }
    }

    /// The story a headline refers to, as cited by the story at `citing` on `date`.
    pub fn resolve(&self, key: u64, citing: usize, date: DateTime<FixedOffset>) -> Option<usize> {
        self.by_key
            .get(&key)?
            .iter()
            .filter(|c| c.index != citing)
            .min_by_key(|c| {
                let delta = (c.date - date).num_seconds();
                (delta.unsigned_abs(), delta > 0, c.index)
            })
            .map(|c| c.index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_yo_dashes_case_and_trailing_period() {
        let a = normalize("Обсуждена реализация проекта «Безопасный город» в Худжанде");
        assert_eq!(
            a,
            normalize("обсуждена реализация проекта \"Безопасный  город\" в Худжанде.")
        );
        assert_eq!(
            a,
            normalize("Обсуждена реализация проекта “Безопасный город” в Худжанде…")
        );
        assert_eq!(normalize("Всё — ясно"), normalize("Все - ясно"));
        assert_eq!(
            normalize("государств — членов"),
            normalize("государств-членов")
        );
    }

    #[test]
    fn non_breaking_and_full_width_spaces() {
        assert_eq!(normalize("День\u{a0}энергетика"), "день энергетика");
        assert_eq!(normalize("  День \t энергетика  "), "день энергетика");
    }

    #[test]
    fn fast_lowercase_agrees_with_unicode() {
        for c in ('\u{0}'..='\u{52F}').chain(['ӯ', 'Ӯ', 'Ғ', 'Ҳ', 'Ҷ', 'Қ', 'Ӣ', 'İ', 'Σ'])
        {
            let fast: String = lowercase(c).collect();
            assert_eq!(fast, c.to_lowercase().collect::<String>(), "{c:?}");
        }
    }

    #[test]
    fn different_words_differ() {
        assert_ne!(title_key("День энергетика"), title_key("День учителя"));
    }

    fn at(day: u32) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(&format!("2025-06-{day:02}T00:00:00+05:00")).unwrap()
    }

    fn index(dates: &[u32]) -> RelatedIndex {
        let wanted = HashSet::from([7]);
        let cands = dates.iter().enumerate().map(|(i, d)| {
            (
                7u64,
                Candidate {
                    index: i,
                    date: at(*d),
                },
            )
        });
        RelatedIndex::build(&wanted, cands)
    }

    #[test]
    fn closest_in_date_wins() {
        let idx = index(&[1, 10, 20]);
        assert_eq!(idx.resolve(7, 99, at(12)), Some(1));
        assert_eq!(idx.resolve(7, 99, at(19)), Some(2));
    }

    #[test]
    fn older_wins_a_tie() {
        let idx = index(&[8, 12]);
        assert_eq!(idx.resolve(7, 99, at(10)), Some(0));
    }

    #[test]
    fn a_story_never_relates_to_itself() {
        let idx = index(&[10]);
        assert_eq!(idx.resolve(7, 0, at(10)), None);
    }

    #[test]
    fn unknown_key_is_unresolved() {
        assert_eq!(index(&[1]).resolve(8, 99, at(1)), None);
    }
}
