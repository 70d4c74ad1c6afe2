//! Due reminders read from the store, and their delivery recorded so that it never repeats.
use rusqlite::params;
use serde_json::json;

use super::schedule::{Delivered, DueReminder, ReminderCandidate, ReminderKind, due};
use crate::Authority;
use crate::accounts::active_account;
use crate::audit::{AuditAction, SYSTEM_ACTOR};
use crate::error::{CoreError, Result};
use crate::model::Actor;
use crate::settings;

/// Whose tokens a scope covers: everyone's when ?1 is null, else account ?1's own and those of
/// the service accounts it manages (their managing group's members get their reminders).
pub(super) const IN_SCOPE: &str = "(?1 IS NULL OR t.owner_id = ?1 OR t.owner_id IN (
        SELECT s.id FROM accounts s JOIN group_members m ON m.group_id = s.managed_by
        WHERE s.kind = 'service' AND m.account_id = ?1))";
/// A reminder candidate's columns.
pub(super) const CANDIDATE_COLUMNS: &str = "t.id, t.public_id, t.name, a.username, a.id,
    t.created_at, t.expires_at, t.usage_note,
    (SELECT g.name FROM groups g WHERE g.id = a.managed_by)";
/// Tokens that may get expiry reminders: not revoked, rotated or deleted, their owner active and
/// not muted.
const CANDIDATES: &str = "
    t.revoked_at IS NULL AND t.rotated = 0 AND t.deleted_at IS NULL
    AND a.status = 'active' AND a.mute_reminders = 0";
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
        self.candidates_where(CANDIDATES, owner, &[])
    }

    /// Reminder candidates matching `condition` (over `tokens t JOIN accounts a`) in the scope of
    /// account `owner` (everyone when None), with `more` parameters from ?2 on.
    pub(super) fn candidates_where(
        &self,
        condition: &str,
        owner: Option<i64>,
        more: &[i64],
    ) -> Result<Vec<ReminderCandidate>> {
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT {CANDIDATE_COLUMNS} FROM tokens t JOIN accounts a ON a.id = t.owner_id
             WHERE {condition} AND {IN_SCOPE}"
        ))?;
        let mut parameters: Vec<rusqlite::types::Value> = vec![owner.into()];
        parameters.extend(more.iter().map(|&v| rusqlite::types::Value::from(v)));
        let tokens = statement
            .query_map(rusqlite::params_from_iter(parameters), |r| {
                Ok(ReminderCandidate {
                    token_row: r.get(0)?,
                    token_id: r.get(1)?,
                    token_name: r.get(2)?,
                    owner: r.get(3)?,
                    owner_id: r.get(4)?,
                    created_at: r.get(5)?,
                    expires_at: r.get(6)?,
                    usage_note: r.get(7)?,
                    managed_by: r.get(8)?,
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

    /// Reminders due now in `scope`, with the current schedule: expiry (tokens expiring within
    /// a day of each other together), then stale tokens and rotated tokens still in use.
    pub fn reminders_due(&self, scope: ReminderScope) -> Result<Vec<DueReminder>> {
        let delivered = self.reminder_marks(ReminderMarks::Delivered)?;
        self.reminders_due_given(scope, &delivered)
    }

    /// Reminders due in `scope` when `delivered` were delivered (the inbox passes none).
    pub(super) fn reminders_due_given(
        &self,
        scope: ReminderScope,
        delivered: &Delivered,
    ) -> Result<Vec<DueReminder>> {
        let tokens = self.reminder_candidates(scope)?;
        let settings = settings::load(&self.conn)?;
        let now = self.now()?;
        let mut out = due(now, &tokens, delivered, &settings.reminder_schedule);
        out.extend(self.usage_reminders(scope, now, settings.stale_after_days, delivered)?);
        Ok(out)
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
                let mut details = json!({
                    "threshold_days": reminder.threshold_days, "owner": reminder.owner,
                });
                if reminder.kind != ReminderKind::Expiry {
                    details = json!({"kind": reminder.kind, "owner": reminder.owner});
                }
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
