//! The facets of a story that feed sets filter on (city, agency, tags), as 64-bit keys.
//!
//! Every build holds the facets of the whole archive in memory and in the cache, and tests
//! them once per feed set: a fixed-size key per facet keeps that a comparison of integers
//! instead of a string per story. Each key is taken of the facet's normal form, so that the
//! spellings a reader would call the same (case, `ё`, quotes, a city's Russian, Tajik or English
//! name) give the same key, whether it comes from a story or from `wirefeed.toml`.

use std::cell::RefCell;
use std::collections::HashMap;

use super::cities::CityTable;

fn hash(text: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(text.as_bytes())
}

/// Most stories of an archive share a handful of cities and agencies, so each thread keeps the
/// keys of the spellings it has seen (by table, since the city table comes from the settings)
/// instead of folding the same few names a hundred thousand times. Bounded, since the names
/// come from the stories.
fn memo(table: u64, name: &str, key: impl FnOnce() -> u64) -> u64 {
    const MAX_NAMES: usize = 4096;
    type Keys = HashMap<Box<str>, u64>;
    thread_local! {
        static KEYS: RefCell<Vec<(u64, Keys)>> = const { RefCell::new(Vec::new()) };
    }
    KEYS.with(|tables| {
        let mut tables = tables.borrow_mut();
        let keys = match tables.iter().position(|(id, _)| *id == table) {
            Some(i) => &mut tables[i].1,
            None => {
                if tables.len() >= 8 {
                    tables.clear();
                }
                tables.push((table, Keys::new()));
                &mut tables.last_mut().expect("just pushed").1
            }
        };
        if let Some(k) = keys.get(name) {
            return *k;
        }
        let k = key();
        if keys.len() >= MAX_NAMES {
            keys.clear();
        }
        keys.insert(name.into(), k);
        k
    })
}

/// The key of a dateline city, the same for every spelling the city table knows.
pub fn city_key(table: &CityTable, city: &str) -> u64 {
    memo(table.id(), city, || hash(&table.canonical(city)))
}

/// The key of an agency's name: case, quotes and dashes do not matter (`НИАТ «Ховар»` is
/// `ниат ховар`).
pub fn agency_key(agency: &str) -> u64 {
    // 0: no city table has it, so agencies never mix with cities.
    memo(0, agency, || hash(&crate::related::normalize(agency)))
}

/// The key of a topic tag: case, quotes, dashes and runs of spaces do not matter.
pub fn tag_key(tag: &str) -> u64 {
    hash(&crate::related::normalize(tag))
}

/// Whether a story's language tag is one of the wanted ones: case-insensitive, and a primary
/// language (`en`) also takes its regional forms (`en-GB`).
pub fn language_matches(wanted: &str, tag: &str) -> bool {
    tag.eq_ignore_ascii_case(wanted)
        || (tag.len() > wanted.len()
            && tag.as_bytes()[wanted.len()] == b'-'
            && tag[..wanted.len()].eq_ignore_ascii_case(wanted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_share_a_key() {
        let t = CityTable::default();
        assert_eq!(city_key(&t, "Dushanbe"), city_key(&t, "ДУШАНБЕ"));
        assert_ne!(city_key(&t, "Dushanbe"), city_key(&t, "Худжанд"));
        assert_eq!(agency_key("НИАТ «Ховар»"), agency_key("ниат ховар"));
        assert_ne!(agency_key("Ховар"), agency_key("ТАСС"));
        assert_eq!(tag_key("Экономика"), tag_key(" экономика"));
    }

    #[test]
    fn languages_match_by_primary_tag() {
        assert!(language_matches("en", "en"));
        assert!(language_matches("EN", "en-GB"));
        assert!(!language_matches("en", "eng"));
        assert!(!language_matches("en-GB", "en"));
        assert!(!language_matches("ru", "tg"));
    }
}
