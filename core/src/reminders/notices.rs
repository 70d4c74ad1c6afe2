//! What the desktop shows for due reminders: one notice per token up to a small limit, then one
//! summary for the rest, and the words on each. The shell only hands them to the OS.
use super::schedule::DueReminder;
use crate::clock::{Timestamp, rfc3339};

/// Individual notifications shown at once before the rest are summed up in one.
pub const NOTICE_LIMIT: usize = 3;

/// One desktop notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// One token's reminder.
    One(DueReminder),
    /// The reminders beyond the limit, in one notification.
    Summary(Vec<DueReminder>),
}

/// Groups due reminders (soonest expiry first) into what to show.
pub fn notices(due: Vec<DueReminder>, limit: usize) -> Vec<Notice> {
    if due.len() <= limit {
        return due.into_iter().map(Notice::One).collect();
    }
    let mut due = due;
    let rest = due.split_off(limit);
    due.into_iter()
        .map(Notice::One)
        .chain(std::iter::once(Notice::Summary(rest)))
        .collect()
}

impl Notice {
    /// The reminders this notice delivers, all recorded once it was shown.
    pub fn reminders(&self) -> &[DueReminder] {
        match self {
            Notice::One(reminder) => std::slice::from_ref(reminder),
            Notice::Summary(rest) => rest,
        }
    }

    /// The token a click opens, when there is exactly one.
    pub fn token_id(&self) -> Option<&str> {
        match self {
            Notice::One(reminder) => Some(&reminder.token_id),
            Notice::Summary(_) => None,
        }
    }

    /// The notification's title.
    pub fn title(&self) -> String {
        match self {
            Notice::One(r) => format!("Token \"{}\" {}", r.token_name, r.when),
            Notice::Summary(rest) if rest.len() == 1 => "and 1 more token expires soon".to_string(),
            Notice::Summary(rest) => format!("and {} more tokens expire soon", rest.len()),
        }
    }

    /// The expiry date, and the owner when the token is not the signed-in account's (`viewer`).
    pub fn body(&self, viewer: Option<i64>) -> String {
        match self {
            Notice::One(r) => {
                let mut body = format!("Expires {}.", utc_minute(r.expires_at));
                if viewer != Some(r.owner_id) {
                    body.push_str(&format!(" Owner: {}.", r.owner));
                }
                body.push_str(" Create a replacement before it stops working.");
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
