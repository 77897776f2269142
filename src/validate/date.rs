//! RFC 822 (RSS) and RFC 3339 (Atom) date parsing.
//!
//! Hand-written rather than delegated to chrono's lenient parsers because the
//! validator must distinguish *why* a date is wrong (bad shape vs. a day name
//! that contradicts the date) and must reject forms the specs forbid, such as
//! lowercase `t`/`z` in Atom dates, which chrono accepts.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, TimeZone};

/// Why an RFC 822 date was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rfc822Error {
    /// The text is not an RFC 822 date-time (message says which part).
    Format(String),
    /// Well-formed, but the day name is not the weekday of the date.
    DayName {
        /// Day name written in the document.
        found: String,
        /// Day name the date actually falls on.
        expected: &'static str,
    },
}

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Offset in seconds east of UTC for an RFC 822 zone, `None` if invalid.
fn zone_offset(z: &str) -> Option<i32> {
    let named = match z {
        "UT" | "GMT" | "Z" => Some(0),
        "EST" => Some(-5),
        "EDT" => Some(-4),
        "CST" => Some(-6),
        "CDT" => Some(-5),
        "MST" => Some(-7),
        "MDT" => Some(-6),
        "PST" => Some(-8),
        "PDT" => Some(-7),
        _ => None,
    };
    if let Some(h) = named {
        return Some(h * 3600);
    }
    let b = z.as_bytes();
    // RFC 822 military zones (A-I, K-Z minus J); their sign convention was
    // botched in the RFC, so RFC 1123 says to treat them as +0000.
    if b.len() == 1 && b[0].is_ascii_uppercase() && b[0] != b'J' {
        return Some(0);
    }
    if b.len() == 5 && (b[0] == b'+' || b[0] == b'-') && all_digits(&z[1..]) {
        let h: i32 = z[1..3].parse().ok()?;
        let m: i32 = z[3..5].parse().ok()?;
        if h > 23 || m > 59 {
            return None;
        }
        let secs = h * 3600 + m * 60;
        return Some(if b[0] == b'-' { -secs } else { secs });
    }
    None
}

/// Parses an RFC 822 date-time as RSS 2.0 uses it (2- or 4-digit years,
/// optional seconds, optional day name which must then match the date).
pub fn parse_rfc822(input: &str) -> Result<DateTime<FixedOffset>, Rfc822Error> {
    let fmt = |m: &str| Rfc822Error::Format(m.to_string());
    let s = input.trim();
    let (day_name, rest) = match s.split_once(',') {
        Some((d, r)) => (Some(d.trim()), r.trim()),
        None => (None, s),
    };
    if let Some(d) = day_name {
        if !DAYS.contains(&d) {
            return Err(Rfc822Error::Format(format!(
                "'{d}' is not an RFC 822 day name (Mon, Tue, ... Sun)"
            )));
        }
    }
    let parts: Vec<&str> = rest.split_whitespace().collect();
    if parts.len() != 5 {
        return Err(fmt("expected 'Day, DD Mon YYYY HH:MM:SS zone'"));
    }
    let (dd, mon, yy, time, zone) = (parts[0], parts[1], parts[2], parts[3], parts[4]);
    if !all_digits(dd) || dd.len() > 2 {
        return Err(Rfc822Error::Format(format!("'{dd}' is not a day of month")));
    }
    let day: u32 = dd.parse().map_err(|_| fmt("bad day"))?;
    let month = MONTHS
        .iter()
        .position(|m| *m == mon)
        .ok_or_else(|| Rfc822Error::Format(format!("'{mon}' is not a month name (Jan ... Dec)")))?;
    if !all_digits(yy) || !(yy.len() == 2 || yy.len() == 4) {
        return Err(Rfc822Error::Format(format!(
            "'{yy}' is not a 2- or 4-digit year"
        )));
    }
    let mut year: i32 = yy.parse().map_err(|_| fmt("bad year"))?;
    if yy.len() == 2 {
        year += if year < 50 { 2000 } else { 1900 };
    }
    let tparts: Vec<&str> = time.split(':').collect();
    if !(tparts.len() == 2 || tparts.len() == 3)
        || tparts.iter().any(|p| p.len() != 2 || !all_digits(p))
    {
        return Err(Rfc822Error::Format(format!("'{time}' is not HH:MM[:SS]")));
    }
    let num = |i: usize| -> u32 { tparts.get(i).and_then(|p| p.parse().ok()).unwrap_or(0) };
    let t = NaiveTime::from_hms_opt(num(0), num(1), num(2))
        .ok_or_else(|| Rfc822Error::Format(format!("'{time}' is not a valid time of day")))?;
    let date = NaiveDate::from_ymd_opt(year, month as u32 + 1, day)
        .ok_or_else(|| Rfc822Error::Format(format!("{dd} {mon} {yy} is not a calendar date")))?;
    let off = zone_offset(zone).ok_or_else(|| {
        Rfc822Error::Format(format!(
            "'{zone}' is not an RFC 822 zone (GMT, UT, EST... or +HHMM)"
        ))
    })?;
    let tz = FixedOffset::east_opt(off).ok_or_else(|| fmt("bad zone"))?;
    let dt = tz
        .from_local_datetime(&date.and_time(t))
        .single()
        .ok_or_else(|| fmt("unrepresentable date"))?;
    if let Some(d) = day_name {
        let expected = DAYS[date.weekday().num_days_from_monday() as usize];
        if d != expected {
            return Err(Rfc822Error::DayName {
                found: d.to_string(),
                expected,
            });
        }
    }
    Ok(dt)
}

fn digits_at(b: &[u8], start: usize, len: usize) -> Option<u32> {
    let s = b.get(start..start + len)?;
    if !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s.iter().fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0')))
}

/// Parses an RFC 3339 `date-time` as RFC 4287 §3.3 restricts it (uppercase
/// `T` and `Z`, seconds required, optional fraction). Returns a message
/// describing the problem on failure.
pub fn parse_rfc3339(input: &str) -> Result<DateTime<FixedOffset>, String> {
    let s = input.trim();
    let b = s.as_bytes();
    let bad = || format!("'{s}' is not an RFC 3339 date-time (e.g. 2024-05-01T12:00:00Z)");
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return Err(bad());
    }
    let year = digits_at(b, 0, 4).ok_or_else(bad)?;
    let month = digits_at(b, 5, 2).ok_or_else(bad)?;
    let day = digits_at(b, 8, 2).ok_or_else(bad)?;
    let hour = digits_at(b, 11, 2).ok_or_else(bad)?;
    let min = digits_at(b, 14, 2).ok_or_else(bad)?;
    let sec = digits_at(b, 17, 2).ok_or_else(bad)?;
    let mut i = 19;
    let mut nanos = 0u32;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            if i - start < 9 {
                nanos = nanos * 10 + u32::from(b[i] - b'0');
            }
            i += 1;
        }
        if i == start {
            return Err(bad());
        }
        for _ in (i - start).min(9)..9 {
            nanos *= 10;
        }
    }
    let offset = match b.get(i..) {
        Some([b'Z']) => 0,
        Some([sign @ (b'+' | b'-'), _, _, b':', _, _]) => {
            let h = digits_at(b, i + 1, 2).ok_or_else(bad)?;
            let m = digits_at(b, i + 4, 2).ok_or_else(bad)?;
            if h > 23 || m > 59 {
                return Err(bad());
            }
            let secs = (h * 3600 + m * 60) as i32;
            if *sign == b'-' {
                -secs
            } else {
                secs
            }
        }
        _ => return Err(bad()),
    };
    let date = NaiveDate::from_ymd_opt(year as i32, month, day)
        .ok_or_else(|| format!("'{s}' is not a calendar date"))?;
    // A leap second (sec 60) is legal in RFC 3339; chrono models it as nanos.
    let time = if sec == 60 {
        NaiveTime::from_hms_nano_opt(hour, min, 59, 1_000_000_000 + nanos.min(999_999_999))
    } else {
        NaiveTime::from_hms_nano_opt(hour, min, sec, nanos)
    }
    .ok_or_else(|| format!("'{s}' is not a valid time of day"))?;
    let tz = FixedOffset::east_opt(offset).ok_or_else(bad)?;
    tz.from_local_datetime(&date.and_time(time))
        .single()
        .ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc822_numeric_zone() {
        let d = parse_rfc822("Wed, 01 May 2024 12:30:00 +0200").expect("valid");
        assert_eq!(d.to_rfc3339(), "2024-05-01T12:30:00+02:00");
    }

    #[test]
    fn rfc822_named_zones_and_no_seconds() {
        assert!(parse_rfc822("Wed, 01 May 2024 12:30:00 GMT").is_ok());
        assert_eq!(
            parse_rfc822("01 May 2024 12:30 EST")
                .expect("valid")
                .offset()
                .local_minus_utc(),
            -5 * 3600
        );
        assert!(parse_rfc822("Wed, 1 May 24 12:30:00 PDT").is_ok());
        assert!(parse_rfc822("Wed, 01 May 2024 12:30:00 Z").is_ok());
    }

    #[test]
    fn rfc822_wrong_day_name() {
        assert_eq!(
            parse_rfc822("Mon, 01 May 2024 12:30:00 GMT"),
            Err(Rfc822Error::DayName {
                found: "Mon".into(),
                expected: "Wed"
            })
        );
    }

    #[test]
    fn rfc822_rejects_bad_shapes() {
        for bad in [
            "",
            "2024-05-01T12:00:00Z",
            "Wed, 01 May 2024 12:30:00",
            "Wed, 01 May 2024 12:30:00 CEST",
            "Wed, 32 May 2024 12:30:00 GMT",
            "Wed, 01 Mai 2024 12:30:00 GMT",
            "Wednesday, 01 May 2024 12:30:00 GMT",
            "Wed, 01 May 2024 25:30:00 GMT",
            "Wed, 01 May 2024 12:30:00 +2400",
        ] {
            assert!(
                matches!(parse_rfc822(bad), Err(Rfc822Error::Format(_))),
                "{bad:?} should be a format error"
            );
        }
    }

    #[test]
    fn rfc3339_variants() {
        assert!(parse_rfc3339("2024-05-01T12:00:00Z").is_ok());
        assert!(parse_rfc3339("2024-05-01T12:00:00.123456Z").is_ok());
        assert!(parse_rfc3339("2024-05-01T12:00:00+02:00").is_ok());
        assert!(parse_rfc3339("2024-05-01T12:00:00-05:30").is_ok());
        assert!(parse_rfc3339("2016-12-31T23:59:60Z").is_ok());
        assert_eq!(
            parse_rfc3339("2024-05-01T12:00:00+02:00")
                .expect("valid")
                .timestamp(),
            parse_rfc3339("2024-05-01T10:00:00Z")
                .expect("valid")
                .timestamp()
        );
    }

    #[test]
    fn rfc3339_rejects() {
        for bad in [
            "2024-05-01",
            "2024-05-01t12:00:00z",
            "2024-05-01 12:00:00Z",
            "2024-05-01T12:00Z",
            "2024-05-01T12:00:00",
            "2024-05-01T12:00:00+0200",
            "2024-02-30T12:00:00Z",
            "2024-05-01T12:00:00.Z",
            "Wed, 01 May 2024 12:30:00 GMT",
        ] {
            assert!(parse_rfc3339(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
