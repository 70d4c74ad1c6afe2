//! SPEC §2 "Audit log".
mod common;

use common::*;
use latchkey_core::audit::{AuditFilter, to_csv, to_json};
use latchkey_core::{CoreError, RotateGrace};

#[test]
fn every_kind_of_change_is_audited_with_actor_target_and_time() {
    let mut f = Fixture::new();
    f.member("bob");
    f.authority.deactivate(f.admin, "bob").unwrap();
    f.authority.reactivate(f.admin, "bob").unwrap();
    f.authority
        .reset_password(f.admin, "bob", "another long password")
        .unwrap();
    f.authority
        .set_role(f.admin, "bob", latchkey_core::Role::Admin)
        .unwrap();
    f.system("web");
    f.authority.grant(f.admin, "bob", "web").unwrap();
    f.authority.add_group(f.admin, "ops").unwrap();
    let token = f.token(f.admin, "ci");
    f.authority
        .rotate_token(f.admin, &token.token.id, RotateGrace::Immediate)
        .unwrap();
    let _ = f.authority.authenticate("bob", "wrong password here");
    let actions = f.audit_actions();
    for expected in [
        "organisation.created",
        "account.created",
        "account.deactivated",
        "account.reactivated",
        "account.password_reset",
        "account.changed",
        "system.onboarded",
        "grant.added",
        "group.created",
        "token.created",
        "token.rotated",
        "signin.failed",
    ] {
        assert!(
            actions.contains(&expected.to_string()),
            "{expected} missing from {actions:?}"
        );
    }
    let events = f
        .authority
        .audit_events(f.admin, &AuditFilter::default())
        .unwrap();
    assert!(events.iter().all(|e| e.at >= START && !e.actor.is_empty()));
}

#[test]
fn the_log_is_append_only() {
    let f = Fixture::new();
    let conn = rusqlite::Connection::open(f.db_path()).unwrap();
    assert!(
        conn.execute("UPDATE audit_events SET actor = 'x'", [])
            .is_err()
    );
    assert!(conn.execute("DELETE FROM audit_events", []).is_err());
}

#[test]
fn only_administrators_read_the_log() {
    let mut f = Fixture::new();
    let bob = f.member("bob");
    assert!(matches!(
        f.authority.audit_events(bob, &AuditFilter::default()),
        Err(CoreError::Forbidden(_))
    ));
}

#[test]
fn the_log_filters_by_time_actor_and_action() {
    let mut f = Fixture::new();
    let bob = f.member("bob");
    f.clock.advance(100);
    f.token(bob, "ci");
    let by_actor = f
        .authority
        .audit_events(
            f.admin,
            &AuditFilter {
                actor: Some("bob".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        by_actor
            .iter()
            .map(|e| e.action.as_str())
            .collect::<Vec<_>>(),
        ["token.created"]
    );
    let family = f
        .authority
        .audit_events(
            f.admin,
            &AuditFilter {
                action: Some("account".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(family.len(), 2);
    let since = f
        .authority
        .audit_events(
            f.admin,
            &AuditFilter {
                since: Some(START + 50),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(since.len(), 1);
    let until = f
        .authority
        .audit_events(
            f.admin,
            &AuditFilter {
                until: Some(START + 50),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(until.len(), 3);
}

#[test]
fn exports_in_csv_and_json_never_hold_a_secret() {
    let mut f = Fixture::new();
    let token = f.token(f.admin, "ci");
    f.verify(&token, None);
    f.authority.revoke_token(f.admin, &token.token.id).unwrap();
    f.verify(&token, None);
    let events = f
        .authority
        .audit_events(f.admin, &AuditFilter::default())
        .unwrap();
    let csv = to_csv(&events);
    let json = to_json(&events).to_string();
    assert!(csv.starts_with("id,time,actor,action,target,details\n"));
    assert_eq!(csv.lines().count(), events.len() + 1);
    assert!(json.contains("\"time\":\"2026-01-01T00:00:00Z\""));
    for export in [&csv, &json] {
        assert!(!export.contains(&token.secret.expose()[3..19]));
        assert!(!export.contains(&token.secret.expose()[30..46]));
    }
}
