//! The facets of a story that feed sets filter on (city, agency, tags), as 64-bit keys.
//!
//! Every build holds the facets of the whole archive in memory and in the cache, and tests
//! them once per feed set: a fixed-size key per facet keeps that a comparison of integers
//! instead of a string per story. Each key is taken of the facet's normal form, so that the
//! spellings a reader would call the same (case, `ё`, quotes, a city's Russian, Tajik or English
//! name) give the same key, whether it comes from a story or from `wirefeed.toml`.

use super::cities::CityTable;

fn hash(text: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(text.as_bytes())
}

/// The key of a dateline city, the same for every spelling the city table knows.
pub fn city_key(table: &CityTable, city: &str) -> u64 {
    hash(&table.canonical(city))
}

/// The key of an agency's name: case, quotes and dashes do not matter (`НИАТ «Ховар»` is
/// `ниат ховар`).
pub fn agency_key(agency: &str) -> u64 {
    hash(&crate::related::normalize(agency))
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
