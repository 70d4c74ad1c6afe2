//! Issue 16: where a token is used (usage notes), stale tokens and their automatic revocation,
//! rotations seen finishing, and tokens expiring together. The clock is moved, never slept.
use crate::common::*;
use latchkey_core::clock::DAY;
use latchkey_core::reminders::{ReminderKind, ReminderScope};
use latchkey_core::{CoreError, NewToken, RotateGrace, TokenScope, TokenStatus};

const NOTE: &str = "GitHub Actions secret DEPLOY_TOKEN in acme/web";

fn noted(f: &mut Fixture, name: &str) -> latchkey_core::IssuedToken {
    let request = NewToken {
        name: name.into(),
        usage_note: Some(NOTE.into()),
        ..NewToken::default()
    };
    f.authority.create_token(f.admin, &request).unwrap()
}

#[test]
fn a_usage_note_is_listed_reminded_and_never_in_a_verification() {
    let mut f = Fixture::new();
    let token = noted(&mut f, "deploy");
    assert_eq!(token.token.usage_note.as_deref(), Some(NOTE));
    let listed = f.authority.list_tokens(f.admin, &TokenScope::Mine).unwrap();
    assert_eq!(listed[0].usage_note.as_deref(), Some(NOTE));
    let answer = f.verify(&token, None);
    let json = serde_json::to_string(&answer).unwrap();
    assert!(answer.valid && !json.contains("DEPLOY_TOKEN"), "{json}");
    f.advance_days(340);
    let due = f.authority.reminders_due(ReminderScope::Everyone).unwrap();
    let expiry = due.iter().find(|r| r.kind == ReminderKind::Expiry).unwrap();
    let notice = latchkey_core::reminders::notices::Notice::One(expiry.clone());
    assert!(
        notice
            .body(None)
            .contains(&format!("update it where it is used: {NOTE}")),
        "{}",
        notice.body(None)
    );
    // A rotation keeps the note: the same place needs the new secret.
    let rotated = f
        .authority
        .rotate_token(f.admin, &token.token.id, RotateGrace::Immediate)
        .unwrap();
    assert_eq!(rotated.token.usage_note.as_deref(), Some(NOTE));
}

#[test]
fn a_usage_note_can_be_changed_and_cleared_and_never_holds_a_token() {
    let mut f = Fixture::new();
    let token = f.token(f.admin, "deploy");
    let alice = f.member("alice");
    let set = f
        .authority
        .set_usage_note(f.admin, &token.token.id, NOTE)
        .unwrap();
    assert_eq!(set.usage_note.as_deref(), Some(NOTE));
    let before = f.audit_actions();
    let secret = token.secret.expose().to_string();
    for bad in [
        format!("the token is {secret}"),
        "a\u{202E}b".to_string(),
        "x".repeat(201),
    ] {
        let refused = f.authority.set_usage_note(f.admin, &token.token.id, &bad);
        assert!(matches!(refused, Err(CoreError::Invalid(_))), "{refused:?}");
    }
    assert!(
        f.authority
            .set_usage_note(alice, &token.token.id, "mine now")
            .is_err()
    );
    assert_eq!(
        f.audit_actions(),
        before,
        "refusals record and change nothing"
    );
    let cleared = f
        .authority
        .set_usage_note(f.admin, &token.token.id, "  ")
        .unwrap();
    assert_eq!(cleared.usage_note, None);
    let changes = f
        .audit_actions()
        .into_iter()
        .filter(|a| a == "token.note_changed")
        .count();
    assert_eq!(changes, 2);
}

#[test]
fn an_unused_token_turns_stale_after_the_setting_and_gets_one_reminder() {
    let mut f = Fixture::new();
    let used = f.token(f.admin, "used");
    let unused = f.token(f.admin, "unused");
    f.advance_days(60);
    f.verify(&used, None);
    f.advance_days(31);
    let stale = f
        .authority
        .stale_tokens(f.admin, &TokenScope::Mine)
        .unwrap();
    let names: Vec<&str> = stale.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["unused"]);
    let overview = f.authority.token_overview(f.admin).unwrap();
    assert_eq!(overview.stale.len(), 1);
    assert_eq!(overview.stale_after_days, 90);
    let stale_due = |f: &Fixture| -> Vec<String> {
        f.authority
            .reminders_due(ReminderScope::Everyone)
            .unwrap()
            .into_iter()
            .filter(|r| r.kind == ReminderKind::Stale)
            .map(|r| r.token_name)
            .collect()
    };
    assert_eq!(stale_due(&f), ["unused"]);
    let due = f.authority.reminders_due(ReminderScope::Everyone).unwrap();
    f.authority.record_reminders_delivered(&due).unwrap();
    f.advance_days(60);
    assert_eq!(
        stale_due(&f),
        ["used"],
        "one reminder each: 'unused' is not reminded again"
    );
    let _ = unused;
}

#[test]
fn automatic_revocation_is_off_by_default_and_revokes_only_long_unused_tokens() {
    let mut f = Fixture::new();
    let old = f.token(f.admin, "old");
    f.advance_days(100);
    let fresh = f.token(f.admin, "fresh");
    f.advance_days(100);
    assert!(
        f.authority.revoke_unused_tokens().unwrap().is_empty(),
        "off by default"
    );
    // (Looked at, not verified: a verification is a use.)
    assert_eq!(f.info(&old.token.id).status, TokenStatus::Active);
    let mut settings = f.authority.settings().unwrap();
    settings.auto_revoke_unused_days = Some(60);
    assert!(
        f.authority.update_settings(f.admin, &settings).is_err(),
        "before the stale period"
    );
    settings.auto_revoke_unused_days = Some(150);
    f.authority.update_settings(f.admin, &settings).unwrap();
    assert_eq!(
        f.authority.revoke_unused_tokens().unwrap(),
        std::slice::from_ref(&old.token.id)
    );
    assert_eq!(f.reason(&old, None), Some("revoked"));
    assert!(f.verify(&fresh, None).valid);
    let events = f
        .authority
        .audit_events(f.admin, &Default::default())
        .unwrap();
    let revoked = events.iter().find(|e| e.action == "token.revoked").unwrap();
    assert_eq!(revoked.actor, "latchkey");
    assert!(revoked.details.to_string().contains("unused for 150 days"));
    assert!(
        f.authority.revoke_unused_tokens().unwrap().is_empty(),
        "idempotent"
    );
}

#[test]
fn a_rotation_finishes_a_quiet_day_after_the_successor_is_in_use() {
    let mut f = Fixture::new();
    let old = f.token(f.admin, "deploy");
    let new = f
        .authority
        .rotate_token(f.admin, &old.token.id, RotateGrace::Days(7))
        .unwrap();
    f.clock.advance(3600);
    assert!(f.verify(&old, None).valid, "the grace period has begun");
    f.clock.advance(3600);
    assert!(f.verify(&new, None).valid, "the successor's first use");
    assert!(
        f.verify(&old, None).valid,
        "not cut off at the successor's first use"
    );
    let retiring = f.info(&old.token.id);
    assert!(retiring.is_retiring());
    assert!(retiring.successor_first_used_at.is_some());
    assert!(
        retiring.used_after_successor_at.is_some(),
        "something still uses it"
    );
    let still_used: Vec<_> = f
        .authority
        .reminders_due(ReminderScope::Everyone)
        .unwrap()
        .into_iter()
        .filter(|r| r.kind == ReminderKind::StillUsed)
        .collect();
    assert_eq!(still_used.len(), 1);
    assert_eq!(still_used[0].token_id, old.token.id);
    let overview = f.authority.token_overview(f.admin).unwrap();
    assert_eq!(overview.retiring.len(), 1);
    // Used again 20 hours later: the quiet day starts again.
    f.clock.advance(20 * 3600);
    assert!(f.verify(&old, None).valid);
    f.clock.advance(23 * 3600);
    assert!(f.verify(&new, None).valid);
    assert!(f.authority.reminders_due(ReminderScope::Everyone).is_ok());
    f.clock.advance(2 * 3600);
    assert_eq!(
        f.reason(&old, None),
        Some("revoked"),
        "quiet for a day: retired"
    );
    assert!(f.verify(&new, None).valid);
}

#[test]
fn a_grace_period_never_outlasts_the_days_chosen() {
    let mut f = Fixture::new();
    let old = f.token(f.admin, "deploy");
    let new = f
        .authority
        .rotate_token(f.admin, &old.token.id, RotateGrace::Days(2))
        .unwrap();
    f.verify(&new, None);
    for _ in 0..3 {
        f.clock.advance(20 * 3600);
        f.verify(&old, None);
    }
    // 60 hours: past the 2 days chosen however often the old token was used.
    assert_eq!(f.reason(&old, None), Some("revoked"));
    // Until-first-use still retires at the successor's first use.
    let a = f.token(f.admin, "a");
    let b = f
        .authority
        .rotate_token(f.admin, &a.token.id, RotateGrace::UntilFirstUse)
        .unwrap();
    f.clock.advance(120);
    f.verify(&b, None);
    f.clock.advance(1);
    assert_eq!(f.reason(&a, None), Some("revoked"));
    // A retiring token is not rotated a second time.
    let c = f.token(f.admin, "c");
    f.authority
        .rotate_token(f.admin, &c.token.id, RotateGrace::Days(3))
        .unwrap();
    let twice = f
        .authority
        .rotate_token(f.admin, &c.token.id, RotateGrace::Days(3));
    assert!(matches!(twice, Err(CoreError::Conflict(_))), "{twice:?}");
}

#[test]
fn the_overview_groups_tokens_expiring_within_a_day() {
    let mut f = Fixture::new();
    f.token_for(f.admin, "a", 30, None);
    f.clock.advance(6 * 3600);
    f.token_for(f.admin, "b", 30, None);
    f.clock.advance(2 * DAY);
    f.token_for(f.admin, "later", 30, None);
    f.token_for(f.admin, "next year", 365, None);
    let overview = f.authority.token_overview(f.admin).unwrap();
    assert_eq!(overview.expiring_together.len(), 1);
    let group = &overview.expiring_together[0];
    let names: Vec<&str> = group.tokens.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(group.last_expires_at - group.first_expires_at, 6 * 3600);
    assert!(group.tokens.iter().all(|t| t.status == TokenStatus::Active));
}

#[test]
fn a_clock_reset_keeps_a_grace_period_of_days() {
    let mut f = Fixture::new();
    let old = f.token(f.admin, "deploy");
    let new = f
        .authority
        .rotate_token(f.admin, &old.token.id, RotateGrace::Days(7))
        .unwrap();
    // The clock runs ten minutes ahead for one write, then is fixed and the watermark reset.
    f.clock.advance(600);
    f.token(f.admin, "during the skew");
    f.clock.advance(-600);
    f.authority.reset_clock_watermark(f.admin).unwrap();
    f.clock.advance(60);
    assert!(f.verify(&new, None).valid);
    f.clock.advance(60);
    assert!(f.verify(&old, None).valid);
    f.clock.advance(120);
    assert!(f.verify(&old, None).valid, "a day of quiet is still ahead");
}

#[test]
fn a_notice_of_many_tokens_expiring_together_names_ten() {
    let mut f = Fixture::expiry_reminders_only();
    for i in 0..30 {
        f.token(f.admin, &format!("t{i}"));
    }
    f.advance_days(340);
    let due = f.authority.reminders_due(ReminderScope::Everyone).unwrap();
    assert_eq!(due.len(), 30);
    assert!(due.iter().all(|r| r.expiring_together.len() <= 5));
    let shown = latchkey_core::reminders::notices::notices(due, 3);
    assert_eq!(shown.len(), 1);
    let body = shown[0].body(None);
    assert!(body.contains(" and 20 others."), "{body}");
    assert!(body.len() < 400, "{body}");
}
