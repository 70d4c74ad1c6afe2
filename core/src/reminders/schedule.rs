//! The schedule as a pure function: which (token, threshold) pairs are due now. Days are 24-hour
//! periods counted back from the expiry instant; of several passed thresholds only the most
//! urgent is due.
use std::collections::HashSet;

use serde::Serialize;

use crate::clock::{DAY, Timestamp};

/// (token row, threshold) pairs already delivered.
pub type Delivered = HashSet<(i64, i64)>;

/// The 0-day ("expired today") reminder is dropped once a token expired longer ago than this.
pub const EXPIRED_REMINDER_WINDOW: i64 = 7 * DAY;

/// A token that may get reminders: active (or expired, for the 0-day one), not revoked, rotated
/// or deleted, its owner active and not muted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderCandidate {
    /// The token's row id.
    pub token_row: i64,
    /// Its public id.
    pub token_id: String,
    /// Its name.
    pub token_name: String,
    /// Its owner's username.
    pub owner: String,
    /// Its owner's row id.
    pub owner_id: i64,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it expires.
    pub expires_at: Timestamp,
}

/// A reminder due now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueReminder {
    /// The token's public id.
    pub token_id: String,
    /// Its name.
    pub token_name: String,
    /// Its owner's username.
    pub owner: String,
    /// When it expires.
    pub expires_at: Timestamp,
    /// Whole days left, never below 0.
    pub days_left: i64,
    /// The threshold that is due.
    pub threshold_days: i64,
    /// "expires in 4 days", "expires today", "expired today", "expired 3 days ago".
    pub when: String,
    /// The owner's row id (not serialised).
    #[serde(skip)]
    pub owner_id: i64,
    /// Larger thresholds that also passed unseen; they count as delivered with this one.
    #[serde(skip)]
    pub covers: Vec<i64>,
    /// The token's row id (not serialised).
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
