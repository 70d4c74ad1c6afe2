//! The clock watermark: the highest time any write has seen. "Now" is the later of the clock and
//! it, so setting the clock back never revives a token.
use rusqlite::Connection;

use crate::Authority;
use crate::clock::Timestamp;
use crate::error::Result;

/// How far the clock may lag the store's highest reading before people are told.
pub const CLOCK_BEHIND_WARNING_SECONDS: i64 = 5 * 60;

const WATERMARK: &str = "SELECT max_seen FROM clock_watermark WHERE id = 1";

/// The clock watermark outside a write, for reads that need "now".
pub(crate) fn watermark(conn: &Connection) -> Result<Timestamp> {
    Ok(conn.query_row(WATERMARK, [], |r| r.get(0))?)
}

impl Authority {
    /// The clock's reading, before the watermark is applied.
    pub(crate) fn clock_now(&self) -> Timestamp {
        self.clock.now()
    }

    /// "Now": the later of the clock and the highest time a write has seen, so setting the clock
    /// back never revives a token.
    pub fn now(&self) -> Result<Timestamp> {
        let seen = self.clock.now().max(watermark(&self.conn)?);
        // Denials waiting to be written count as seen (`audit_batch.rs`).
        Ok(self.audit.seen(seen))
    }

    /// How many seconds the clock lags the store's highest reading, when that is over five minutes.
    pub fn clock_behind_by(&self) -> Result<Option<i64>> {
        let lag = watermark(&self.conn)? - self.clock.now();
        Ok((lag > CLOCK_BEHIND_WARNING_SECONDS).then_some(lag))
    }
}
