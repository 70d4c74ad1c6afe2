//! What the desktop shows for due reminders: one notice per token up to a small limit, then one
//! summary for the rest, and the words on each. The shell only hands them to the OS.
use std::collections::HashMap;

use super::schedule::{DueReminder, ReminderKind};
use crate::clock::{Timestamp, rfc3339};

/// Individual notifications shown at once before the rest are summed up in one.
pub const NOTICE_LIMIT: usize = 3;

/// One desktop notification.
// A few at a time, each shown and dropped: boxing `One` would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// One token's reminder.
    One(DueReminder),
    /// Tokens of one owner that expire within the same day: renew them in one sitting.
    Together(Vec<DueReminder>),
    /// The reminders beyond the limit, in one notification.
    Summary(Vec<DueReminder>),
}

/// Groups due reminders (soonest expiry first) into what to show: tokens expiring together in
/// one notice, then one notice each up to `limit`, then one summary.
pub fn notices(due: Vec<DueReminder>, limit: usize) -> Vec<Notice> {
    let mut shown: Vec<Notice> = Vec::new();
    // Which notice each token joined, so a token expiring with it joins the same one.
    let mut notice_of: HashMap<String, usize> = HashMap::new();
    for reminder in due {
        let joined = reminder
            .expiring_together
            .iter()
            .find_map(|id| notice_of.get(id).copied());
        let id = reminder.token_id.clone();
        match joined {
            Some(index) => {
                match &mut shown[index] {
                    Notice::Together(group) => group.push(reminder),
                    notice => {
                        *notice = Notice::Together(vec![notice.reminders()[0].clone(), reminder])
                    }
                }
                notice_of.insert(id, index);
            }
            None => {
                notice_of.insert(id, shown.len());
                shown.push(Notice::One(reminder));
            }
        }
    }
    if shown.len() <= limit {
        return shown;
    }
    let rest: Vec<DueReminder> = shown
        .split_off(limit)
        .iter()
        .flat_map(|notice| notice.reminders().to_vec())
        .collect();
    shown.push(Notice::Summary(rest));
    shown
}

impl Notice {
    /// The reminders this notice delivers, all recorded once it was shown.
    pub fn reminders(&self) -> &[DueReminder] {
        match self {
            Notice::One(reminder) => std::slice::from_ref(reminder),
            Notice::Together(group) | Notice::Summary(group) => group,
        }
    }

    /// The token a click opens, when there is exactly one.
    pub fn token_id(&self) -> Option<&str> {
        match self {
            Notice::One(reminder) => Some(&reminder.token_id),
            Notice::Together(_) | Notice::Summary(_) => None,
        }
    }

    /// The notification's title.
    pub fn title(&self) -> String {
        match self {
            Notice::One(r) => match r.kind {
                ReminderKind::Expiry => format!("Token \"{}\" {}", r.token_name, r.when),
                ReminderKind::Stale => format!("Token \"{}\" is {}", r.token_name, r.when),
                ReminderKind::StillUsed => format!(
                    "Something still uses token \"{}\" after its rotation",
                    r.token_name
                ),
            },
            Notice::Together(group) => format!(
                "{} tokens expire together: {}",
                group.len(),
                group.first().map_or("", |r| r.when.as_str())
            ),
            Notice::Summary(rest) if rest.len() == 1 => "and 1 more token expires soon".to_string(),
            Notice::Summary(rest) => format!("and {} more tokens expire soon", rest.len()),
        }
    }

    /// The expiry date, and the owner when the token is not the signed-in account's (`viewer`).
    pub fn body(&self, viewer: Option<i64>) -> String {
        match self {
            Notice::One(r) => {
                let mut body = match r.kind {
                    ReminderKind::Expiry => format!("Expires {}.", utc_minute(r.expires_at)),
                    ReminderKind::Stale => "Nothing has used it for a long time.".to_string(),
                    ReminderKind::StillUsed => "The old token was used after its replacement \
                        was first used, so some place still holds the old secret."
                        .to_string(),
                };
                body.push_str(&owner_words(r, viewer));
                body.push_str(match r.kind {
                    ReminderKind::Expiry => " Create a replacement before it stops working",
                    ReminderKind::Stale => " Revoke it if nothing needs it any more",
                    ReminderKind::StillUsed => {
                        " Put the new token there before the old one retires"
                    }
                });
                match &r.usage_note {
                    Some(note) if r.kind != ReminderKind::Stale => {
                        body.push_str(&format!(" and update it where it is used: {note}."));
                    }
                    Some(note) => body.push_str(&format!(". Used in: {note}.")),
                    None => body.push('.'),
                }
                body
            }
            Notice::Together(group) => {
                let names: Vec<String> = group
                    .iter()
                    .take(10)
                    .map(|r| match &r.usage_note {
                        Some(note) => format!("{} (used in {note})", r.token_name),
                        None => r.token_name.clone(),
                    })
                    .collect();
                let mut body = names.join(", ");
                let more = group.len().saturating_sub(names.len());
                if more > 0 {
                    body.push_str(&format!(" and {more} others"));
                }
                body.push('.');
                if let Some(first) = group.first() {
                    body.push_str(&owner_words(first, viewer));
                    body.push_str(&format!(
                        " The first expires {}. Renew them in one sitting.",
                        utc_minute(first.expires_at)
                    ));
                }
                body
            }
            Notice::Summary(rest) => {
                let names: Vec<String> = rest
                    .iter()
                    .take(10)
                    .map(|r| format!("{} ({})", r.token_name, r.when))
                    .collect();
                let more = rest.len().saturating_sub(names.len());
                let mut body = names.join(", ");
                if more > 0 {
                    body.push_str(&format!(" and {more} others"));
                }
                body.push_str(". Open Latchkey's Reminders list to see them all.");
                body
            }
        }
    }
}

/// " Owner: name." when the token is not the viewer's; a service account's names its group.
fn owner_words(r: &DueReminder, viewer: Option<i64>) -> String {
    match (&r.managed_by, viewer == Some(r.owner_id)) {
        (Some(group), _) => format!(" Owner: service account {} (group {group}).", r.owner),
        (None, false) => format!(" Owner: {}.", r.owner),
        (None, true) => String::new(),
    }
}

/// `2026-12-03 14:00 UTC`: days are counted from the expiry instant, so the time matters.
pub fn utc_minute(at: Timestamp) -> String {
    let text = rfc3339(at);
    match (text.get(..10), text.get(11..16)) {
        (Some(date), Some(time)) => format!("{date} {time} UTC"),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reminder(row: i64, owner_id: i64, when: &str) -> DueReminder {
        DueReminder {
            token_id: format!("tok_{row:016x}"),
            token_name: format!("token {row}"),
            owner: "alice".into(),
            expires_at: 1_767_225_600,
            days_left: 4,
            threshold_days: 7,
            when: when.into(),
            owner_id,
            covers: vec![],
            token_row: row,
            kind: ReminderKind::Expiry,
            usage_note: None,
            managed_by: None,
            expiring_together: vec![],
        }
    }

    #[test]
    fn up_to_the_limit_each_reminder_is_its_own_notice() {
        let due: Vec<_> = (1..=3)
            .map(|i| reminder(i, 1, "expires in 4 days"))
            .collect();
        let shown = notices(due, 3);
        assert_eq!(shown.len(), 3);
        assert!(shown.iter().all(|n| matches!(n, Notice::One(_))));
    }

    #[test]
    fn beyond_the_limit_the_rest_is_one_summary() {
        let due: Vec<_> = (1..=10)
            .map(|i| reminder(i, 1, "expires in 4 days"))
            .collect();
        let shown = notices(due, 3);
        assert_eq!(shown.len(), 4);
        let Notice::Summary(rest) = &shown[3] else {
            panic!("no summary: {shown:?}");
        };
        assert_eq!(rest.len(), 7);
        assert_eq!(shown[3].title(), "and 7 more tokens expire soon");
        assert_eq!(shown[3].token_id(), None);
        assert!(
            shown[3]
                .body(None)
                .starts_with("token 4 (expires in 4 days), token 5")
        );
    }

    #[test]
    fn a_notice_names_the_token_its_expiry_and_a_foreign_owner() {
        let notice = Notice::One(reminder(1, 7, "expires in 4 days"));
        assert_eq!(notice.title(), "Token \"token 1\" expires in 4 days");
        let for_owner = notice.body(Some(7));
        assert!(
            for_owner.starts_with("Expires 2026-01-01 00:00 UTC."),
            "{for_owner}"
        );
        assert!(!for_owner.contains("alice"));
        assert!(notice.body(Some(8)).contains("Owner: alice."));
        assert!(notice.body(None).contains("Owner: alice."));
    }
}
