//! Denied verifications waiting to be written (SPEC §2 "Audit log": denials may be written in
//! batches, and identical denials within one second stored as one event with a count), so a flood
//! of bad tokens costs one disk sync per batch instead of one per token. Nothing else waits.
//!
//! The [`crate::Authority`] holding them writes them in one transaction when 1 000 are waiting
//! or the oldest has waited 100 ms (checked on each verification), at the start of any other
//! write transaction (so the log keeps its order), on `flush_audit`, and when it is dropped.
use std::collections::HashMap;
use std::time::{Duration, Instant};

use rusqlite::Connection;

use super::SYSTEM_ACTOR;
use super::action::AuditAction;
use super::record::record_counted;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::model::DenyReason;

/// Denials (counting each one a count stands for) that make a batch due.
pub(crate) const BATCH_DENIALS: u64 = 1_000;
/// How long the oldest waiting denial may wait before its batch is due.
pub(crate) const BATCH_AGE: Duration = Duration::from_millis(100);
/// Events kept waiting while the store cannot be written; beyond it they are dropped, as a
/// denial on a read-only store or a full disk always was (the answer is given, unrecorded).
const MAX_KEPT_EVENTS: usize = 100_000;

/// What makes two denials the same event: time (to the second), action, target, reason and
/// system.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Identity {
    at: Timestamp,
    action: AuditAction,
    target: String,
    reason: Option<&'static str>,
    system: Option<String>,
}

#[derive(Debug, Default)]
pub(crate) struct PendingDenials {
    /// Events in the order of their first denial, each with its count.
    events: Vec<(Identity, i64)>,
    index: HashMap<Identity, usize>,
    denials: u64,
    /// The latest time a waiting denial saw: part of "now" until they are written (the clock
    /// watermark never misses a time a verification saw).
    latest: Option<Timestamp>,
    /// When the oldest waiting denial arrived (or when a failed write was last tried).
    since: Option<Instant>,
}

const RAISE_WATERMARK: &str = "
    UPDATE clock_watermark SET max_seen = ?1 WHERE id = 1 AND max_seen < ?1";

impl PendingDenials {
    pub(crate) fn push(
        &mut self,
        at: Timestamp,
        token_id: Option<&str>,
        reason: DenyReason,
        system: Option<&str>,
    ) {
        let identity = Identity {
            at,
            action: AuditAction::VerifyDenied,
            target: token_id.unwrap_or("-").to_string(),
            reason: Some(reason.as_str()),
            system: system.map(str::to_string),
        };
        self.add(identity, 1);
    }

    /// Denials a service answered "too many requests" for one client in one second, already
    /// counted: one event, however many there were.
    pub(crate) fn push_rate_limited(&mut self, at: Timestamp, client: &str, denials: u64) {
        let identity = Identity {
            at,
            action: AuditAction::VerifyRateLimited,
            target: client.to_string(),
            reason: None,
            system: None,
        };
        self.add(identity, denials);
    }

    fn add(&mut self, identity: Identity, denials: u64) {
        let count = i64::try_from(denials).unwrap_or(i64::MAX);
        let at = identity.at;
        match self.index.get(&identity) {
            Some(&i) => self.events[i].1 = self.events[i].1.saturating_add(count),
            None => {
                self.index.insert(identity.clone(), self.events.len());
                self.events.push((identity, count));
            }
        }
        self.denials = self.denials.saturating_add(denials);
        self.latest = self.latest.max(Some(at));
        self.since.get_or_insert_with(Instant::now);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Denials waiting (an event with a count is that many).
    pub(crate) fn denials(&self) -> u64 {
        self.denials
    }

    /// Events waiting (what a batch will write).
    pub(crate) fn events(&self) -> usize {
        self.events.len()
    }

    pub(crate) fn latest(&self) -> Option<Timestamp> {
        self.latest
    }

    pub(crate) fn due(&self, now: Instant) -> bool {
        self.denials >= BATCH_DENIALS
            || self
                .since
                .is_some_and(|since| now.saturating_duration_since(since) >= BATCH_AGE)
    }

    /// Writes every waiting denial as an audit event (inside the caller's transaction), and
    /// advances the clock watermark to the latest time they saw.
    pub(crate) fn write(&self, conn: &Connection) -> Result<()> {
        if let Some(latest) = self.latest {
            conn.prepare_cached(RAISE_WATERMARK)?.execute([latest])?;
        }
        for (denial, count) in &self.events {
            let details = match denial.reason {
                Some(reason) => serde_json::json!({"reason": reason, "system": denial.system}),
                None => serde_json::Value::Null,
            };
            record_counted(
                conn,
                denial.at,
                SYSTEM_ACTOR,
                denial.action,
                &denial.target,
                details,
                *count,
            )?;
        }
        Ok(())
    }

    /// Puts back a batch whose transaction did not commit, ahead of anything queued since, and
    /// waits another [`BATCH_AGE`] before the next try.
    pub(crate) fn put_back(&mut self, batch: PendingDenials) {
        let later = std::mem::replace(self, batch);
        for (identity, count) in later.events {
            match self.index.get(&identity) {
                Some(&i) => self.events[i].1 += count,
                None => {
                    self.index.insert(identity.clone(), self.events.len());
                    self.events.push((identity, count));
                }
            }
        }
        self.denials += later.denials;
        self.latest = self.latest.max(later.latest);
        self.since = Some(Instant::now());
        if self.events.len() > MAX_KEPT_EVENTS {
            *self = PendingDenials::default();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_denials_in_one_second_are_one_event_with_a_count() {
        let mut pending = PendingDenials::default();
        for _ in 0..3 {
            pending.push(10, None, DenyReason::Unknown, Some("web"));
        }
        pending.push(10, None, DenyReason::Unknown, None);
        pending.push(11, None, DenyReason::Unknown, Some("web"));
        pending.push(10, Some("tok_1"), DenyReason::Revoked, Some("web"));
        let counts: Vec<i64> = pending.events.iter().map(|(_, c)| *c).collect();
        assert_eq!(counts, [3, 1, 1, 1]);
        assert_eq!(pending.denials(), 6);
    }

    #[test]
    fn rate_limited_counts_are_one_event_per_client_and_second() {
        let mut pending = PendingDenials::default();
        pending.push_rate_limited(10, "192.0.2.7", 500);
        pending.push_rate_limited(10, "192.0.2.7", 20);
        pending.push_rate_limited(10, "192.0.2.8", 3);
        pending.push(10, None, DenyReason::Unknown, None);
        let events: Vec<(AuditAction, &str, i64)> = pending
            .events
            .iter()
            .map(|(i, c)| (i.action, i.target.as_str(), *c))
            .collect();
        assert_eq!(
            events,
            [
                (AuditAction::VerifyRateLimited, "192.0.2.7", 520),
                (AuditAction::VerifyRateLimited, "192.0.2.8", 3),
                (AuditAction::VerifyDenied, "-", 1),
            ]
        );
        assert_eq!(pending.denials(), 524);
    }

    #[test]
    fn a_batch_is_due_at_a_thousand_denials_or_after_a_hundred_milliseconds() {
        let mut pending = PendingDenials::default();
        let start = Instant::now();
        assert!(!pending.due(start));
        pending.push(1, None, DenyReason::Unknown, None);
        assert!(!pending.due(start));
        assert!(pending.due(Instant::now() + BATCH_AGE));
        for _ in 1..BATCH_DENIALS {
            pending.push(1, None, DenyReason::Unknown, None);
        }
        assert!(pending.due(start));
    }

    #[test]
    fn a_batch_put_back_comes_first_and_merges() {
        let mut pending = PendingDenials::default();
        pending.push(1, None, DenyReason::Unknown, None);
        let batch = std::mem::take(&mut pending);
        pending.push(2, None, DenyReason::Unknown, None);
        pending.push(1, None, DenyReason::Unknown, None);
        pending.put_back(batch);
        let events: Vec<(Timestamp, i64)> =
            pending.events.iter().map(|(i, c)| (i.at, *c)).collect();
        assert_eq!(events, [(1, 2), (2, 1)]);
        assert_eq!(pending.denials(), 3);
    }
}
