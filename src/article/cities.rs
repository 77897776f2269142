//! Dateline cities and their time zones.
//!
//! A dateline says `ДУШАНБЕ, 18.06.2025`: the date is local to the city, so the city decides the
//! UTC offset of every timestamp we publish. The table covers the region the agency reports from,
//! each city under its Russian, Tajik and English spellings; `wirefeed.toml` adds or overrides
//! cities under `[cities]`.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono_tz::Tz;

/// Built-in cities: spellings (Russian, Tajik, English) and the IANA zone.
const CITIES: &[(&[&str], Tz)] = &[
    (&["ДУШАНБЕ", "DUSHANBE"], Tz::Asia__Dushanbe),
    (
        &["ХУДЖАНД", "ХУҶАНД", "KHUJAND", "KHUDZHAND"],
        Tz::Asia__Dushanbe,
    ),
    (&["БОХТАР", "BOKHTAR", "BOHTAR"], Tz::Asia__Dushanbe),
    (
        &["КУЛЯБ", "КӮЛОБ", "КУЛОБ", "KULOB", "KULYAB"],
        Tz::Asia__Dushanbe,
    ),
    (
        &["ТУРСУНЗАДЕ", "ТУРСУНЗОДА", "TURSUNZODA", "TURSUNZADE"],
        Tz::Asia__Dushanbe,
    ),
    (&["ИСТАРАВШАН", "ISTARAVSHAN"], Tz::Asia__Dushanbe),
    (
        &["ПЕНДЖИКЕНТ", "ПАНҶАКЕНТ", "PANJAKENT", "PENJIKENT"],
        Tz::Asia__Dushanbe,
    ),
    (&["ХОРОГ", "ХОРУҒ", "KHOROG", "KHORUGH"], Tz::Asia__Dushanbe),
    (&["ВАХДАТ", "ВАҲДАТ", "VAHDAT"], Tz::Asia__Dushanbe),
    (&["ГИССАР", "ҲИСОР", "HISOR", "HISSAR"], Tz::Asia__Dushanbe),
    (&["ИСФАРА", "ISFARA"], Tz::Asia__Dushanbe),
    (&["КАНИБАДАМ", "КОНИБОДОМ", "KONIBODOM"], Tz::Asia__Dushanbe),
    (&["ТАШКЕНТ", "ТОШКАНД", "TASHKENT"], Tz::Asia__Tashkent),
    (
        &["САМАРКАНД", "САМАРҚАНД", "SAMARKAND"],
        Tz::Asia__Samarkand,
    ),
    (&["БИШКЕК", "BISHKEK"], Tz::Asia__Bishkek),
    (&["ОШ", "OSH"], Tz::Asia__Bishkek),
    (&["АЛМАТЫ", "АЛМААТО", "ALMATY"], Tz::Asia__Almaty),
    (&["АСТАНА", "ОСТОНА", "ASTANA"], Tz::Asia__Almaty),
    (&["АКТАУ", "ОҚТОВ", "AKTAU", "AQTAU"], Tz::Asia__Aqtau),
    (&["АШХАБАД", "АШҚОБОД", "ASHGABAT"], Tz::Asia__Ashgabat),
    (&["КАБУЛ", "КОБУЛ", "KABUL"], Tz::Asia__Kabul),
    (&["ТЕГЕРАН", "ТЕҲРОН", "TEHRAN"], Tz::Asia__Tehran),
    (&["МОСКВА", "МАСКАВ", "MOSCOW"], Tz::Europe__Moscow),
    (&["ПЕКИН", "BEIJING"], Tz::Asia__Shanghai),
    (&["ШАНХАЙ", "SHANGHAI"], Tz::Asia__Shanghai),
    (&["УРУМЧИ", "УРУМҶИ", "URUMQI"], Tz::Asia__Urumqi),
    (&["КАРАМАЙ", "KARAMAY"], Tz::Asia__Urumqi),
    (
        &["НЬЮ-ДЕЛИ", "ДЕҲЛИИ НАВ", "NEW DELHI", "ДЕЛИ", "DELHI"],
        Tz::Asia__Kolkata,
    ),
    (&["ИСЛАМАБАД", "ИСЛОМОБОД", "ISLAMABAD"], Tz::Asia__Karachi),
    (&["ТОКИО", "TOKYO"], Tz::Asia__Tokyo),
    (&["СЕУЛ", "SEOUL"], Tz::Asia__Seoul),
    (&["БРЮССЕЛЬ", "БРЮССЕЛ", "BRUSSELS"], Tz::Europe__Brussels),
    (&["ВАШИНГТОН", "WASHINGTON"], Tz::America__New_York),
    (&["НЬЮ-ЙОРК", "NEW YORK"], Tz::America__New_York),
    (&["ЖЕНЕВА", "ЖЕНЕВ", "GENEVA"], Tz::Europe__Zurich),
    (&["ЛОНДОН", "LONDON"], Tz::Europe__London),
    (&["ПАРИЖ", "ПАРИЖ", "PARIS"], Tz::Europe__Paris),
    (&["БЕРЛИН", "BERLIN"], Tz::Europe__Berlin),
    (&["ВЕНА", "VIENNA"], Tz::Europe__Vienna),
    (&["АНКАРА", "ANKARA"], Tz::Europe__Istanbul),
    (&["СТАМБУЛ", "ИСТАНБУЛ", "ISTANBUL"], Tz::Europe__Istanbul),
    (&["БАКУ", "BAKU"], Tz::Asia__Baku),
    (&["МИНСК", "MINSK"], Tz::Europe__Minsk),
    (&["ДОХА", "DOHA"], Tz::Asia__Qatar),
    (&["ДУБАЙ", "DUBAI"], Tz::Asia__Dubai),
    (&["ЭР-РИЯД", "RIYADH"], Tz::Asia__Riyadh),
];

/// Normalises a city name for lookup: case, `ё`, dashes and runs of spaces do not matter.
pub fn city_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    for word in name.split_whitespace() {
        if !key.is_empty() {
            key.push(' ');
        }
        for c in word.chars() {
            match c {
                'ё' | 'Ё' => key.push('Е'),
                '‐' | '‑' | '–' | '—' => key.push('-'),
                c => key.extend(c.to_uppercase()),
            }
        }
    }
    key
}

/// Each built-in spelling's key → the key of its group's first spelling, so that every
/// spelling of a city names the same city.
fn canonical_names() -> &'static HashMap<String, String> {
    static TABLE: OnceLock<HashMap<String, String>> = OnceLock::new();
    TABLE.get_or_init(|| {
        CITIES
            .iter()
            .flat_map(|(names, _)| {
                let first = city_key(names[0]);
                names.iter().map(move |n| (city_key(n), first.clone()))
            })
            .collect()
    })
}

fn builtin() -> &'static HashMap<String, Tz> {
    static TABLE: OnceLock<HashMap<String, Tz>> = OnceLock::new();
    TABLE.get_or_init(|| {
        CITIES
            .iter()
            .flat_map(|(names, tz)| names.iter().map(move |n| (city_key(n), *tz)))
            .collect()
    })
}

/// The city table: the built-in cities plus the ones from the configuration.
#[derive(Debug, Clone)]
pub struct CityTable {
    overrides: HashMap<String, Tz>,
    /// Tells tables apart (never 0), for memos of lookups; a clone is the same table.
    id: u64,
}

impl Default for CityTable {
    fn default() -> Self {
        CityTable::new([])
    }
}

impl CityTable {
    /// A table with extra or overriding cities (names in any spelling or case).
    pub fn new<'a>(extra: impl IntoIterator<Item = (&'a str, Tz)>) -> Self {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        CityTable {
            overrides: extra.into_iter().map(|(n, tz)| (city_key(n), tz)).collect(),
            id: NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// This table's identity among the tables of the process.
    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// The city's name as one key for all its spellings: the built-in table's first spelling
    /// for a city it knows (`Dushanbe`, `душанбе` → `ДУШАНБЕ`), else the name's own key.
    pub fn canonical(&self, city: &str) -> String {
        let key = city_key(city);
        canonical_names().get(&key).cloned().unwrap_or(key)
    }

    /// The zone of a city, or `None` when the city is unknown.
    pub fn zone(&self, city: &str) -> Option<Tz> {
        let key = city_key(city);
        self.overrides
            .get(&key)
            .or_else(|| builtin().get(&key))
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dushanbe_in_every_spelling() {
        let t = CityTable::default();
        for name in ["ДУШАНБЕ", "Душанбе", "Dushanbe", "  душанбе "] {
            assert_eq!(t.zone(name), Some(Tz::Asia__Dushanbe), "{name}");
        }
    }

    #[test]
    fn tajik_spelling_with_tajik_letters() {
        let t = CityTable::default();
        assert_eq!(t.zone("Хуҷанд"), Some(Tz::Asia__Dushanbe));
        assert_eq!(t.zone("Кӯлоб"), Some(Tz::Asia__Dushanbe));
    }

    #[test]
    fn beijing_is_china_standard_time() {
        assert_eq!(CityTable::default().zone("Пекин"), Some(Tz::Asia__Shanghai));
    }

    #[test]
    fn dash_variants_match() {
        assert_eq!(
            CityTable::default().zone("НЬЮ—ДЕЛИ"),
            Some(Tz::Asia__Kolkata)
        );
    }

    #[test]
    fn config_overrides_builtin() {
        let t = CityTable::new([("Душанбе", Tz::UTC), ("ПЕНДЖИКЕНТ", Tz::Asia__Samarkand)]);
        assert_eq!(t.zone("ДУШАНБЕ"), Some(Tz::UTC));
        assert_eq!(t.zone("пенджикент"), Some(Tz::Asia__Samarkand));
    }

    #[test]
    fn every_spelling_has_one_canonical_name() {
        let t = CityTable::default();
        for name in ["Худжанд", "ХУҶАНД", "khujand", "Khudzhand"] {
            assert_eq!(t.canonical(name), "ХУДЖАНД", "{name}");
        }
        assert_eq!(t.canonical("атлантида"), "АТЛАНТИДА");
    }

    #[test]
    fn unknown_city_is_none() {
        assert_eq!(CityTable::default().zone("АТЛАНТИДА"), None);
    }
}
