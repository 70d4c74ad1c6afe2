//! The in-app Reminders list and the desktop notices built from due reminders.
use crate::common::*;
use latchkey_core::IssuedToken;
use latchkey_core::clock::DAY;
use latchkey_core::reminders::ReminderScope;
use latchkey_core::reminders::notices::{NOTICE_LIMIT, Notice, notices};

fn at_days_before_expiry(f: &Fixture, token: &IssuedToken, days: i64) {
    f.clock.set(token.token.expires_at - days * DAY);
}

fn listed(f: &Fixture, actor: latchkey_core::Actor) -> Vec<(String, String, bool)> {
    f.authority
        .reminder_list(actor)
        .unwrap()
        .into_iter()
        .map(|i| (i.reminder.token_name, i.reminder.when, i.unread))
        .collect()
}

#[test]
fn the_list_shows_reminders_whether_or_not_a_notification_was_delivered() {
    let mut f = Fixture::expiry_reminders_only();
    let token = f.token(f.admin, "deploy");
    f.advance_days(100);
    f.token(f.admin, "far away");
    at_days_before_expiry(&f, &token, 5);
    let expected = vec![("deploy".to_string(), "expires in 5 days".to_string(), true)];
    assert_eq!(listed(&f, f.admin), expected);
    let due = f.authority.reminders_due(ReminderScope::Everyone).unwrap();
    f.authority.record_reminders_delivered(&due).unwrap();
    assert_eq!(
        listed(&f, f.admin),
        expected,
        "delivery does not mark it read"
    );
}

#[test]
fn reading_the_list_clears_the_unread_count_until_the_next_threshold() {
    let mut f = Fixture::expiry_reminders_only();
    let token = f.token(f.admin, "deploy");
    at_days_before_expiry(&f, &token, 10);
    assert_eq!(f.authority.unread_reminder_count().unwrap(), 1);
    assert_eq!(f.authority.mark_reminders_read(f.admin).unwrap(), 1);
    assert_eq!(f.authority.unread_reminder_count().unwrap(), 0);
    assert_eq!(
        listed(&f, f.admin),
        [("deploy".into(), "expires in 10 days".into(), false)]
    );
    assert_eq!(f.authority.mark_reminders_read(f.admin).unwrap(), 0);
    f.reopen();
    assert_eq!(f.authority.unread_reminder_count().unwrap(), 0);
    at_days_before_expiry(&f, &token, 6);
    assert_eq!(f.authority.unread_reminder_count().unwrap(), 1);
    assert_eq!(
        listed(&f, f.admin),
        [("deploy".into(), "expires in 6 days".into(), true)]
    );
}

#[test]
fn a_member_lists_and_reads_only_their_own_reminders() {
    let mut f = Fixture::expiry_reminders_only();
    let bob = f.member("bob");
    let bobs = f.token(bob, "bob's");
    f.token(f.admin, "root's");
    at_days_before_expiry(&f, &bobs, 3);
    assert_eq!(listed(&f, bob).len(), 1);
    assert_eq!(listed(&f, f.admin).len(), 2);
    f.authority.mark_reminders_read(bob).unwrap();
    assert_eq!(f.authority.unread_reminder_count().unwrap(), 1);
}

#[test]
fn muted_and_revoked_tokens_are_not_listed() {
    let mut f = Fixture::expiry_reminders_only();
    let bob = f.member("bob");
    let bobs = f.token(bob, "bob's");
    let revoked = f.token(f.admin, "revoked");
    f.authority
        .revoke_token(f.admin, &revoked.token.id)
        .unwrap();
    f.authority.set_mute_reminders(bob, true).unwrap();
    at_days_before_expiry(&f, &bobs, 1);
    assert!(listed(&f, f.admin).is_empty());
    assert_eq!(f.authority.unread_reminder_count().unwrap(), 0);
}

#[test]
fn many_due_at_once_become_three_notices_and_one_summary_all_recorded() {
    let mut f = Fixture::expiry_reminders_only();
    // 25 hours apart: none expires within a day of another, so none is reminded "together".
    let tokens: Vec<_> = (0..10)
        .map(|i| {
            f.clock.advance(25 * 3600);
            f.token(f.admin, &format!("t{i}"))
        })
        .collect();
    at_days_before_expiry(&f, &tokens[9], 7);
    let due = f.authority.reminders_due(ReminderScope::Everyone).unwrap();
    let shown = notices(due, NOTICE_LIMIT);
    assert_eq!(shown.len(), NOTICE_LIMIT + 1);
    assert_eq!(shown[NOTICE_LIMIT].title(), "and 7 more tokens expire soon");
    for notice in &shown {
        f.authority
            .record_reminders_delivered(notice.reminders())
            .unwrap();
    }
    assert!(
        f.authority
            .reminders_due(ReminderScope::Everyone)
            .unwrap()
            .is_empty()
    );
    let delivered = f
        .audit_actions()
        .iter()
        .filter(|a| *a == "reminder.delivered")
        .count();
    assert_eq!(delivered, 10);
    assert!(matches!(shown[0], Notice::One(_)));
}

#[test]
fn tokens_expiring_within_a_day_become_one_notice_and_are_recorded_together() {
    let mut f = Fixture::expiry_reminders_only();
    let deploy = f.token(f.admin, "deploy");
    f.clock.advance(5 * 3600);
    f.token(f.admin, "backup");
    f.clock.advance(20 * 3600);
    f.token(f.admin, "a day later");
    at_days_before_expiry(&f, &deploy, 20);
    let thirty = f.authority.reminders_due(ReminderScope::Everyone).unwrap();
    assert_eq!(thirty.len(), 3);
    f.authority.record_reminders_delivered(&thirty).unwrap();
    at_days_before_expiry(&f, &deploy, 14);
    let due = f.authority.reminders_due(ReminderScope::Everyone).unwrap();
    let names: Vec<&str> = due.iter().map(|r| r.token_name.as_str()).collect();
    assert_eq!(
        names,
        ["deploy", "backup"],
        "backup's own 14-day mark is 5 hours away"
    );
    assert_eq!(due[0].expiring_together, [due[1].token_id.clone()]);
    let shown = notices(due, NOTICE_LIMIT);
    assert_eq!(shown.len(), 1);
    assert!(matches!(&shown[0], Notice::Together(group) if group.len() == 2));
    assert_eq!(
        shown[0].title(),
        "2 tokens expire together: expires in 14 days"
    );
    assert!(shown[0].body(Some(1)).contains("deploy, backup."));
    f.authority
        .record_reminders_delivered(shown[0].reminders())
        .unwrap();
    f.clock.advance(6 * 3600);
    assert!(
        f.authority
            .reminders_due(ReminderScope::Everyone)
            .unwrap()
            .is_empty(),
        "backup's 14-day reminder went out with deploy's"
    );
}
