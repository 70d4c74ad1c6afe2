//! Write transactions: short, `BEGIN IMMEDIATE`, each first advancing the clock watermark (so
//! "now" never goes back), and refused on a store replaced since it was opened.
use super::identity::Store;
use super::watermark::watermark;
use crate::Authority;
use crate::clock::Timestamp;
use crate::error::Result;

const ADVANCE_WATERMARK: &str = "UPDATE clock_watermark SET max_seen = ?1 WHERE id = 1";

/// Runs `body` in a `BEGIN IMMEDIATE` transaction, first advancing the clock watermark, and
/// hands it "now": the later of the clock and the highest time any write has seen.
pub(crate) fn write<T>(
    conn: &mut Store,
    clock_now: Timestamp,
    body: impl FnOnce(&rusqlite::Transaction<'_>, Timestamp) -> Result<T>,
) -> Result<T> {
    let tx = conn.begin_write()?;
    let seen: Timestamp = watermark(&tx)?;
    let now = seen.max(clock_now);
    if now > seen {
        tx.execute(ADVANCE_WATERMARK, [now])?;
    }
    let value = body(&tx, now)?;
    tx.commit()?;
    Ok(value)
}

const RELAXED: &str = "PRAGMA synchronous = NORMAL";

const DURABLE: &str = "PRAGMA synchronous = FULL";

/// A write transaction committed with `PRAGMA synchronous = NORMAL` (then FULL again) that does
/// not advance the clock watermark ("now" is still the later of the two). In WAL mode such a
/// commit survives the process dying but may be lost with the machine's power until the next
/// FULL commit syncs the log, which makes every earlier commit durable too. Only for sign-in
/// bookkeeping, which stamps nothing lasting and whose loss is harmless or followed by a FULL
/// commit before anyone is answered: a sign-in that changes nothing leaves the store as it was
/// (SPEC §8: sign-in costs what argon2id costs).
pub(crate) fn write_relaxed<T>(
    conn: &mut Store,
    clock_now: Timestamp,
    body: impl FnOnce(&rusqlite::Transaction<'_>, Timestamp) -> Result<T>,
) -> Result<T> {
    // The level cannot change inside a transaction, so it is set around one.
    conn.execute_batch(RELAXED)?;
    let result = (|| -> Result<T> {
        let tx = conn.begin_write()?;
        let now = watermark(&tx)?.max(clock_now);
        let value = body(&tx, now)?;
        tx.commit()?;
        Ok(value)
    })();
    let restored = conn.execute_batch(DURABLE);
    let value = result?;
    restored?;
    Ok(value)
}

impl Authority {
    /// A write transaction (`store::write`). Denials waiting to be audited are written first, in
    /// the same transaction, so the log keeps its order; they wait again if it does not commit.
    pub(crate) fn write<T>(
        &mut self,
        body: impl FnOnce(&rusqlite::Transaction<'_>, Timestamp) -> Result<T>,
    ) -> Result<T> {
        let now = self.clock_now();
        let denials = self.audit.take_pending();
        let written = write(&mut self.conn, now, |tx, now| {
            denials.write(tx)?;
            body(tx, now)
        });
        self.audit.settle(denials, written.is_ok());
        written
    }

    /// A write without a sync of its own that leaves the watermark (`store::write_relaxed`).
    pub(crate) fn write_relaxed<T>(
        &mut self,
        body: impl FnOnce(&rusqlite::Transaction<'_>, Timestamp) -> Result<T>,
    ) -> Result<T> {
        let now = self.clock_now();
        write_relaxed(&mut self.conn, now, body)
    }

    /// A write transaction at the clock's own time that leaves the watermark as it is (only a
    /// clock reset, which sets it): the denials waiting to be audited are written first, in a
    /// transaction of their own, since written later they would raise it again.
    pub(crate) fn write_at_clock<T>(
        &mut self,
        body: impl FnOnce(&rusqlite::Transaction<'_>, Timestamp) -> Result<T>,
    ) -> Result<T> {
        self.flush_audit()?;
        let now = self.clock_now();
        let tx = self.conn.begin_write()?;
        let value = body(&tx, now)?;
        tx.commit()?;
        Ok(value)
    }
}
