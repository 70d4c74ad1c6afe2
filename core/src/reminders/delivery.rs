//! Due reminders read from the store, and their delivery recorded so that it never repeats.
use rusqlite::params;
use serde_json::json;

use super::schedule::{Delivered, DueReminder, ReminderCandidate, due};
use crate::Authority;
use crate::accounts::active_account;
use crate::audit::{AuditAction, SYSTEM_ACTOR};
use crate::error::{CoreError, Result};
use crate::model::Actor;
use crate::settings;

/// Tokens that may get reminders: not revoked, rotated or deleted, their owner active and not
/// muted; everyone's when ?1 is null, else one owner's.
const CANDIDATES: &str = "
    SELECT t.id, t.public_id, t.name, a.username, a.id, t.created_at, t.expires_at
    FROM tokens t JOIN accounts a ON a.id = t.owner_id
    WHERE t.revoked_at IS NULL AND t.rotated = 0 AND t.deleted_at IS NULL
      AND a.status = 'active' AND a.mute_reminders = 0 AND (?1 IS NULL OR t.owner_id = ?1)";
const DELIVERED: &str = "SELECT token_id, threshold_days FROM reminders_delivered";
const READ: &str = "SELECT token_id, threshold_days FROM reminders_read";
/// Recording twice changes nothing.
const MARK_DELIVERED: &str = "
    INSERT OR IGNORE INTO reminders_delivered (token_id, threshold_days, delivered_at)
    VALUES (?1, ?2, ?3)";

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
            ReminderMarks::Delivered => DELIVERED,
            ReminderMarks::Read => READ,
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
        let mut statement = self.conn.prepare_cached(CANDIDATES)?;
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
        let me = active_account(&self.conn, actor)?;
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
        self.change_as(SYSTEM_ACTOR, |c| {
            for reminder in reminders {
                let mut added = 0;
                let covered = reminder.covers.iter().copied();
                for threshold in std::iter::once(reminder.threshold_days).chain(covered) {
                    added += c.tx.execute(
                        MARK_DELIVERED,
                        params![reminder.token_row, threshold, c.now],
                    )?;
                }
                if added == 0 {
                    continue;
                }
                let details = json!({
                    "threshold_days": reminder.threshold_days, "owner": reminder.owner,
                });
                c.record(AuditAction::ReminderDelivered, &reminder.token_id, details)
                    .map_err(|e| match e {
                        CoreError::Store(m) => {
                            CoreError::Store(format!("recording a reminder: {m}"))
                        }
                        other => other,
                    })?;
            }
            Ok(())
        })
    }
}
