//! The dateline that opens a wire story: `ДУШАНБЕ, 18.06.2025 /НИАТ «Ховар»/.`
//!
//! Grammar: `CITY, DATE [TIME] /AGENCY/.` followed by the lead's text. The date is written in
//! several ways across the archive (numeric, ISO, Russian genitive and Tajik month names,
//! English); all are parsed into a calendar date here, and the city's zone later turns it into a
//! timestamp. Hand-written because no date crate reads Russian or Tajik month names, and
//! `chrono`'s format strings cannot express the optional `г.`/`года`/`соли` words.

use chrono::{NaiveDate, NaiveTime};
use serde::Serialize;

use super::ArticleErrorKind;

/// The parts of a dateline; they become fields of the article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dateline {
    /// The city as written (`ДУШАНБЕ`).
    pub city: String,
    /// The calendar date, local to the city.
    pub date: NaiveDate,
    /// The time of day, when the dateline gives one.
    pub time: Option<NaiveTime>,
    /// The agency between the slashes (`НИАТ «Ховар»`).
    pub agency: String,
    /// Byte length of the dateline in its line (so the lead's own text starts after it).
    pub len: usize,
}

/// Earliest and latest years accepted in a dateline; anything else is a typo.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

/// Month names, lower case, in Russian (genitive and nominative), Tajik and English.
const MONTHS: &[(&str, u32)] = &[
    ("января", 1),
    ("январь", 1),
    ("январ", 1),
    ("январи", 1),
    ("january", 1),
    ("jan", 1),
    ("февраля", 2),
    ("февраль", 2),
    ("феврал", 2),
    ("феврали", 2),
    ("february", 2),
    ("feb", 2),
    ("марта", 3),
    ("март", 3),
    ("марти", 3),
    ("march", 3),
    ("mar", 3),
    ("апреля", 4),
    ("апрель", 4),
    ("апрел", 4),
    ("апрели", 4),
    ("april", 4),
    ("apr", 4),
    ("мая", 5),
    ("май", 5),
    ("майи", 5),
    ("may", 5),
    ("июня", 6),
    ("июнь", 6),
    ("июн", 6),
    ("июни", 6),
    ("june", 6),
    ("jun", 6),
    ("июля", 7),
    ("июль", 7),
    ("июл", 7),
    ("июли", 7),
    ("july", 7),
    ("jul", 7),
    ("августа", 8),
    ("август", 8),
    ("августи", 8),
    ("august", 8),
    ("aug", 8),
    ("сентября", 9),
    ("сентябрь", 9),
    ("сентябр", 9),
    ("сентябри", 9),
    ("september", 9),
    ("sep", 9),
    ("sept", 9),
    ("октября", 10),
    ("октябрь", 10),
    ("октябр", 10),
    ("октябри", 10),
    ("october", 10),
    ("oct", 10),
    ("ноября", 11),
    ("ноябрь", 11),
    ("ноябр", 11),
    ("ноябри", 11),
    ("november", 11),
    ("nov", 11),
    ("декабря", 12),
    ("декабрь", 12),
    ("декабр", 12),
    ("декабри", 12),
    ("december", 12),
    ("dec", 12),
];

/// Words that may follow or precede the year: Russian `г.`/`года`, Tajik `соли`/`с.`.
const YEAR_WORDS: &[&str] = &["г", "г.", "года", "год", "соли", "с.", "year"];

/// Whether a line looks like it opens with a dateline (used to spot a missing headline).
pub fn looks_like_dateline(line: &str) -> bool {
    parse(line).is_ok()
}

/// Parses the dateline at the start of `line`.
pub fn parse(line: &str) -> Result<Dateline, ArticleErrorKind> {
    let bad = |problem: &str| ArticleErrorKind::BadDateline {
        found: excerpt(line),
        problem: problem.to_string(),
    };
    let comma = line
        .find(',')
        .ok_or_else(|| bad("no comma after the city"))?;
    let city = line[..comma].trim();
    if city.is_empty() {
        return Err(bad("the city is missing before the comma"));
    }
    if city.chars().count() > 40 || city.chars().any(|c| c.is_ascii_digit() || c == '/') {
        return Err(bad("the text before the first comma is not a city"));
    }
    let rest = &line[comma + 1..];
    let open = rest
        .find('/')
        .ok_or_else(|| bad("no `/AGENCY/` after the date"))?;
    let when = rest[..open].trim();
    let after_open = &rest[open + 1..];
    let close = after_open
        .find('/')
        .ok_or_else(|| bad("the agency is not closed with `/`"))?;
    let agency = after_open[..close].trim();
    if agency.is_empty() {
        return Err(bad("the agency between the slashes is empty"));
    }
    let mut end = comma + 1 + open + 1 + close + 1;
    if line[end..].starts_with('.') {
        end += 1;
    }
    if when.is_empty() {
        return Err(bad("the date is missing between the city and the agency"));
    }
    let (date, time) = parse_when(when)?;
    Ok(Dateline {
        city: city.to_string(),
        date,
        time,
        agency: agency.to_string(),
        len: end,
    })
}

/// The 1-based column (in characters) of what a dateline error is about: the date as written
/// for a bad date, else the start of the line.
pub fn column_of(line: &str, error: &ArticleErrorKind) -> usize {
    match error {
        ArticleErrorKind::BadDate { found, .. } => line
            .find(found.as_str())
            .map_or(1, |byte| line[..byte].chars().count() + 1),
        _ => 1,
    }
}

fn excerpt(line: &str) -> String {
    let mut s: String = line.chars().take(60).collect();
    if s.len() < line.len() {
        s.push('…');
    }
    s
}

/// Parses `DATE [TIME]`.
fn parse_when(when: &str) -> Result<(NaiveDate, Option<NaiveTime>), ArticleErrorKind> {
    let mut words: Vec<&str> = when.split_whitespace().collect();
    let mut time = None;
    if let Some(last) = words.last() {
        if let Some(t) = parse_time(last) {
            time = Some(t?);
            words.pop();
        }
    }
    let date = parse_date(&words, when)?;
    Ok((date, time))
}

/// `Some(Ok)` for a valid `HH:MM`, `Some(Err)` for a time-shaped word that is not a time.
fn parse_time(word: &str) -> Option<Result<NaiveTime, ArticleErrorKind>> {
    let (h, m) = word.split_once(':')?;
    if h.is_empty() || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m) = (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?);
    Some(
        NaiveTime::from_hms_opt(h, m, 0).ok_or_else(|| ArticleErrorKind::BadDate {
            found: word.to_string(),
            problem: "is not a time of day (expected HH:MM from 00:00 to 23:59)".to_string(),
        }),
    )
}

fn parse_date(words: &[&str], written: &str) -> Result<NaiveDate, ArticleErrorKind> {
    let unknown = || {
        ArticleErrorKind::BadDate {
        found: written.to_string(),
        problem: "is not a date wirefeed reads; write it as 18.06.2025, 2025-06-18, 18 июня 2025, June 18, 2025 or 18 June 2025".to_string(),
    }
    };
    let words: Vec<String> = words
        .iter()
        .map(|w| w.trim_end_matches(',').to_lowercase())
        .filter(|w| !YEAR_WORDS.contains(&w.as_str()))
        .collect();
    let (y, m, d) = match words.as_slice() {
        [one] => numeric_date(one).ok_or_else(unknown)?,
        [a, b, c] => {
            if let (Some(d), Some(m), Some(y)) = (number(a), month(b), number(c)) {
                (y, m, d) // 18 июня 2025, 18 June 2025
            } else if let (Some(m), Some(d), Some(y)) = (month(a), number(b), number(c)) {
                (y, m, d) // June 18, 2025
            } else {
                return Err(unknown());
            }
        }
        _ => return Err(unknown()),
    };
    let year = i32::try_from(y).map_err(|_| unknown())?;
    if !YEARS.contains(&year) {
        return Err(ArticleErrorKind::BadDate {
            found: written.to_string(),
            problem: format!(
                "is out of range: the year must be between {} and {}",
                YEARS.start(),
                YEARS.end()
            ),
        });
    }
    NaiveDate::from_ymd_opt(year, m, d).ok_or_else(|| ArticleErrorKind::BadDate {
        found: written.to_string(),
        problem: format!("does not exist (there is no day {d} in month {m} of {year})"),
    })
}

/// `18.06.2025` or `2025-06-18` as (year, month, day); month is range-checked by the caller.
fn numeric_date(word: &str) -> Option<(u32, u32, u32)> {
    let parts: Vec<&str> = word.split(['.', '-', '/']).collect();
    let nums: Vec<u32> = parts.iter().map(|p| number(p)).collect::<Option<_>>()?;
    match (parts.as_slice(), nums.as_slice()) {
        ([_, _, y], [d, m, yv]) if y.len() == 4 && word.contains('.') => Some((*yv, *m, *d)),
        ([y, _, _], [yv, m, d]) if y.len() == 4 && word.contains('-') => Some((*yv, *m, *d)),
        _ => None,
    }
}

fn number(word: &str) -> Option<u32> {
    if word.is_empty() || word.len() > 4 || !word.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    word.parse().ok()
}

fn month(word: &str) -> Option<u32> {
    let word = word.trim_end_matches('.');
    MONTHS
        .iter()
        .find(|(name, _)| *name == word)
        .map(|(_, m)| *m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn seed_dateline() {
        let line = "ДУШАНБЕ, 18.06.2025 /НИАТ «Ховар»/. 17 июня в городе Карамай";
        let d = parse(line).unwrap();
        assert_eq!(d.city, "ДУШАНБЕ");
        assert_eq!(d.date, date(2025, 6, 18));
        assert_eq!(d.time, None);
        assert_eq!(d.agency, "НИАТ «Ховар»");
        assert_eq!(&line[d.len..], " 17 июня в городе Карамай");
    }

    #[test]
    fn dateline_with_time() {
        let d = parse("ДУШАНБЕ, 10.06.2025 14:30 /НИАТ «Ховар»/. Текст").unwrap();
        assert_eq!(d.time, NaiveTime::from_hms_opt(14, 30, 0));
    }

    #[test]
    fn dateline_with_russian_month_name() {
        for w in [
            "5 июня 2025",
            "5 июня 2025 г.",
            "5 июня 2025 года",
            "5 Июня 2025г",
        ] {
            let line = format!("ХУДЖАНД, {w} /НИАТ «Ховар»/. Текст");
            let got = parse(&line).map(|d| d.date);
            if w.ends_with("2025г") {
                assert!(got.is_err(), "glued year word is not accepted: {w}");
            } else {
                assert_eq!(got.unwrap(), date(2025, 6, 5), "{w}");
            }
        }
    }

    #[test]
    fn dateline_with_tajik_month_name() {
        let d = parse("ДУШАНБЕ, 18 июни соли 2025 /АМИТ «Ховар»/. Матн").unwrap();
        assert_eq!(d.date, date(2025, 6, 18));
    }

    #[test]
    fn dateline_in_english() {
        for w in ["June 18, 2025", "18 June 2025", "Jun 18, 2025"] {
            let line = format!("DUSHANBE, {w} /NIAT \"Khovar\"/. Text");
            assert_eq!(parse(&line).unwrap().date, date(2025, 6, 18), "{w}");
        }
    }

    #[test]
    fn dateline_iso_with_straight_quotes() {
        let d = parse("БОХТАР, 2025-06-03 /НИАТ \"Ховар\"/. Текст").unwrap();
        assert_eq!(d.date, date(2025, 6, 3));
        assert_eq!(d.agency, "НИАТ \"Ховар\"");
    }

    #[test]
    fn date_that_does_not_exist() {
        let err = parse("ДУШАНБЕ, 31.02.2025 /НИАТ «Ховар»/. Текст").unwrap_err();
        assert!(matches!(err, ArticleErrorKind::BadDate { .. }), "{err:?}");
        assert!(err.to_string().contains("does not exist"));
    }

    #[test]
    fn date_out_of_range() {
        let err = parse("ДУШАНБЕ, 18.06.1025 /НИАТ «Ховар»/. Текст").unwrap_err();
        assert!(err.to_string().contains("out of range"), "{err}");
    }

    #[test]
    fn time_out_of_range() {
        let err = parse("ДУШАНБЕ, 18.06.2025 25:10 /НИАТ «Ховар»/. Текст").unwrap_err();
        assert!(err.to_string().contains("time of day"), "{err}");
    }

    #[test]
    fn plain_paragraph_is_not_a_dateline() {
        assert!(parse("Как сообщили НИАТ «Ховар» в Секретариате ШОС, в преддверие").is_err());
        assert!(!looks_like_dateline("Просто текст без даты"));
    }

    #[test]
    fn missing_agency() {
        let err = parse("ДУШАНБЕ, 18.06.2025. Текст").unwrap_err();
        assert!(err.to_string().contains("AGENCY"), "{err}");
    }
}
