//! The in-app Reminders list: every token with a passed threshold, whether or not a notification
//! reached anyone (it is where reminders go when the desktop has no notification service), and
//! which of those someone has already seen in the window.
use rusqlite::params;
use serde::Serialize;

use super::delivery::{ReminderMarks, ReminderScope};
use super::schedule::{Delivered, DueReminder};
use crate::Authority;
use crate::error::Result;
use crate::model::Actor;

const MARK_READ: &str = "
    INSERT OR IGNORE INTO reminders_read (token_id, threshold_days, read_at) VALUES (?1, ?2, ?3)";

/// One line of the Reminders list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InboxItem {
    /// The reminder (flattened into the item).
    #[serde(flatten)]
    pub reminder: DueReminder,
    /// Whether nobody has seen it in the window yet.
    pub unread: bool,
}

impl Authority {
    fn inbox(&self, scope: ReminderScope) -> Result<Vec<InboxItem>> {
        let read = self.reminder_marks(ReminderMarks::Read)?;
        // Ignoring deliveries gives each token's most urgent passed threshold: its current state.
        let mut due = self.reminders_due_given(scope, &Delivered::new())?;
        due.sort_by_key(|r| (r.expires_at, r.token_row));
        let items = due
            .into_iter()
            .map(|reminder| InboxItem {
                unread: !read.contains(&(reminder.token_row, reminder.threshold_days)),
                reminder,
            })
            .collect();
        Ok(items)
    }

    /// The Reminders list the account sees (a member their own tokens, an administrator
    /// everyone's), soonest expiry first.
    pub fn reminder_list(&self, actor: Actor) -> Result<Vec<InboxItem>> {
        let scope = self.reminder_scope_for(actor)?;
        self.inbox(scope)
    }

    /// Unread reminders across the store: the number the tray shows.
    pub fn unread_reminder_count(&self) -> Result<usize> {
        Ok(self
            .inbox(ReminderScope::Everyone)?
            .iter()
            .filter(|item| item.unread)
            .count())
    }

    /// Marks what the account's list shows as read; returns how many were unread.
    pub fn mark_reminders_read(&mut self, actor: Actor) -> Result<usize> {
        let unread: Vec<DueReminder> = self
            .reminder_list(actor)?
            .into_iter()
            .filter(|item| item.unread)
            .map(|item| item.reminder)
            .collect();
        if unread.is_empty() {
            return Ok(0);
        }
        self.write(|tx, now| {
            for reminder in &unread {
                tx.execute(
                    MARK_READ,
                    params![reminder.token_row, reminder.threshold_days, now],
                )?;
            }
            Ok(())
        })?;
        Ok(unread.len())
    }
}
