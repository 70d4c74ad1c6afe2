//! The append-only audit log: who did what to what, when. Never a secret. Each event carries its
//! chain value (`audit_chain.rs`); denied verifications wait in a batch (`audit_batch.rs`).
use std::time::Instant;

use rusqlite::{Connection, params};
use serde::Serialize;

use crate::audit_batch::PendingDenials;
use crate::audit_chain::{self, ChainKey, LINK_FUNCTION};
pub use crate::audit_chain::{ChainProblem, ChainReport, ProblemKind};
use crate::authority::Authority;
use crate::clock::{Timestamp, rfc3339};
use crate::error::{CoreError, Result};
use crate::key::hex;
use crate::model::Actor;
use crate::secret::KeyBytes;
use crate::verify::DenyReason;

/// The name recorded when the installation itself acts (reminders, verification by a tool).
pub const SYSTEM_ACTOR: &str = "latchkey";

/// The most events one page holds.
pub const MAX_PAGE_SIZE: usize = 10_000;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AuditEvent {
    pub id: i64,
    pub at: Timestamp,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub details: String,
    /// How many identical events this one stands for (denials within one second); 1 otherwise.
    pub count: i64,
    /// The chain value, in hex (empty when the store has none for this event).
    pub chain: String,
}

/// Filters for reading the log; every field narrows.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub actor: Option<String>,
    pub action: Option<String>,
}

/// One page of the log, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditPage {
    pub events: Vec<AuditEvent>,
    /// Pass as `before` for the next (older) page; `None` when this page reaches the oldest.
    pub older: Option<i64>,
}

/// What is waiting and what was written, for metrics and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AuditStats {
    /// Denials waiting to be written (an event with a count is that many).
    pub pending_denials: u64,
    /// Events they will make.
    pub pending_events: usize,
    /// Write transactions (each one disk sync) that have carried batched denials.
    pub denial_transactions: u64,
}

/// Records one event inside the caller's write transaction.
pub(crate) fn record(
    conn: &Connection,
    at: Timestamp,
    actor: &str,
    action: &str,
    target: &str,
    details: serde_json::Value,
) -> Result<()> {
    record_counted(conn, at, actor, action, target, details, 1)
}

/// Records one event that stands for `count` identical ones. The id is the next one and the
/// chain value follows the newest event's; the connection must have the chain key attached.
pub(crate) fn record_counted(
    conn: &Connection,
    at: Timestamp,
    actor: &str,
    action: &str,
    target: &str,
    details: serde_json::Value,
    count: i64,
) -> Result<()> {
    let details = if details.is_null() {
        String::new()
    } else {
        details.to_string()
    };
    conn.prepare_cached(&format!(
        "INSERT INTO audit_events (id, at, actor, action, target, details, count, chain)
         SELECT n.id, ?1, ?2, ?3, ?4, ?5, ?6, {LINK_FUNCTION}(n.prev, n.id, ?1, ?2, ?3, ?4, ?5, ?6)
         FROM (SELECT coalesce((SELECT max(id) FROM audit_events), 0) + 1 AS id,
                      (SELECT chain FROM audit_events ORDER BY id DESC LIMIT 1) AS prev) AS n"
    ))?
    .execute(params![at, actor, action, target, details, count])?;
    Ok(())
}

/// The audit side of an [`Authority`]: the chain key (also attached to its connection) and the
/// denials waiting to be written.
pub(crate) struct AuditWriter {
    chain: ChainKey,
    pending: PendingDenials,
    denial_transactions: u64,
}

impl AuditWriter {
    /// Attaches the chain key to `conn` and, when this very open upgraded the store to the chain,
    /// chains its older events.
    pub(crate) fn attach(
        conn: &mut Connection,
        master: &KeyBytes,
        just_upgraded: bool,
    ) -> Result<AuditWriter> {
        let chain = ChainKey::new(master);
        audit_chain::attach(conn, &chain)?;
        if just_upgraded {
            audit_chain::chain_old_events(conn, &chain)?;
        }
        Ok(AuditWriter {
            chain,
            pending: PendingDenials::default(),
            denial_transactions: 0,
        })
    }

    /// Queues a denial; identical ones in the same second become one event with a count.
    pub(crate) fn queue_denial(
        &mut self,
        at: Timestamp,
        token_id: Option<&str>,
        reason: DenyReason,
        system: Option<&str>,
    ) {
        self.pending.push(at, token_id, reason, system);
    }

    /// "Now" as the waiting denials saw it: `now`, or a later time one of them saw.
    pub(crate) fn seen(&self, now: Timestamp) -> Timestamp {
        self.pending.latest().map_or(now, |latest| latest.max(now))
    }

    /// The waiting denials, for the write transaction about to start to write first.
    pub(crate) fn take_pending(&mut self) -> PendingDenials {
        std::mem::take(&mut self.pending)
    }

    /// After that transaction: counted when it committed, put back when it did not.
    pub(crate) fn settle(&mut self, batch: PendingDenials, committed: bool) {
        match (batch.is_empty(), committed) {
            (true, _) => {}
            (false, true) => self.denial_transactions += 1,
            (false, false) => self.pending.put_back(batch),
        }
    }
}

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
               AND (?3 IS NULL OR actor = ?3) AND (?4 IS NULL OR action = ?4 OR action LIKE ?4 || '.%')
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
            |row| {
                Ok(AuditEvent {
                    id: row.get(0)?,
                    at: row.get(1)?,
                    actor: row.get(2)?,
                    action: row.get(3)?,
                    target: row.get(4)?,
                    details: row.get(5)?,
                    count: row.get(6)?,
                    chain: row
                        .get::<_, Option<Vec<u8>>>(7)?
                        .map(|c| hex(&c))
                        .unwrap_or_default(),
                })
            },
        )?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Checks the whole chain (`latchkey audit verify`, `doctor`). Needs the store and its key,
    /// no account: it shows no event, only whether and where the log was tampered with.
    pub fn verify_audit_chain(&self) -> Result<ChainReport> {
        audit_chain::verify(&self.conn, &self.audit.chain)
    }

    /// Writes the waiting denials now, in one transaction (a CLI process before it exits, a
    /// service when it stops).
    pub fn flush_audit(&mut self) -> Result<()> {
        if self.audit.pending.is_empty() {
            return Ok(());
        }
        self.write(|_, _| Ok(()))
    }

    /// Writes the waiting denials when their batch is due (called on each verification).
    pub(crate) fn flush_audit_if_due(&mut self) -> Result<()> {
        if self.audit.pending.due(Instant::now()) {
            self.flush_audit()
        } else {
            Ok(())
        }
    }

    pub fn audit_stats(&self) -> AuditStats {
        AuditStats {
            pending_denials: self.audit.pending.denials(),
            pending_events: self.audit.pending.events(),
            denial_transactions: self.audit.denial_transactions,
        }
    }
}

/// Waiting denials are written when the authority goes away (best effort: a store that cannot be
/// written then loses them, as it would have lost them unbatched).
impl Drop for Authority {
    fn drop(&mut self) {
        let _ = self.flush_audit();
    }
}

/// CSV with a header row; fields that a spreadsheet would run as a formula are defused.
pub fn to_csv(events: &[AuditEvent]) -> String {
    let mut out = String::from("id,time,actor,action,target,details,count,chain\n");
    for event in events {
        let fields = [
            event.id.to_string(),
            rfc3339(event.at),
            event.actor.clone(),
            event.action.clone(),
            event.target.clone(),
            event.details.clone(),
            event.count.to_string(),
            event.chain.clone(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

fn csv_field(value: &str) -> String {
    let defused = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

/// JSON: an array of events with RFC 3339 times, each with its count and chain value.
pub fn to_json(events: &[AuditEvent]) -> serde_json::Value {
    events
        .iter()
        .map(|e| {
            serde_json::json!({
                "id": e.id, "time": rfc3339(e.at), "actor": e.actor, "action": e.action,
                "target": e.target, "details": e.details, "count": e.count, "chain": e.chain,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let event = AuditEvent {
            id: 1,
            at: 0,
            actor: "=cmd|' /C calc'!A0".into(),
            action: "token.created".into(),
            target: "a,b".into(),
            details: "say \"hi\"".into(),
            count: 2,
            chain: "00ff".into(),
        };
        let csv = to_csv(&[event]);
        let line = csv.lines().nth(1).unwrap();
        assert_eq!(
            line,
            "1,1970-01-01T00:00:00Z,'=cmd|' /C calc'!A0,token.created,\"a,b\",\"say \"\"hi\"\"\",2,00ff"
        );
    }
}
