//! Time is passed into core, so tests move it instead of sleeping.
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{Datelike, SecondsFormat};

/// Unix time in whole seconds, UTC.
pub type Timestamp = i64;

/// Seconds in a minute.
pub const MINUTE: i64 = 60;
/// Seconds in an hour.
pub const HOUR: i64 = 60 * MINUTE;
/// Seconds in a day (days are 24-hour periods, no calendar involved).
pub const DAY: i64 = 24 * HOUR;

/// Where core reads the time.
pub trait Clock: Send + Sync {
    /// Unix time now, in seconds.
    fn now(&self) -> Timestamp;
}

/// The operating system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        // Before 1970 counts as 1970; the store's watermark keeps "now" sane.
        chrono::Utc::now().timestamp().max(0)
    }
}

/// The wall clock shifted by a fixed number of seconds (used by end-to-end tests in debug builds).
#[derive(Debug, Clone, Copy)]
pub struct ShiftedClock(pub i64);

impl Clock for ShiftedClock {
    fn now(&self) -> Timestamp {
        SystemClock.now().saturating_add(self.0)
    }
}

/// A clock tests set and advance by hand; clones share the same time.
#[derive(Debug, Clone)]
pub struct TestClock(Arc<AtomicI64>);

impl TestClock {
    /// A clock that stands at `start`.
    pub fn at(start: Timestamp) -> Self {
        TestClock(Arc::new(AtomicI64::new(start)))
    }
    /// Sets the time.
    pub fn set(&self, to: Timestamp) {
        self.0.store(to, Ordering::SeqCst);
    }
    /// Moves the time on.
    pub fn advance(&self, seconds: i64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        self.0.load(Ordering::SeqCst)
    }
}

/// RFC 3339 in UTC to the second (`2026-01-02T03:04:05Z`), as every `--json` output and export
/// writes times. Outside the years 0–9999, which RFC 3339 cannot write, the plain number.
pub fn rfc3339(at: Timestamp) -> String {
    chrono::DateTime::from_timestamp(at, 0)
        .filter(|t| (0..=9999).contains(&t.year()))
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_else(|| at.to_string())
}

/// Parses RFC 3339 (`2026-01-02T03:04:05Z`) or a plain date (`2026-01-02`, midnight UTC).
pub fn parse_time(text: &str) -> Option<Timestamp> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(t.timestamp());
    }
    // Exactly YYYY-MM-DD: chrono alone would also take "2026-1-2" or a five-digit year.
    let digits_at = |range: std::ops::Range<usize>| {
        text.get(range)
            .is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()))
    };
    let shaped = text.len() == 10
        && digits_at(0..4)
        && digits_at(5..7)
        && digits_at(8..10)
        && text.as_bytes()[4] == b'-'
        && text.as_bytes()[7] == b'-';
    if !shaped {
        return None;
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_as_before_the_move_to_chrono() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_798_859_045), "2027-01-02T03:04:05Z");
        assert_eq!(rfc3339(-86_400), "1969-12-31T00:00:00Z");
        // Year 10000 has no RFC 3339 form: the number, as `time` left it.
        assert_eq!(rfc3339(253_402_300_800), "253402300800");
    }

    #[test]
    fn times_and_dates_are_read_as_before_the_move_to_chrono() {
        assert_eq!(parse_time("2027-01-02T03:04:05Z"), Some(1_798_859_045));
        assert_eq!(parse_time("2027-01-02T04:04:05+01:00"), Some(1_798_859_045));
        assert_eq!(parse_time("2027-01-02T03:04:05.9Z"), Some(1_798_859_045));
        assert_eq!(parse_time("2027-01-02"), Some(1_798_848_000));
        for refused in [
            "2027-1-2",
            "27-01-02",
            "2027-01-02x",
            "2027-13-01",
            "",
            "tomorrow",
        ] {
            assert_eq!(parse_time(refused), None, "{refused}");
        }
    }
}
