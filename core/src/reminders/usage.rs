//! Reminders about how a token is used rather than when it expires: a token nobody used for
//! longer than the stale setting (one reminder), and a rotated token something still used after
//! its successor's first use (one reminder: update the place that still holds the old secret).
use std::collections::HashMap;

use super::delivery::ReminderScope;
use super::schedule::{
    Delivered, DueReminder, ReminderKind, STALE_MARK, STILL_USED_MARK, reminder_for,
};
use crate::Authority;
use crate::clock::{DAY, Timestamp};
use crate::error::Result;

/// Active tokens quiet since before ?2 (never used ones: created before it), at ?3.
const STALE: &str = "
    t.revoked_at IS NULL AND t.rotated = 0 AND t.deleted_at IS NULL AND t.expires_at > ?3
    AND coalesce(t.last_used_at, t.created_at) <= ?2
    AND a.status = 'active' AND a.mute_reminders = 0";
/// Rotated tokens used after their successor's first use, that use later than ?2.
const STILL_USED: &str = "
    t.rotated = 1 AND t.deleted_at IS NULL AND t.used_after_successor_at > ?2
    AND a.status = 'active' AND a.mute_reminders = 0";
const QUIET_SINCE: &str = "
    SELECT id, coalesce(last_used_at, created_at) FROM tokens
    WHERE revoked_at IS NULL AND deleted_at IS NULL AND coalesce(last_used_at, created_at) <= ?1";
/// A still-used reminder is dropped a week after that use (the old token has retired by then).
const STILL_USED_WINDOW: i64 = 7 * DAY;

impl Authority {
    pub(super) fn usage_reminders(
        &self,
        scope: ReminderScope,
        now: Timestamp,
        stale_after_days: i64,
        delivered: &Delivered,
    ) -> Result<Vec<DueReminder>> {
        let owner = match scope {
            ReminderScope::Everyone => None,
            ReminderScope::Account(id) => Some(id),
        };
        let mut out = Vec::new();
        let cutoff = now - stale_after_days * DAY;
        let stale = self.candidates_where(STALE, owner, &[cutoff, now])?;
        let quiet_since = self.quiet_since(!stale.is_empty(), cutoff)?;
        for token in stale {
            if delivered.contains(&(token.token_row, STALE_MARK)) {
                continue;
            }
            let quiet = quiet_since.get(&token.token_row).copied().unwrap_or(cutoff);
            let mut reminder = reminder_for(&token, ReminderKind::Stale, STALE_MARK, now);
            reminder.when = format!("unused for {} days", (now - quiet).max(0) / DAY);
            out.push(reminder);
        }
        let since = now - STILL_USED_WINDOW;
        for token in self.candidates_where(STILL_USED, owner, &[since])? {
            if delivered.contains(&(token.token_row, STILL_USED_MARK)) {
                continue;
            }
            let mut reminder = reminder_for(&token, ReminderKind::StillUsed, STILL_USED_MARK, now);
            reminder.when = "still used after its rotation".into();
            out.push(reminder);
        }
        Ok(out)
    }

    /// When each token quiet since before `cutoff` was last used (or created, if never): one
    /// query, not one per token.
    fn quiet_since(&self, wanted: bool, cutoff: Timestamp) -> Result<HashMap<i64, Timestamp>> {
        if !wanted {
            return Ok(HashMap::new());
        }
        let mut statement = self.conn.prepare_cached(QUIET_SINCE)?;
        let rows = statement.query_map([cutoff], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
