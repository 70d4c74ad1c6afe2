//! Time is passed into core, so tests move it instead of sleeping.
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// Unix time in whole seconds, UTC.
pub type Timestamp = i64;

pub const MINUTE: i64 = 60;
pub const HOUR: i64 = 60 * MINUTE;
pub const DAY: i64 = 24 * HOUR;

pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

/// The operating system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            Ok(elapsed) => i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX),
            // A clock before 1970 is treated as 1970; the store's watermark keeps "now" sane.
            Err(_) => 0,
        }
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
    pub fn at(start: Timestamp) -> Self {
        TestClock(Arc::new(AtomicI64::new(start)))
    }
    pub fn set(&self, to: Timestamp) {
        self.0.store(to, Ordering::SeqCst);
    }
    pub fn advance(&self, seconds: i64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        self.0.load(Ordering::SeqCst)
    }
}

/// RFC 3339 in UTC, as every `--json` output and export writes times.
pub fn rfc3339(at: Timestamp) -> String {
    time::OffsetDateTime::from_unix_timestamp(at)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| at.to_string())
}

/// Parses RFC 3339 (`2026-01-02T03:04:05Z`) or a plain date (`2026-01-02`, midnight UTC).
pub fn parse_time(text: &str) -> Option<Timestamp> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(t) = time::OffsetDateTime::parse(text, &Rfc3339) {
        return Some(t.unix_timestamp());
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, &format)
        .ok()
        .map(|d| d.midnight().assume_utc().unix_timestamp())
}
