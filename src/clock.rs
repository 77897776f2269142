//! The build clock: what "now" is for every rule that depends on it (dates in the future today;
//! embargoes and first-seen times to come).
//!
//! `SOURCE_DATE_EPOCH` (seconds since the Unix epoch, the reproducible-builds convention) is
//! "now" when it is set, so a build can be replayed at any instant and tests never depend on the
//! real clock; otherwise the system clock. A value that is set but is not a whole number of
//! seconds is an error rather than a silent fallback: rules that guard what may be published
//! must not run on a time nobody asked for.

use chrono::{DateTime, Utc};

/// The variable that sets the build clock.
pub const SOURCE_DATE_EPOCH: &str = "SOURCE_DATE_EPOCH";

/// `SOURCE_DATE_EPOCH` is set to something that is not a time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{SOURCE_DATE_EPOCH}=`{value}` is not a time: expected whole seconds since 1970-01-01T00:00:00Z (e.g. `1750237800`), or unset it to use the system clock")]
pub struct ClockError {
    /// The value as set.
    pub value: String,
}

/// The build clock: `SOURCE_DATE_EPOCH` when set, else the system clock.
pub fn now() -> Result<DateTime<Utc>, ClockError> {
    match std::env::var_os(SOURCE_DATE_EPOCH) {
        None => Ok(Utc::now()),
        Some(value) => from_epoch(&value.to_string_lossy()),
    }
}

/// The instant a `SOURCE_DATE_EPOCH` value names.
pub fn from_epoch(value: &str) -> Result<DateTime<Utc>, ClockError> {
    let error = || ClockError {
        value: value.to_string(),
    };
    let secs: i64 = value.trim().parse().map_err(|_| error())?;
    DateTime::from_timestamp(secs, 0).ok_or_else(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_seconds_since_the_epoch() {
        let t = from_epoch("1750237800").unwrap();
        assert_eq!(t.to_rfc3339(), "2025-06-18T09:10:00+00:00");
        assert_eq!(from_epoch("0").unwrap(), DateTime::UNIX_EPOCH);
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in ["", "soon", "1.5", "2025-06-18", "99999999999999999999"] {
            let e = from_epoch(bad).unwrap_err();
            assert!(e.to_string().contains("SOURCE_DATE_EPOCH"), "{bad}: {e}");
        }
    }
}
