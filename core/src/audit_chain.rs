//! The tamper-evident audit chain (SPEC §2 "Audit log").
//!
//! Every event carries `chain = HMAC-SHA256(audit sub-key, previous chain ‖ canonical bytes)`,
//! where the audit sub-key is `key::derive(master, "audit-chain")`, the first event's previous
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
use hmac::{Hmac, Mac};
use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use sha2::Sha256;

use crate::clock::{Timestamp, rfc3339};
use crate::error::{CoreError, Result};
use crate::key::{self, hex};
use crate::secret::KeyBytes;

/// The SQL function `record` calls: `latchkey_audit_link(prev, id, at, actor, action, target,
/// details, count)`, the chain value of the event being inserted.
pub(crate) const LINK_FUNCTION: &str = "latchkey_audit_link";
/// The previous value of the first event.
const GENESIS: [u8; 32] = [0; 32];
/// Left in `meta` by migration 004 until the events from before it are chained.
const PENDING: &str = "audit_chain_pending";
/// In `meta`: `<events chained at the upgrade> <hex HMAC>`.
const ANCHOR: &str = "audit_chain_anchor";

/// The audit sub-key and the key that seals the anchor.
#[derive(Clone)]
pub(crate) struct ChainKey {
    link: KeyBytes,
    seal: KeyBytes,
}

impl ChainKey {
    pub(crate) fn new(master: &KeyBytes) -> ChainKey {
        let link = key::derive(master, "audit-chain");
        let seal = key::derive(&link, "anchor");
        ChainKey { link, seal }
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

fn mac(key: &KeyBytes) -> Hmac<Sha256> {
    // HMAC takes keys of any length, so this never fails.
    match <Hmac<Sha256> as Mac>::new_from_slice(&key.0) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC-SHA256 accepts a 32-byte key"),
    }
}

/// The chain value of `event` after `prev`.
pub(crate) fn link(key: &KeyBytes, prev: &[u8], event: &EventFields<'_>) -> [u8; 32] {
    let mut mac = mac(key);
    mac.update(prev);
    mac.update(&canonical(event));
    mac.finalize().into_bytes().into()
}

fn anchor_mac(key: &ChainKey, through: i64, chain: &[u8]) -> String {
    let mut mac = mac(&key.seal);
    mac.update(b"latchkey-audit-anchor/v1");
    mac.update(&through.to_be_bytes());
    mac.update(chain);
    hex(&mac.finalize().into_bytes())
}

/// Registers [`LINK_FUNCTION`] on `conn`, holding the audit sub-key; only statements run
/// directly on this connection may call it (never a trigger or view).
pub(crate) fn attach(conn: &Connection, key: &ChainKey) -> Result<()> {
    let link_key = key.link.clone();
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
            Ok(link(&link_key, &prev, &event).to_vec())
        },
    )?;
    Ok(())
}

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
            let mut rows = tx.prepare(
                "SELECT id, at, actor, action, target, details, count, chain FROM audit_events ORDER BY id",
            )?;
            let mut update = tx.prepare("UPDATE audit_events SET chain = ?2 WHERE id = ?1")?;
            let mut rows = rows.query([])?;
            while let Some(row) = rows.next()? {
                let stored: Option<Vec<u8>> = row.get(7)?;
                let value = match stored {
                    Some(value) => value,
                    None => {
                        let event = event_from_row(row)?;
                        let value = link(&key.link, &prev, &event.fields()).to_vec();
                        update.execute(params![event.id, value])?;
                        value
                    }
                };
                through = row.get(0)?;
                prev = value;
            }
        }
        let anchor = format!("{through} {}", anchor_mac(key, through, &prev));
        tx.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)",
            params![ANCHOR, anchor],
        )?;
        tx.execute("DELETE FROM meta WHERE key = ?1", [PENDING])?;
        tx.commit()?;
        Ok(())
    })();
    match chained {
        Err(CoreError::ReadOnly | CoreError::DiskFull) => Ok(()),
        other => other,
    }
}

fn meta(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

struct StoredEvent {
    id: i64,
    at: Timestamp,
    actor: String,
    action: String,
    target: String,
    details: String,
    count: i64,
    chain: Option<Vec<u8>>,
}

impl StoredEvent {
    fn fields(&self) -> EventFields<'_> {
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

    fn named(&self) -> String {
        format!("event #{} ({})", self.id, rfc3339(self.at))
    }
}

fn event_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredEvent> {
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

/// What `latchkey audit verify` and `doctor` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    /// Events in the log.
    pub events: u64,
    /// Verification denials they account for (an event with a count stands for several).
    pub denials: u64,
    /// How many of the first events were chained when the store was upgraded to the chain
    /// (what happened to them before that cannot be checked); 0 for a store made with it.
    pub chained_at_upgrade: i64,
    /// The first problem found, if any.
    pub problem: Option<ChainProblem>,
}

impl ChainReport {
    pub fn intact(&self) -> bool {
        self.problem.is_none()
    }

    /// One line: "audit log intact: N events" or what is wrong.
    pub fn summary(&self) -> String {
        match &self.problem {
            None => format!("audit log intact: {} events", self.events),
            Some(problem) => format!("audit log tampered with: {}", problem.message),
        }
    }
}

/// The first event whose chain value does not hold, and what most likely happened to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainProblem {
    #[serde(rename = "kind")]
    pub kind: ProblemKind,
    /// The event named (for a removal: the first one missing).
    pub event_id: Option<i64>,
    /// Its time, when the event is still there.
    pub at: Option<Timestamp>,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    Changed,
    Removed,
    Inserted,
    /// Changed or inserted: the newest event, with nothing after it to tell which.
    ChangedOrInserted,
    /// Its chain value was removed.
    ChainValueRemoved,
    /// The anchor in `meta` is missing or does not hold.
    Anchor,
    /// Events from before the upgrade are not chained yet (the store could not be written).
    NotYetChained,
}

fn problem(kind: ProblemKind, event: Option<&StoredEvent>, message: String) -> ChainProblem {
    ChainProblem {
        kind,
        event_id: event.map(|e| e.id),
        at: event.map(|e| e.at),
        message,
    }
}

/// Checks the whole chain, oldest first, and reports the first problem: an event's, else the
/// anchor's.
pub(crate) fn verify(conn: &Connection, key: &ChainKey) -> Result<ChainReport> {
    let mut report = ChainReport {
        events: 0,
        denials: 0,
        chained_at_upgrade: 0,
        problem: None,
    };
    let anchor = meta(conn, ANCHOR)?;
    let pending = anchor.is_none() && meta(conn, PENDING)?.is_some();
    let anchor = anchor.map(|text| parse_anchor(&text));
    let through = anchor
        .as_ref()
        .and_then(|a| a.as_ref().map(|(through, _)| *through));
    let mut statement = conn.prepare(
        "SELECT id, at, actor, action, target, details, count, chain FROM audit_events ORDER BY id",
    )?;
    let mut rows = statement.query_map([], event_from_row)?;
    let mut prev = GENESIS.to_vec();
    let mut prev_id = 0;
    let mut anchored_chain = (through == Some(0)).then(|| GENESIS.to_vec());
    let mut next = rows.next().transpose()?;
    while let Some(event) = next.take() {
        next = rows.next().transpose()?;
        report.events += 1;
        if event.action == "verify.denied" {
            report.denials += u64::try_from(event.count).unwrap_or(0);
        }
        if report.problem.is_some() || pending {
            continue;
        }
        let expected = link(&key.link, &prev, &event.fields());
        report.problem = match &event.chain {
            Some(value) if value.as_slice() == expected => None,
            None => Some(problem(
                ProblemKind::ChainValueRemoved,
                Some(&event),
                format!("{} has no chain value: it was removed", event.named()),
            )),
            Some(value) => Some(classify(key, &prev, prev_id, &event, value, next.as_ref())),
        };
        if through == Some(event.id) {
            anchored_chain = event.chain.clone();
        }
        prev = event.chain.unwrap_or_default();
        prev_id = event.id;
    }
    if report.problem.is_none() {
        report.problem = match anchor {
            None if pending => Some(problem(
                ProblemKind::NotYetChained,
                None,
                "the events from before the upgrade are not chained yet: open the store once where it can be written".into(),
            )),
            None => Some(problem(
                ProblemKind::Anchor,
                None,
                "the chain's anchor (audit_chain_anchor in meta) was removed".into(),
            )),
            Some(Some((through, sealed))) => {
                report.chained_at_upgrade = through;
                match anchored_chain {
                    Some(chain) if constant_time_eq(&anchor_mac(key, through, &chain), &sealed) => {
                        None
                    }
                    None if through > prev_id => Some(ChainProblem {
                        kind: ProblemKind::Removed,
                        event_id: Some(prev_id + 1),
                        at: None,
                        message: format!(
                            "events #{} to #{through} were removed (the log ends at #{prev_id}; the chain's anchor names #{through})",
                            prev_id + 1
                        ),
                    }),
                    _ => Some(altered_anchor()),
                }
            }
            Some(None) => Some(altered_anchor()),
        };
    }
    Ok(report)
}

fn altered_anchor() -> ChainProblem {
    problem(
        ProblemKind::Anchor,
        None,
        "the chain's anchor (audit_chain_anchor in meta) was altered".into(),
    )
}

/// Names what happened to `event`, whose chain value does not follow `prev`.
fn classify(
    key: &ChainKey,
    prev: &[u8],
    prev_id: i64,
    event: &StoredEvent,
    value: &[u8],
    next: Option<&StoredEvent>,
) -> ChainProblem {
    if event.id > prev_id + 1 {
        let (first, last) = (prev_id + 1, event.id - 1);
        let missing = if first == last {
            format!("event #{first} was removed")
        } else {
            format!("events #{first} to #{last} were removed")
        };
        return ChainProblem {
            kind: ProblemKind::Removed,
            event_id: Some(first),
            at: None,
            message: format!("{missing} (before {})", event.named()),
        };
    }
    let follows = |from: &[u8], next: &StoredEvent| {
        next.chain.as_deref() == Some(link(&key.link, from, &next.fields()).as_slice())
    };
    match next {
        Some(next) if follows(value, next) => problem(
            ProblemKind::Changed,
            Some(event),
            format!("{} was changed", event.named()),
        ),
        Some(next) if follows(prev, next) => problem(
            ProblemKind::Inserted,
            Some(event),
            format!("{} was inserted", event.named()),
        ),
        Some(_) => problem(
            ProblemKind::Changed,
            Some(event),
            format!(
                "{} was changed, or events before it were removed or renumbered",
                event.named()
            ),
        ),
        None => problem(
            ProblemKind::ChangedOrInserted,
            Some(event),
            format!("{} (the newest) was changed or inserted", event.named()),
        ),
    }
}

fn parse_anchor(text: &str) -> Option<(i64, String)> {
    let (through, sealed) = text.split_once(' ')?;
    Some((through.parse().ok()?, sealed.to_string()))
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
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
        let key = ChainKey::new(&KeyBytes([7; 32]));
        let first = link(&key.link, &GENESIS, &event("a", "b"));
        assert_ne!(
            link(&key.link, &first, &event("a", "b")),
            link(&key.link, &GENESIS, &event("a", "b"))
        );
    }
}
