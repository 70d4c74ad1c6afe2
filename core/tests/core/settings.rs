//! Organisation settings: the idle lock's default, range and audit event.
use crate::common::*;
use latchkey_core::CoreError;
use latchkey_core::settings::{DEFAULT_IDLE_LOCK_MINUTES, Settings};

#[test]
fn the_idle_lock_is_15_minutes_by_default_and_1_to_60() {
    let mut f = Fixture::new();
    let settings = f.authority.settings().unwrap();
    assert_eq!(settings.idle_lock_minutes, DEFAULT_IDLE_LOCK_MINUTES);
    assert_eq!(DEFAULT_IDLE_LOCK_MINUTES, 15);
    for refused in [0, -1, 61, i64::MAX] {
        let new = Settings {
            idle_lock_minutes: refused,
            ..settings.clone()
        };
        match f.authority.update_settings(f.admin, &new) {
            Err(CoreError::Invalid(message)) => assert!(message.contains("idle lock"), "{message}"),
            other => panic!("{refused} minutes: {other:?}"),
        }
    }
    for allowed in [1, 60, 5] {
        let new = Settings {
            idle_lock_minutes: allowed,
            ..settings.clone()
        };
        let saved = f.authority.update_settings(f.admin, &new).unwrap();
        assert_eq!(saved.idle_lock_minutes, allowed);
    }
    f.reopen();
    assert_eq!(f.authority.settings().unwrap().idle_lock_minutes, 5);
}

#[test]
fn changing_the_idle_lock_is_audited_and_members_may_not() {
    let mut f = Fixture::new();
    let bob = f.member("bob");
    let new = Settings {
        idle_lock_minutes: 30,
        ..f.authority.settings().unwrap()
    };
    assert!(matches!(
        f.authority.update_settings(bob, &new),
        Err(CoreError::Forbidden(_))
    ));
    f.authority.update_settings(f.admin, &new).unwrap();
    let db = rusqlite::Connection::open(f.db_path()).unwrap();
    let details: Vec<String> = db
        .prepare("SELECT details FROM audit_events WHERE action = 'settings.changed'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(details.len(), 1, "{details:?}");
    let details: serde_json::Value = serde_json::from_str(&details[0]).unwrap();
    assert_eq!(details["idle_lock_minutes"], 30, "{details}");
}
