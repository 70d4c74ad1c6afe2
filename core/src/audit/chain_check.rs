//! `latchkey audit verify` (and a line of `doctor`): the whole chain checked, oldest first, and
//! the first event changed, removed or inserted named, else a problem with the anchor.
use rusqlite::Connection;
use serde::Serialize;

use super::action::AuditAction;
use super::chain::{ALL_EVENTS, ANCHOR, ChainKey, GENESIS, PENDING, StoredEvent, event_from_row};
use crate::clock::Timestamp;
use crate::error::Result;
use crate::keys::constant_time_eq;
use crate::store::meta;

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
    /// Whether no problem was found.
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
    /// What most likely happened.
    #[serde(rename = "kind")]
    pub kind: ProblemKind,
    /// The event named (for a removal: the first one missing).
    pub event_id: Option<i64>,
    /// Its time, when the event is still there.
    pub at: Option<Timestamp>,
    /// One line for people, naming the event.
    pub message: String,
}

/// What happened to the first event whose chain value does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// The event was changed.
    Changed,
    /// Events were removed here.
    Removed,
    /// The event was inserted.
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
    let mut statement = conn.prepare(ALL_EVENTS)?;
    let mut rows = statement.query_map([], event_from_row)?;
    let mut prev = GENESIS.to_vec();
    let mut prev_id = 0;
    let mut anchored_chain = (through == Some(0)).then(|| GENESIS.to_vec());
    let mut next = rows.next().transpose()?;
    while let Some(event) = next.take() {
        next = rows.next().transpose()?;
        report.events += 1;
        if event.action == AuditAction::VerifyDenied.as_str() {
            report.denials += u64::try_from(event.count).unwrap_or(0);
        }
        if report.problem.is_some() || pending {
            continue;
        }
        let expected = key.link(&prev, &event.fields());
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
                "the events from before the upgrade are not chained yet: open the store once where \
                    it can be written".into(),
            )),
            None => Some(problem(
                ProblemKind::Anchor,
                None,
                "the chain's anchor (audit_chain_anchor in meta) was removed".into(),
            )),
            Some(Some((through, sealed))) => {
                report.chained_at_upgrade = through;
                match anchored_chain {
                    Some(chain) if sealed_by(key, through, &chain, &sealed) => {
                        None
                    }
                    None if through > prev_id => Some(ChainProblem {
                        kind: ProblemKind::Removed,
                        event_id: Some(prev_id + 1),
                        at: None,
                        message: format!(
                            "events #{} to #{through} were removed (the log ends at #{prev_id}; \
                                the chain's anchor names #{through})",
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
        next.chain.as_deref() == Some(key.link(from, &next.fields()).as_slice())
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

/// Whether the anchor's seal holds over the chain value of the event it names.
fn sealed_by(key: &ChainKey, through: i64, chain: &[u8], sealed: &str) -> bool {
    constant_time_eq(key.anchor_mac(through, chain).as_bytes(), sealed.as_bytes())
}
