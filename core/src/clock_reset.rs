//! Resetting the clock watermark after a wrong clock was fixed. A reset never revives anything:
//! every time stamped while the clock ran ahead is first clamped to the reset moment, so what was
//! revoked, expired or locked during the skew stays so, and what was created during it lives no
//! longer, counted from the reset, than it was given.
use rusqlite::{Connection, params};
use serde_json::json;

use crate::Authority;
use crate::accounts::Need;
use crate::audit::{AuditAction, Change};
use crate::clock::{DAY, Timestamp};
use crate::error::Result;
use crate::model::{Actor, MAX_GRACE_DAYS};
use crate::store;

/// What a reset clamped, for its audit event and the person who ran it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ClockReset {
    /// The watermark before the reset.
    pub from: Timestamp,
    /// The clock's time, the watermark after it.
    pub to: Timestamp,
    /// Tokens whose revocation, expiry, grace period or creation was moved back to `to`.
    pub tokens_clamped: i64,
    /// Accounts whose sign-in lock, last sign-in or creation was moved back to `to`.
    pub accounts_clamped: i64,
}

/// Columns that only record when something happened: clamped to the reset moment.
const PLAIN_TIMES: [(&str, &str); 12] = [
    ("tokens", "last_used_at"),
    ("tokens", "first_used_at"),
    ("tokens", "used_after_successor_at"),
    ("tokens", "deleted_at"),
    ("accounts", "created_at"),
    ("accounts", "last_signin_at"),
    ("accounts", "last_failed_at"),
    ("signin_throttle", "last_failed_at"),
    ("systems", "onboarded_at"),
    ("groups", "created_at"),
    ("reminders_delivered", "delivered_at"),
    ("reminders_read", "read_at"),
];

impl Authority {
    /// After a wrong clock was fixed: trust the clock again (administrators; audited).
    pub fn reset_clock_watermark(&mut self, actor: Actor) -> Result<ClockReset> {
        // Denials waiting to be audited go first: written later, they would raise the watermark
        // again to the times they saw.
        // Not `write`: that would advance the watermark this resets.
        self.write_at_clock(|tx, to| {
            let me = Need::Admin.check(tx, actor)?;
            let from = store::watermark(tx)?;
            let mut reset = ClockReset {
                from,
                to,
                ..ClockReset::default()
            };
            if to < from {
                clamp(tx, &mut reset)?;
            }
            tx.execute(SET_WATERMARK, [to])?;
            let details = json!({
                "from": from, "to": to,
                "tokens_clamped": reset.tokens_clamped,
                "accounts_clamped": reset.accounts_clamped,
            });
            let change = Change::new(tx, to, &me.username);
            change.record(AuditAction::ClockReset, "clock", details)?;
            Ok(reset)
        })
    }
}

/// Tokens and accounts with a time stamped after the reset moment ?1 (tokens: or an expiry
/// between it and the old watermark ?2).
const CHANGED_TOKENS: &str = "
    SELECT count(*) FROM tokens WHERE created_at > ?1
        OR (revoked_at IS NOT NULL AND revoked_at > ?1) OR (expires_at > ?1 AND expires_at <= ?2)";
const CHANGED_ACCOUNTS: &str = "
    SELECT count(*) FROM accounts
    WHERE created_at > ?1 OR last_signin_at > ?1 OR last_failed_at > ?1";
const CLAMP_REVOCATIONS: &str =
    "UPDATE tokens SET revoked_at = ?1 WHERE revoked_at > ?1 AND revoked_at <= ?2";
/// ?3: the reset moment plus the longest grace period.
const CLAMP_GRACE_PERIODS: &str = "
    UPDATE tokens SET revoked_at = min(?3, revoked_at - max(0,
        coalesce((SELECT max(s.created_at) FROM tokens s WHERE s.predecessor_id = tokens.id), ?2)
        - ?1))
    WHERE revoked_at > ?2";
/// The latest a rotated token may retire moves back as its grace period does (?3 as above).
const CLAMP_GRACE_BOUNDS: &str = "
    UPDATE tokens SET grace_until = min(?3, grace_until - max(0,
        coalesce((SELECT max(s.created_at) FROM tokens s WHERE s.predecessor_id = tokens.id), ?2)
        - ?1))
    WHERE grace_until > ?1";
const CLAMP_EXPIRIES: &str = "
    UPDATE tokens SET expires_at = CASE
        WHEN expires_at <= ?2 THEN min(expires_at, ?1)
        ELSE expires_at - max(0, created_at - ?1) END
    WHERE expires_at > ?1";
const CLAMP_CREATIONS: &str = "UPDATE tokens SET created_at = ?1 WHERE created_at > ?1";
const SET_WATERMARK: &str = "UPDATE clock_watermark SET max_seen = ?1 WHERE id = 1";

/// Moves every time stamped after `reset.to` back to it, keeping what was in effect at the old
/// watermark in effect.
fn clamp(tx: &Connection, reset: &mut ClockReset) -> Result<()> {
    let (to, from) = (reset.to, reset.from);
    reset.tokens_clamped = tx.query_row(CHANGED_TOKENS, params![to, from], |r| r.get(0))?;
    reset.accounts_clamped = tx.query_row(CHANGED_ACCOUNTS, [to], |r| r.get(0))?;
    // A revocation in effect at the old watermark stays in effect (first, so the
    // grace periods moved back below are not caught here).
    tx.execute(CLAMP_REVOCATIONS, params![to, from])?;
    // A grace period still running at the old watermark was set by a rotation; it keeps its
    // length from the rotation, and the rotation is moved back to the reset moment.
    // Without its successor (a restore can leave that), the rotation counts as made at the old
    // watermark; either way no grace period outlasts its maximum from the reset.
    let longest = to + MAX_GRACE_DAYS * DAY;
    tx.execute(CLAMP_GRACE_PERIODS, params![to, from, longest])?;
    tx.execute(CLAMP_GRACE_BOUNDS, params![to, from, longest])?;
    // An expiry that had passed stays passed; a token created during the skew keeps its
    // lifetime, counted from the reset.
    tx.execute(CLAMP_EXPIRIES, params![to, from])?;
    tx.execute(CLAMP_CREATIONS, [to])?;
    for (table, column) in PLAIN_TIMES {
        tx.execute(
            &format!("UPDATE {table} SET {column} = ?1 WHERE {column} > ?1"),
            [to],
        )?;
    }
    Ok(())
}
