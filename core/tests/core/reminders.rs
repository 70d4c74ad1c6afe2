//! SPEC §2 "Expiry reminders", against a real store and a test clock.
use crate::common::*;
use latchkey_core::clock::DAY;
use latchkey_core::reminders::{DueReminder, ReminderScope};
use latchkey_core::settings::Settings;
use latchkey_core::{IssuedToken, RotateGrace};

fn due(f: &Fixture) -> Vec<(String, i64)> {
    f.authority
        .reminders_due(ReminderScope::Everyone)
        .unwrap()
        .into_iter()
        .map(|r| (r.token_name, r.threshold_days))
        .collect()
}

fn deliver_all(f: &mut Fixture) -> Vec<DueReminder> {
    let due = f.authority.reminders_due(ReminderScope::Everyone).unwrap();
    for reminder in &due {
        f.authority.record_reminder_delivered(reminder).unwrap();
    }
    due
}

fn at_days_before_expiry(f: &Fixture, token: &IssuedToken, days: i64) {
    f.clock.set(token.token.expires_at - days * DAY);
}

#[test]
fn each_threshold_fires_once() {
    let mut f = Fixture::expiry_reminders_only();
    let token = f.token(f.admin, "yearly");
    let mut fired = Vec::new();
    for days_before in [40, 30, 29, 14, 13, 7, 3, 1, 0] {
        at_days_before_expiry(&f, &token, days_before);
        for _ in 0..2 {
            fired.extend(deliver_all(&mut f).into_iter().map(|r| r.threshold_days));
        }
    }
    assert_eq!(fired, [30, 14, 7, 3, 1, 0]);
}

#[test]
fn after_a_gap_only_the_most_urgent_passed_threshold_fires() {
    let mut f = Fixture::expiry_reminders_only();
    let token = f.token(f.admin, "yearly");
    at_days_before_expiry(&f, &token, 2); // 30, 14, 7 and 3 passed unseen
    assert_eq!(due(&f), [("yearly".to_string(), 3)]);
    deliver_all(&mut f);
    assert!(due(&f).is_empty(), "the larger ones count as delivered");
    at_days_before_expiry(&f, &token, 1);
    assert_eq!(due(&f), [("yearly".to_string(), 1)]);
}

#[test]
fn a_ten_day_token_gets_only_the_7_3_1_and_0_day_reminders() {
    let mut f = Fixture::expiry_reminders_only();
    let token = f.token_for(f.admin, "ten days", 10, None);
    let mut fired = Vec::new();
    for hours in (0..=11 * 24).step_by(6) {
        f.clock.set(token.token.created_at + hours * 3600);
        fired.extend(deliver_all(&mut f).into_iter().map(|r| r.threshold_days));
    }
    assert_eq!(fired, [7, 3, 1, 0]);
}

#[test]
fn days_left_is_whole_days_rounded_down() {
    let mut f = Fixture::expiry_reminders_only();
    let token = f.token(f.admin, "yearly");
    f.clock.set(token.token.expires_at - 7 * DAY + 1);
    let due = f.authority.reminders_due(ReminderScope::Everyone).unwrap();
    assert_eq!((due[0].threshold_days, due[0].days_left), (7, 6));
}

#[test]
fn revoked_rotated_and_deleted_tokens_get_no_reminders() {
    let mut f = Fixture::expiry_reminders_only();
    let revoked = f.token_for(f.admin, "revoked", 20, None);
    let rotated = f.token_for(f.admin, "rotated", 20, None);
    let deleted = f.token_for(f.admin, "deleted", 20, None);
    f.authority
        .revoke_token(f.admin, &revoked.token.id)
        .unwrap();
    f.authority
        .revoke_token(f.admin, &deleted.token.id)
        .unwrap();
    f.authority
        .delete_token(f.admin, &deleted.token.id)
        .unwrap();
    at_days_before_expiry(&f, &revoked, 14);
    // Rotated with a grace period: the predecessor still works but is no longer reminded of;
    // its successor (20 days from now) is not due yet.
    f.authority
        .rotate_token(f.admin, &rotated.token.id, RotateGrace::Days(7))
        .unwrap();
    assert!(f.verify(&rotated, None).valid);
    assert!(due(&f).is_empty(), "{:?}", due(&f));
}

#[test]
fn a_changed_schedule_applies_to_the_next_check() {
    let mut f = Fixture::expiry_reminders_only();
    let token = f.token(f.admin, "yearly");
    at_days_before_expiry(&f, &token, 50);
    assert!(due(&f).is_empty());
    let settings = Settings {
        reminder_schedule: vec![60, 1],
        ..f.authority.settings().unwrap()
    };
    f.authority.update_settings(f.admin, &settings).unwrap();
    assert_eq!(due(&f), [("yearly".to_string(), 60)]);
}

#[test]
fn a_muted_account_gets_no_reminders() {
    let mut f = Fixture::expiry_reminders_only();
    let bob = f.member("bob");
    let token = f.token(bob, "bob's");
    f.authority.set_mute_reminders(bob, true).unwrap();
    at_days_before_expiry(&f, &token, 1);
    assert!(due(&f).is_empty());
    f.authority.set_mute_reminders(bob, false).unwrap();
    assert_eq!(due(&f).len(), 1);
}

#[test]
fn a_deactivated_accounts_tokens_get_no_reminders() {
    let mut f = Fixture::expiry_reminders_only();
    f.member("bob");
    let bob = f.authority.authenticate("bob", MEMBER_PASSWORD).unwrap();
    let token = f.token(bob, "bob's");
    f.authority.deactivate(f.admin, "bob").unwrap();
    at_days_before_expiry(&f, &token, 1);
    assert!(due(&f).is_empty());
}

#[test]
fn delivered_reminders_are_not_repeated_after_a_restart() {
    let mut f = Fixture::expiry_reminders_only();
    let token = f.token(f.admin, "yearly");
    at_days_before_expiry(&f, &token, 30);
    assert_eq!(deliver_all(&mut f).len(), 1);
    f.reopen();
    assert!(due(&f).is_empty());
    assert!(
        f.audit_actions()
            .contains(&"reminder.delivered".to_string())
    );
}

#[test]
fn a_member_sees_their_own_reminders_and_an_administrator_everyones() {
    let mut f = Fixture::expiry_reminders_only();
    let bob = f.member("bob");
    let mine = f.token(bob, "bob's");
    f.token(f.admin, "root's");
    at_days_before_expiry(&f, &mine, 1);
    assert_eq!(f.authority.reminders_due_for(bob).unwrap().len(), 1);
    assert_eq!(f.authority.reminders_due_for(f.admin).unwrap().len(), 2);
}

#[test]
fn the_expired_today_reminder_is_dropped_a_week_after_expiry() {
    let mut f = Fixture::expiry_reminders_only();
    let token = f.token(f.admin, "yearly");
    f.clock.set(token.token.expires_at + 8 * DAY);
    assert!(due(&f).is_empty());
}
