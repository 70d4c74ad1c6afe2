//! Recording an event inside the write transaction of the change it describes, with its chain
//! value. Every event goes through [`Change::record`]; batched denials through `record_counted`.
use rusqlite::{Connection, params};

use super::action::AuditAction;
use crate::clock::Timestamp;
use crate::error::Result;

/// Inserts an event with the next id and the chain value that follows the newest event's (the
/// function is `chain::LINK_FUNCTION`, attached to the connection with the audit sub-key).
const INSERT_EVENT: &str = "
    INSERT INTO audit_events (id, at, actor, action, target, details, count, chain)
    SELECT n.id, ?1, ?2, ?3, ?4, ?5, ?6,
           latchkey_audit_link(n.prev, n.id, ?1, ?2, ?3, ?4, ?5, ?6)
    FROM (SELECT coalesce((SELECT max(id) FROM audit_events), 0) + 1 AS id,
                 (SELECT chain FROM audit_events ORDER BY id DESC LIMIT 1) AS prev) AS n";

/// A change in progress: its write transaction, its "now", and who acts. The change's audit
/// event is recorded through it, in the same transaction, so a change and its record commit
/// together or not at all.
pub(crate) struct Change<'a> {
    /// The connection, inside the change's write transaction.
    pub(crate) tx: &'a Connection,
    /// "Now" for this change: the later of the clock and the clock watermark.
    pub(crate) now: Timestamp,
    /// Who the event names as its actor: an account's username, or a name such as
    /// `SYSTEM_ACTOR` or `(unknown)`.
    actor: &'a str,
}

impl<'a> Change<'a> {
    /// A change made by `actor` inside the transaction on `tx`.
    pub(crate) fn new(tx: &'a Connection, now: Timestamp, actor: &'a str) -> Change<'a> {
        Change { tx, now, actor }
    }

    /// Records the change's event: `action` done to `target`, with `details` (none when null).
    pub(crate) fn record(
        &self,
        action: AuditAction,
        target: &str,
        details: serde_json::Value,
    ) -> Result<()> {
        record_counted(self.tx, self.now, self.actor, action, target, details, 1)
    }
}

/// Records one event that stands for `count` identical ones (batched denials), inside the
/// caller's write transaction; the connection must have the chain key attached.
pub(super) fn record_counted(
    conn: &Connection,
    at: Timestamp,
    actor: &str,
    action: AuditAction,
    target: &str,
    details: serde_json::Value,
    count: i64,
) -> Result<()> {
    let details = if details.is_null() {
        String::new()
    } else {
        details.to_string()
    };
    conn.prepare_cached(INSERT_EVENT)?.execute(params![
        at,
        actor,
        action.as_str(),
        target,
        details,
        count
    ])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_insert_calls_the_attached_link_function() {
        assert!(super::INSERT_EVENT.contains(&format!("{}(", super::super::chain::LINK_FUNCTION)));
    }
}
