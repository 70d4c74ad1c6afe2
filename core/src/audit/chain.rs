//! The tamper-evident audit chain (SPEC §2 "Audit log").
//!
//! Every event carries `chain = HMAC-SHA256(audit sub-key, previous chain ‖ canonical bytes)`,
//! where the audit sub-key is `keys::derive(master, "audit-chain")`, the first event's previous
//! value is 32 zero bytes, and the canonical bytes are [`canonical`]: a version tag, then id, at,
//! actor, action, target, details and count, each integer as 8 bytes big-endian and each text as
//! its 8-byte big-endian length then its UTF-8 bytes (so no two events share an encoding).
//!
//! `record` computes the value as it inserts the event, through an SQL function that holds the
//! sub-key and is registered only on the connection an [`crate::Authority`] opened with the key
//! ([`attach`]); the key never reaches the store. Events written before schema 4 are chained once,
//! by the open that performs the upgrade (the key is checked before the upgrade, so that open
//! holds it; migration 004's mark in `meta` alone never asks for chaining, since anyone holding
//! the file can write it; [`chain_old_events`] removes it), and the store then keeps an
//! *anchor* in `meta`: how many events were chained at the upgrade, sealed with an HMAC under a
//! key derived from the audit sub-key. A missing chain value is never filled in again later: it is
//! reported, as is a missing or altered anchor.
//!
//! What the chain detects, for someone with the store file but not the key: an event changed; an
//! event removed from anywhere but the end; an event inserted anywhere, at the end too (its chain
//! value cannot be made without the key); a chain value removed; the anchor removed or altered;
//! events removed up to the anchor. `verify` names the first such event by id and time. What it
//! cannot detect:
//! - removing the newest events (truncating the log's tail) — the rest still chains; only a
//!   chain value exported or noted earlier (exports carry every event's value) shows what is
//!   missing;
//! - replacing the whole store with an older copy of itself (a rollback), for the same reason;
//! - making the store look as if it had never been upgraded (dropping the chain column and the
//!   anchor and setting the schema version back to 3): the next open then chains the edited log
//!   as if it were an upgrade; the anchor, which `audit verify` reports, then says that events
//!   up to the last were chained at an upgrade;
//! - anything done by someone who also holds the installation key (they can recompute every
//!   value), and what happened to events before the upgrade that chained them.
use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, TransactionBehavior, params};

use crate::clock::{Timestamp, rfc3339};
use crate::error::{CoreError, Result};
use crate::keys::{self, KeyBytes, MasterKey, hex};
use crate::store::{insert_meta, meta};

/// The SQL function `record` calls: `latchkey_audit_link(prev, id, at, actor, action, target,
/// details, count)`, the chain value of the event being inserted.
pub(super) const LINK_FUNCTION: &str = "latchkey_audit_link";
/// The previous value of the first event.
pub(super) const GENESIS: [u8; 32] = [0; 32];
/// Left in `meta` by migration 004 until the events from before it are chained.
pub(super) const PENDING: &str = "audit_chain_pending";
/// In `meta`: `<events chained at the upgrade> <hex HMAC>`.
pub(super) const ANCHOR: &str = "audit_chain_anchor";

/// The audit sub-key and the key that seals the anchor.
#[derive(Clone)]
pub(crate) struct ChainKey {
    link: KeyBytes,
    seal: KeyBytes,
}

impl ChainKey {
    /// The audit sub-key of an installation key, and the anchor's key derived from it.
    pub(crate) fn new(master: &MasterKey) -> ChainKey {
        let link = master.derive("audit-chain");
        let seal = keys::derive(&link, "anchor");
        ChainKey { link, seal }
    }

    /// The chain value of `event` after `prev`.
    pub(super) fn link(&self, prev: &[u8], event: &EventFields<'_>) -> [u8; 32] {
        keys::hmac_sha256(&self.link, &[prev, &canonical(event)])
    }

    /// The anchor's seal over the chain value of the event `through` names.
    pub(super) fn anchor_mac(&self, through: i64, chain: &[u8]) -> String {
        let through = through.to_be_bytes();
        hex(&keys::hmac_sha256(
            &self.seal,
            &[b"latchkey-audit-anchor/v1", &through, chain],
        ))
    }
}

/// The fields of an event that its chain value covers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EventFields<'a> {
    pub id: i64,
    pub at: Timestamp,
    pub actor: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub details: &'a str,
    pub count: i64,
}

/// The unambiguous encoding of an event (see the module's documentation).
pub(crate) fn canonical(event: &EventFields<'_>) -> Vec<u8> {
    let texts = [event.actor, event.action, event.target, event.details];
    let mut out = Vec::with_capacity(64 + texts.iter().map(|t| t.len() + 8).sum::<usize>());
    out.extend_from_slice(b"latchkey-audit-event/v1");
    out.extend_from_slice(&event.id.to_be_bytes());
    out.extend_from_slice(&event.at.to_be_bytes());
    for text in texts {
        out.extend_from_slice(&(text.len() as u64).to_be_bytes());
        out.extend_from_slice(text.as_bytes());
    }
    out.extend_from_slice(&event.count.to_be_bytes());
    out
}

/// Registers [`LINK_FUNCTION`] on `conn`, holding the audit sub-key; only statements run
/// directly on this connection may call it (never a trigger or view).
pub(crate) fn attach(conn: &Connection, key: &ChainKey) -> Result<()> {
    let key = key.clone();
    conn.create_scalar_function(
        LINK_FUNCTION,
        8,
        FunctionFlags::SQLITE_UTF8
            | FunctionFlags::SQLITE_DETERMINISTIC
            | FunctionFlags::SQLITE_DIRECTONLY,
        move |ctx| {
            let prev: Option<Vec<u8>> = ctx.get(0)?;
            let (actor, action, target, details): (String, String, String, String) =
                (ctx.get(3)?, ctx.get(4)?, ctx.get(5)?, ctx.get(6)?);
            let event = EventFields {
                id: ctx.get(1)?,
                at: ctx.get(2)?,
                actor: &actor,
                action: &action,
                target: &target,
                details: &details,
                count: ctx.get(7)?,
            };
            let prev = prev.unwrap_or_else(|| GENESIS.to_vec());
            Ok(key.link(&prev, &event).to_vec())
        },
    )?;
    Ok(())
}

/// Every event, oldest first, as the chain is checked.
pub(super) const ALL_EVENTS: &str = "
    SELECT id, at, actor, action, target, details, count, chain FROM audit_events ORDER BY id";

const SET_CHAIN: &str = "UPDATE audit_events SET chain = ?2 WHERE id = ?1";

const DELETE_META: &str = "DELETE FROM meta WHERE key = ?1";

/// Chains the events written before schema 4, once, by the open that upgraded the store (its
/// caller decides that, never the file): only while migration 004's mark is in `meta` and no
/// anchor is, in one transaction that also writes the anchor and removes the mark.
pub(crate) fn chain_old_events(conn: &mut Connection, key: &ChainKey) -> Result<()> {
    let pending = |conn: &Connection| -> Result<bool> {
        Ok(meta(conn, PENDING)?.is_some() && meta(conn, ANCHOR)?.is_none())
    };
    if !pending(conn)? {
        return Ok(());
    }
    let chained = (|| {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if !pending(&tx)? {
            return Ok(());
        }
        let mut prev = GENESIS.to_vec();
        let mut through = 0;
        {
            let mut rows = tx.prepare(ALL_EVENTS)?;
            let mut update = tx.prepare(SET_CHAIN)?;
            let mut rows = rows.query([])?;
            while let Some(row) = rows.next()? {
                let stored: Option<Vec<u8>> = row.get(7)?;
                let value = match stored {
                    Some(value) => value,
                    None => {
                        let event = event_from_row(row)?;
                        let value = key.link(&prev, &event.fields()).to_vec();
                        update.execute(params![event.id, value])?;
                        value
                    }
                };
                through = row.get(0)?;
                prev = value;
            }
        }
        let anchor = format!("{through} {}", key.anchor_mac(through, &prev));
        insert_meta(&tx, ANCHOR, &anchor)?;
        tx.execute(DELETE_META, [PENDING])?;
        tx.commit()?;
        Ok(())
    })();
    match chained {
        Err(CoreError::ReadOnly | CoreError::DiskFull) => Ok(()),
        other => other,
    }
}

pub(super) struct StoredEvent {
    pub(super) id: i64,
    pub(super) at: Timestamp,
    pub(super) actor: String,
    pub(super) action: String,
    pub(super) target: String,
    pub(super) details: String,
    pub(super) count: i64,
    pub(super) chain: Option<Vec<u8>>,
}

impl StoredEvent {
    pub(super) fn fields(&self) -> EventFields<'_> {
        EventFields {
            id: self.id,
            at: self.at,
            actor: &self.actor,
            action: &self.action,
            target: &self.target,
            details: &self.details,
            count: self.count,
        }
    }

    pub(super) fn named(&self) -> String {
        format!("event #{} ({})", self.id, rfc3339(self.at))
    }
}

pub(super) fn event_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredEvent> {
    Ok(StoredEvent {
        id: row.get(0)?,
        at: row.get(1)?,
        actor: row.get(2)?,
        action: row.get(3)?,
        target: row.get(4)?,
        details: row.get(5)?,
        count: row.get(6)?,
        chain: row.get(7)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event<'a>(actor: &'a str, action: &'a str) -> EventFields<'a> {
        EventFields {
            id: 1,
            at: 0,
            actor,
            action,
            target: "",
            details: "",
            count: 1,
        }
    }

    #[test]
    fn fields_cannot_run_into_each_other() {
        assert_ne!(canonical(&event("ab", "c")), canonical(&event("a", "bc")));
    }

    #[test]
    fn each_link_depends_on_the_one_before() {
        let key = ChainKey::new(&MasterKey::from_backup([7; 32]));
        let first = key.link(&GENESIS, &event("a", "b"));
        assert_ne!(
            key.link(&first, &event("a", "b")),
            key.link(&GENESIS, &event("a", "b"))
        );
    }
}
