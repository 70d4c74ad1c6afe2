//! Expiry reminders: which (token, threshold) pairs are due now, as a pure function, and
//! recording a delivery so it never repeats.
use std::collections::HashSet;

use rusqlite::params;
use serde::Serialize;

use crate::authority::Authority;
use crate::clock::{DAY, Timestamp};
use crate::error::{CoreError, Result};
use crate::model::Actor;
use crate::{audit, settings};

/// (token row, threshold) pairs already delivered.
pub type Delivered = HashSet<(i64, i64)>;

/// The 0-day ("expired today") reminder is dropped once a token expired longer ago than this.
pub const EXPIRED_REMINDER_WINDOW: i64 = 7 * DAY;

/// A token that may get reminders: active (or expired, for the 0-day one), not revoked, rotated
/// or deleted, its owner active and not muted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderCandidate {
    pub token_row: i64,
    pub token_id: String,
    pub token_name: String,
    pub owner: String,
    pub owner_id: i64,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueReminder {
    pub token_id: String,
    pub token_name: String,
    pub owner: String,
    pub expires_at: Timestamp,
    pub days_left: i64,
    pub threshold_days: i64,
    /// "expires in 4 days", "expires today", "expired today", "expired 3 days ago".
    pub when: String,
    #[serde(skip)]
    pub owner_id: i64,
    /// Larger thresholds that also passed unseen; they count as delivered with this one.
    #[serde(skip)]
    pub covers: Vec<i64>,
    #[serde(skip)]
    pub token_row: i64,
}

/// Whole days left before expiry, rounded down, never below zero.
pub fn days_left(now: Timestamp, expires_at: Timestamp) -> i64 {
    ((expires_at - now).max(0)) / DAY
}

/// How a reminder says when the token expires(d), in whole days.
pub fn when(now: Timestamp, expires_at: Timestamp) -> String {
    if now >= expires_at {
        return match (now - expires_at) / DAY {
            0 => "expired today".into(),
            1 => "expired yesterday".into(),
            n => format!("expired {n} days ago"),
        };
    }
    match days_left(now, expires_at) {
        0 => "expires today".into(),
        1 => "expires in 1 day".into(),
        n => format!("expires in {n} days"),
    }
}

/// The reminders due at `now`. A threshold T applies only when T is smaller than the token's
/// lifetime in days, and is due from `expires_at − T days`. Of several passed, undelivered
/// thresholds only the most urgent (smallest) is due; the others are covered by it.
pub fn due(
    now: Timestamp,
    tokens: &[ReminderCandidate],
    delivered: &Delivered,
    schedule: &[i64],
) -> Vec<DueReminder> {
    let mut out = Vec::new();
    for token in tokens {
        let lifetime_days = (token.expires_at - token.created_at) / DAY;
        let mut passed: Vec<i64> = schedule
            .iter()
            .copied()
            .filter(|&t| t >= 0 && t < lifetime_days)
            .filter(|&t| now >= token.expires_at - t * DAY)
            .collect();
        passed.sort_unstable();
        passed.dedup();
        let Some(&most_urgent) = passed.first() else {
            continue;
        };
        let too_late = most_urgent == 0 && now > token.expires_at + EXPIRED_REMINDER_WINDOW;
        if too_late || delivered.contains(&(token.token_row, most_urgent)) {
            continue;
        }
        out.push(DueReminder {
            token_id: token.token_id.clone(),
            token_name: token.token_name.clone(),
            owner: token.owner.clone(),
            owner_id: token.owner_id,
            expires_at: token.expires_at,
            days_left: days_left(now, token.expires_at),
            threshold_days: most_urgent,
            when: when(now, token.expires_at),
            covers: passed[1..]
                .iter()
                .copied()
                .filter(|t| !delivered.contains(&(token.token_row, *t)))
                .collect(),
            token_row: token.token_row,
        });
    }
    out.sort_by_key(|r| (r.expires_at, r.token_row));
    out
}

/// The two sets of (token, threshold) marks the store keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReminderMarks {
    /// Delivered by the app (a notification, or the summary that covered it).
    Delivered,
    /// Seen in the window's Reminders list.
    Read,
}

impl ReminderMarks {
    fn select(self) -> &'static str {
        match self {
            ReminderMarks::Delivered => "SELECT token_id, threshold_days FROM reminders_delivered",
            ReminderMarks::Read => "SELECT token_id, threshold_days FROM reminders_read",
        }
    }
}

/// Whose reminders to compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderScope {
    /// Every account's (the app on a shared installation).
    Everyone,
    /// One account's own tokens.
    Account(i64),
}

impl Authority {
    pub(crate) fn reminder_candidates(
        &self,
        scope: ReminderScope,
    ) -> Result<Vec<ReminderCandidate>> {
        let owner = match scope {
            ReminderScope::Everyone => None,
            ReminderScope::Account(id) => Some(id),
        };
        let mut statement = self.conn.prepare_cached(
            "SELECT t.id, t.public_id, t.name, a.username, a.id, t.created_at, t.expires_at
             FROM tokens t JOIN accounts a ON a.id = t.owner_id
             WHERE t.revoked_at IS NULL AND t.rotated = 0 AND t.deleted_at IS NULL
               AND a.status = 'active' AND a.mute_reminders = 0 AND (?1 IS NULL OR t.owner_id = ?1)",
        )?;
        let tokens = statement
            .query_map([owner], |r| {
                Ok(ReminderCandidate {
                    token_row: r.get(0)?,
                    token_id: r.get(1)?,
                    token_name: r.get(2)?,
                    owner: r.get(3)?,
                    owner_id: r.get(4)?,
                    created_at: r.get(5)?,
                    expires_at: r.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(tokens)
    }

    /// (token row, threshold) pairs recorded in `table` (delivered or read).
    pub(crate) fn reminder_marks(&self, table: ReminderMarks) -> Result<Delivered> {
        let mut statement = self.conn.prepare_cached(table.select())?;
        let marks = statement
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Delivered>>()?;
        Ok(marks)
    }

    /// The scope an account sees: a member their own tokens, an administrator everyone's.
    pub(crate) fn reminder_scope_for(&self, actor: Actor) -> Result<ReminderScope> {
        let me = Self::active_account(&self.conn, actor)?;
        Ok(if me.is_admin() {
            ReminderScope::Everyone
        } else {
            ReminderScope::Account(me.id)
        })
    }

    /// Reminders due now in `scope`, with the current schedule.
    pub fn reminders_due(&self, scope: ReminderScope) -> Result<Vec<DueReminder>> {
        let tokens = self.reminder_candidates(scope)?;
        let delivered = self.reminder_marks(ReminderMarks::Delivered)?;
        let schedule = settings::load(&self.conn)?.reminder_schedule;
        Ok(due(self.now()?, &tokens, &delivered, &schedule))
    }

    /// What `latchkey reminders due` shows: a member's own, an administrator's everyone's.
    pub fn reminders_due_for(&self, actor: Actor) -> Result<Vec<DueReminder>> {
        let scope = self.reminder_scope_for(actor)?;
        self.reminders_due(scope)
    }

    /// Records that a reminder was delivered (and the larger thresholds it covered), so it is
    /// never shown again. Recording twice changes nothing.
    pub fn record_reminder_delivered(&mut self, reminder: &DueReminder) -> Result<()> {
        self.record_reminders_delivered(std::slice::from_ref(reminder))
    }

    /// Records several deliveries (a summary notification's) in one transaction.
    pub fn record_reminders_delivered(&mut self, reminders: &[DueReminder]) -> Result<()> {
        self.write(|tx, now| {
            for reminder in reminders {
                let mut added = 0;
                for threshold in std::iter::once(reminder.threshold_days).chain(reminder.covers.iter().copied()) {
                    added += tx.execute(
                        "INSERT OR IGNORE INTO reminders_delivered (token_id, threshold_days, delivered_at) VALUES (?1, ?2, ?3)",
                        params![reminder.token_row, threshold, now],
                    )?;
                }
                if added == 0 {
                    continue;
                }
                audit::record(tx, now, audit::SYSTEM_ACTOR, "reminder.delivered", &reminder.token_id, serde_json::json!({
                    "threshold_days": reminder.threshold_days, "owner": reminder.owner,
                }))
                .map_err(|e| match e {
                    CoreError::Store(m) => CoreError::Store(format!("recording a reminder: {m}")),
                    other => other,
                })?;
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(row: i64, lifetime_days: i64) -> ReminderCandidate {
        ReminderCandidate {
            token_row: row,
            token_id: format!("tok_{row}"),
            token_name: format!("t{row}"),
            owner: "alice".into(),
            owner_id: 1,
            created_at: 0,
            expires_at: lifetime_days * DAY,
        }
    }

    const SCHEDULE: [i64; 6] = [30, 14, 7, 3, 1, 0];

    #[test]
    fn when_counts_whole_days_either_side_of_expiry() {
        let at = 100 * DAY;
        assert_eq!(when(at - 4 * DAY - 1, at), "expires in 4 days");
        assert_eq!(when(at - DAY, at), "expires in 1 day");
        assert_eq!(when(at - 1, at), "expires today");
        assert_eq!(when(at, at), "expired today");
        assert_eq!(when(at + DAY, at), "expired yesterday");
        assert_eq!(when(at + 3 * DAY + 5, at), "expired 3 days ago");
    }

    #[test]
    fn nothing_is_due_before_the_first_threshold() {
        let t = token(1, 365);
        assert!(
            due(
                t.expires_at - 30 * DAY - 1,
                &[t],
                &HashSet::new(),
                &SCHEDULE
            )
            .is_empty()
        );
    }

    #[test]
    fn each_threshold_becomes_due_at_its_instant() {
        let t = token(1, 365);
        let at = t.expires_at - 30 * DAY;
        let due_now = due(at, std::slice::from_ref(&t), &HashSet::new(), &SCHEDULE);
        assert_eq!(due_now.len(), 1);
        assert_eq!((due_now[0].threshold_days, due_now[0].days_left), (30, 30));
    }

    #[test]
    fn the_zero_day_reminder_is_dropped_a_week_after_expiry() {
        let t = token(1, 365);
        let within = due(
            t.expires_at + 7 * DAY,
            std::slice::from_ref(&t),
            &HashSet::new(),
            &SCHEDULE,
        );
        assert_eq!((within[0].threshold_days, within[0].days_left), (0, 0));
        assert!(due(t.expires_at + 7 * DAY + 1, &[t], &HashSet::new(), &SCHEDULE).is_empty());
    }
}
