//! Reading the log (administrators): filters, pages newest first, the whole log for exports.
use rusqlite::params;
use serde::Serialize;

use super::chain::{StoredEvent, event_from_row};
use crate::Authority;
use crate::clock::Timestamp;
use crate::error::{CoreError, Result};
use crate::keys::hex;
use crate::model::Actor;

/// The most events one page holds.
pub const MAX_PAGE_SIZE: usize = 10_000;

/// One event of the log, as read and exported.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AuditEvent {
    /// Its place in the log (ids only grow).
    pub id: i64,
    /// When it happened.
    pub at: Timestamp,
    /// Who acted: a username, `latchkey`, `(unknown)` or `(latchkey restore)`.
    pub actor: String,
    /// Its wire name (see `AuditAction`).
    pub action: String,
    /// What it was done to.
    pub target: String,
    /// JSON details, or empty.
    pub details: String,
    /// How many identical events this one stands for (denials within one second); 1 otherwise.
    pub count: i64,
    /// The chain value, in hex (empty when the store has none for this event).
    pub chain: String,
}

/// Filters for reading the log; every field narrows.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// From this time on.
    pub since: Option<Timestamp>,
    /// Up to this time.
    pub until: Option<Timestamp>,
    /// Only this actor.
    pub actor: Option<String>,
    /// Only this action, or a family of them (`token` matches `token.created`…).
    pub action: Option<String>,
}

/// One page of the log, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditPage {
    /// The events of this page.
    pub events: Vec<AuditEvent>,
    /// Pass as `before` for the next (older) page; `None` when this page reaches the oldest.
    pub older: Option<i64>,
}

const EVENTS_ABOUT: &str = "
    SELECT id, at, actor, action, target, details, count, chain FROM audit_events
    WHERE target = ?1
       OR (action = 'token.rotated' AND json_valid(details)
           AND json_extract(details, '$.successor') = ?1)
    ORDER BY id DESC LIMIT ?2";

impl Authority {
    /// The whole audit log, oldest first (administrators only); exports use it.
    pub fn audit_events(&self, actor: Actor, filter: &AuditFilter) -> Result<Vec<AuditEvent>> {
        self.require_admin(actor)?;
        self.read_events(filter, None, None, "ORDER BY id")
    }

    /// One page of the log, newest first (administrators only): at most `limit` events matching
    /// `filter` with an id below `before` (all when `None`).
    pub fn audit_page(
        &self,
        actor: Actor,
        filter: &AuditFilter,
        before: Option<i64>,
        limit: usize,
    ) -> Result<AuditPage> {
        self.require_admin(actor)?;
        if !(1..=MAX_PAGE_SIZE).contains(&limit) {
            return Err(CoreError::Invalid(format!(
                "a page holds between 1 and {MAX_PAGE_SIZE} events"
            )));
        }
        let mut events = self.read_events(filter, before, Some(limit + 1), "ORDER BY id DESC")?;
        let more = events.len() > limit;
        events.truncate(limit);
        let older = events.last().filter(|_| more).map(|e| e.id);
        Ok(AuditPage { events, older })
    }

    /// The events about one target, newest first: those naming it as their target, and a
    /// rotation naming it as the successor (the successor's creation). Only those fields: a name
    /// or a place someone typed that looks like an id must not slip an event into another's
    /// history. Callers check who may read them.
    pub(crate) fn events_about(&self, target: &str, limit: usize) -> Result<Vec<AuditEvent>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut statement = self.conn.prepare_cached(EVENTS_ABOUT)?;
        let rows = statement.query_map(params![target, limit], |row| {
            event_from_row(row).map(AuditEvent::from)
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    fn read_events(
        &self,
        filter: &AuditFilter,
        before: Option<i64>,
        limit: Option<usize>,
        order: &str,
    ) -> Result<Vec<AuditEvent>> {
        let limit = limit.map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX));
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT id, at, actor, action, target, details, count, chain FROM audit_events
             WHERE (?1 IS NULL OR at >= ?1) AND (?2 IS NULL OR at <= ?2)
               AND (?3 IS NULL OR actor = ?3)
               AND (?4 IS NULL OR action = ?4 OR action LIKE ?4 || '.%')
               AND (?5 IS NULL OR id < ?5)
             {order} LIMIT ?6"
        ))?;
        let rows = statement.query_map(
            params![
                filter.since,
                filter.until,
                filter.actor,
                filter.action,
                before,
                limit
            ],
            |row| event_from_row(row).map(AuditEvent::from),
        )?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

impl From<StoredEvent> for AuditEvent {
    fn from(event: StoredEvent) -> AuditEvent {
        AuditEvent {
            id: event.id,
            at: event.at,
            actor: event.actor,
            action: event.action,
            target: event.target,
            details: event.details,
            count: event.count,
            chain: event.chain.map(|c| hex(&c)).unwrap_or_default(),
        }
    }
}
