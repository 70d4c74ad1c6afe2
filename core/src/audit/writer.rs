//! The audit side of an open store: the chain key attached to its connection, the denials
//! waiting to be written, and writing them.
use std::time::Instant;

use rusqlite::Connection;
use serde::Serialize;

use super::batch::PendingDenials;
use super::chain::{self, ChainKey};
use super::chain_check::{self, ChainReport};
use crate::Authority;
use crate::clock::Timestamp;
use crate::error::Result;
use crate::keys::MasterKey;
use crate::model::DenyReason;

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
        master: &MasterKey,
        just_upgraded: bool,
    ) -> Result<AuditWriter> {
        let chain = ChainKey::new(master);
        chain::attach(conn, &chain)?;
        if just_upgraded {
            chain::chain_old_events(conn, &chain)?;
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

    /// Queues one client's rate-limited denials of one second as one event.
    pub(crate) fn queue_rate_limited(&mut self, at: Timestamp, client: &str, denials: u64) {
        self.pending.push_rate_limited(at, client, denials);
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
    /// Checks the whole chain (`latchkey audit verify`, `doctor`). Needs the store and its key,
    /// no account: it shows no event, only whether and where the log was tampered with.
    pub fn verify_audit_chain(&self) -> Result<ChainReport> {
        chain_check::verify(&self.conn, &self.audit.chain)
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

    /// What is waiting and what was written (for metrics and benchmarks).
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
