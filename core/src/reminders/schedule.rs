//! The schedule as a pure function: which (token, threshold) pairs are due now. Days are 24-hour
//! periods counted back from the expiry instant; of several passed thresholds only the most
//! urgent is due.
use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::clock::{DAY, Timestamp};

/// (token row, threshold) pairs already delivered.
pub type Delivered = HashSet<(i64, i64)>;

/// The 0-day ("expired today") reminder is dropped once a token expired longer ago than this.
pub const EXPIRED_REMINDER_WINDOW: i64 = 7 * DAY;

/// The marks a reminder that is not about expiry is recorded under (delivered or read), in the
/// same (token, threshold) tables: each is delivered once per token.
pub const STALE_MARK: i64 = -1;
/// See [`STALE_MARK`]: the reminder that something still uses a rotated token.
pub const STILL_USED_MARK: i64 = -2;

/// What a reminder is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReminderKind {
    /// The token expires (or expired today).
    Expiry,
    /// The token has not been used for longer than the stale setting.
    Stale,
    /// The token was rotated, and something used it after its successor's first use.
    StillUsed,
}

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
    /// Where it is used.
    pub usage_note: Option<String>,
    /// The managing group, when the owner is a service account.
    pub managed_by: Option<String>,
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
    /// The threshold that is due (an expiry reminder's); null for the other kinds.
    #[serde(serialize_with = "threshold_or_null")]
    pub threshold_days: i64,
    /// "expires in 4 days", "expires today", "expired today", "expired 3 days ago"; for the
    /// other kinds "unused for 94 days", "still used after its rotation".
    pub when: String,
    /// What the reminder is about.
    pub kind: ReminderKind,
    /// Where the token is used: what to update.
    pub usage_note: Option<String>,
    /// The managing group, when the owner is a service account (its members are reminded).
    pub managed_by: Option<String>,
    /// The other tokens of the same owner that expire within the same day, reminded with this
    /// one so they are renewed in one sitting (their ids).
    pub expiring_together: Vec<String>,
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

fn threshold_or_null<S: serde::Serializer>(
    threshold: &i64,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    match *threshold >= 0 {
        true => serializer.serialize_i64(*threshold),
        false => serializer.serialize_none(),
    }
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
        out.push(expiry_reminder(
            now,
            token,
            most_urgent,
            &passed[1..],
            delivered,
        ));
    }
    expiring_together(now, tokens, delivered, schedule, &mut out);
    out.sort_by_key(|r| (r.expires_at, r.token_row));
    out
}

fn expiry_reminder(
    now: Timestamp,
    token: &ReminderCandidate,
    threshold: i64,
    larger: &[i64],
    delivered: &Delivered,
) -> DueReminder {
    let mut reminder = reminder_for(token, ReminderKind::Expiry, threshold, now);
    reminder.when = when(now, token.expires_at);
    reminder.covers = larger
        .iter()
        .copied()
        .filter(|t| !delivered.contains(&(token.token_row, *t)))
        .collect();
    reminder
}

/// A reminder of `kind` about `token`, its words still to be said.
pub(crate) fn reminder_for(
    token: &ReminderCandidate,
    kind: ReminderKind,
    threshold: i64,
    now: Timestamp,
) -> DueReminder {
    DueReminder {
        token_id: token.token_id.clone(),
        token_name: token.token_name.clone(),
        owner: token.owner.clone(),
        owner_id: token.owner_id,
        expires_at: token.expires_at,
        days_left: days_left(now, token.expires_at),
        threshold_days: threshold,
        when: String::new(),
        kind,
        usage_note: token.usage_note.clone(),
        managed_by: token.managed_by.clone(),
        expiring_together: Vec::new(),
        covers: Vec::new(),
        token_row: token.token_row,
    }
}

/// Tokens of one owner whose expiries lie within one day of the earliest of them expire
/// "together" (24-hour periods, as the schedule counts: no calendar or time zone). When one of
/// them has an expiry reminder due, the others not yet reminded at that threshold are reminded
/// with it, so a person renews them in one sitting; each then names the others.
fn expiring_together(
    now: Timestamp,
    tokens: &[ReminderCandidate],
    delivered: &Delivered,
    schedule: &[i64],
    out: &mut Vec<DueReminder>,
) {
    let mut due_at: HashMap<i64, usize> = out
        .iter()
        .enumerate()
        .map(|(index, r)| (r.token_row, index))
        .collect();
    for group in expiry_groups(tokens.iter().filter(|t| t.expires_at > now)) {
        let Some(threshold) = group
            .iter()
            .filter_map(|t| due_at.get(&t.token_row).map(|&i| out[i].threshold_days))
            .min()
        else {
            continue;
        };
        for token in &group {
            let lifetime_days = (token.expires_at - token.created_at) / DAY;
            let applies = schedule.contains(&threshold) && threshold < lifetime_days;
            if due_at.contains_key(&token.token_row)
                || !applies
                || delivered.contains(&(token.token_row, threshold))
            {
                continue;
            }
            let larger: Vec<i64> = schedule
                .iter()
                .copied()
                .filter(|&t| t > threshold && t < lifetime_days)
                .filter(|&t| now >= token.expires_at - t * DAY)
                .collect();
            due_at.insert(token.token_row, out.len());
            out.push(expiry_reminder(now, token, threshold, &larger, delivered));
        }
        // Each names the others, up to a few: a notice lists names, not thousands.
        let named: Vec<&str> = group
            .iter()
            .filter(|t| due_at.contains_key(&t.token_row))
            .map(|t| t.token_id.as_str())
            .take(TOGETHER_LISTED + 1)
            .collect();
        for token in &group {
            if let Some(&index) = due_at.get(&token.token_row) {
                out[index].expiring_together = named
                    .iter()
                    .filter(|id| **id != token.token_id)
                    .take(TOGETHER_LISTED)
                    .map(|id| id.to_string())
                    .collect();
            }
        }
    }
}

/// How many other tokens a reminder names as expiring with it.
pub const TOGETHER_LISTED: usize = 5;

/// Groups of two or more tokens of one owner expiring within a day of the group's first expiry,
/// soonest first.
pub fn expiry_groups<'a, T: Expiring + 'a>(tokens: impl Iterator<Item = &'a T>) -> Vec<Vec<&'a T>> {
    let mut sorted: Vec<&T> = tokens.collect();
    sorted.sort_by(|a, b| (a.owner_key(), a.expiry()).cmp(&(b.owner_key(), b.expiry())));
    let mut groups: Vec<Vec<&T>> = Vec::new();
    let mut current: Vec<&T> = Vec::new();
    for token in sorted {
        let joins = current.first().is_some_and(|first| {
            first.owner_key() == token.owner_key() && token.expiry() < first.expiry() + DAY
        });
        if !joins {
            if current.len() >= 2 {
                groups.push(std::mem::take(&mut current));
            }
            current.clear();
        }
        current.push(token);
    }
    if current.len() >= 2 {
        groups.push(current);
    }
    groups.sort_by_key(|g| g.first().map(|t| t.expiry()));
    groups
}

/// What expiry grouping needs of a token.
pub trait Expiring {
    /// Its owner (groups never mix owners).
    fn owner_key(&self) -> &str;
    /// When it expires.
    fn expiry(&self) -> Timestamp;
}

impl Expiring for ReminderCandidate {
    fn owner_key(&self) -> &str {
        &self.owner
    }
    fn expiry(&self) -> Timestamp {
        self.expires_at
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
            usage_note: None,
            managed_by: None,
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
    fn tokens_expiring_within_a_day_are_reminded_together() {
        let a = token(1, 365);
        let mut b = token(2, 365);
        b.expires_at += 20 * 3600;
        let mut c = token(3, 365);
        c.expires_at += 30 * 3600;
        let at = a.expires_at - 7 * DAY;
        let mut delivered = HashSet::new();
        for t in [30, 14] {
            for row in 1..=3 {
                delivered.insert((row, t));
            }
        }
        let due_now = due(at, &[a, b, c], &delivered, &SCHEDULE);
        let rows: Vec<(i64, i64)> = due_now
            .iter()
            .map(|r| (r.token_row, r.threshold_days))
            .collect();
        assert_eq!(
            rows,
            vec![(1, 7), (2, 7)],
            "the third expires more than a day later"
        );
        assert_eq!(due_now[0].expiring_together, vec!["tok_2".to_string()]);
        assert_eq!(due_now[1].expiring_together, vec!["tok_1".to_string()]);
        assert_eq!(due_now[1].days_left, 7);
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
