//! SPEC §2 "Organisation and accounts".
mod common;

use std::sync::Arc;

use common::*;
use latchkey_core::{Authority, CoreError, InitRequest, KeySource, NewAccount, Role, TestClock};

#[test]
fn nothing_works_before_init_and_the_message_says_to_run_init() {
    let dir = tempfile::tempdir().unwrap();
    let error = Authority::open(
        &dir.path().join("none.db"),
        &KeySource::File(dir.path().join("key")),
        Arc::new(TestClock::at(START)),
    )
    .unwrap_err();
    assert!(matches!(error, CoreError::NotInitialised(_)));
    assert!(error.to_string().contains("latchkey init"), "{error}");
    assert!(
        !dir.path().join("none.db").exists(),
        "opening must not create a store"
    );
}

#[test]
fn init_creates_the_organisation_and_its_first_administrator() {
    let f = Fixture::new();
    assert_eq!(f.authority.organisation().unwrap(), "Acme");
    let accounts = f.authority.accounts(f.admin).unwrap();
    assert_eq!(accounts.len(), 1);
    assert_eq!(
        (accounts[0].username.as_str(), accounts[0].role),
        ("root", Role::Admin)
    );
    assert_eq!(accounts[0].display_name, "Root Admin");
    assert_eq!(
        f.audit_actions()[..2],
        ["organisation.created", "account.created"]
    );
}

#[test]
fn init_twice_is_refused() {
    let f = Fixture::new();
    let request = InitRequest {
        organisation: "Other",
        admin_username: "x",
        admin_display_name: None,
        admin_password: ADMIN_PASSWORD,
    };
    let error = Authority::init(
        &f.db_path(),
        &f.key_source(),
        Arc::new(f.clock.clone()),
        &request,
    )
    .unwrap_err();
    assert!(matches!(error, CoreError::AlreadyInitialised(_)), "{error}");
}

#[test]
fn init_with_a_short_password_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let request = InitRequest {
        organisation: "Acme",
        admin_username: "root",
        admin_display_name: None,
        admin_password: "short",
    };
    let error = Authority::init(
        &dir.path().join("s.db"),
        &KeySource::File(dir.path().join("key")),
        Arc::new(TestClock::at(START)),
        &request,
    )
    .unwrap_err();
    assert!(error.to_string().contains("at least 15"), "{error}");
    assert!(!dir.path().join("s.db").exists());
    assert!(!dir.path().join("key").exists());
}

#[test]
fn usernames_are_unique_case_insensitively_and_trimmed() {
    let mut f = Fixture::new();
    f.member("Alice");
    let new = NewAccount {
        username: "  alice ",
        display_name: None,
        role: Role::Member,
        password: MEMBER_PASSWORD,
    };
    assert!(matches!(
        f.authority.add_account(f.admin, &new),
        Err(CoreError::Conflict(_))
    ));
    // Sign-in is case-insensitive too.
    f.authority.authenticate("ALICE", MEMBER_PASSWORD).unwrap();
}

#[test]
fn usernames_longer_than_64_or_with_control_characters_are_refused() {
    let mut f = Fixture::new();
    for bad in ["x".repeat(65), "a\u{7}b".to_string(), String::new()] {
        let new = NewAccount {
            username: &bad,
            display_name: None,
            role: Role::Member,
            password: MEMBER_PASSWORD,
        };
        assert!(
            matches!(
                f.authority.add_account(f.admin, &new),
                Err(CoreError::Invalid(_))
            ),
            "{bad:?}"
        );
    }
}

#[test]
fn passwords_need_15_characters_and_are_never_truncated() {
    let mut f = Fixture::new();
    let short = NewAccount {
        username: "bob",
        display_name: None,
        role: Role::Member,
        password: "fourteen chars",
    };
    assert!(matches!(
        f.authority.add_account(f.admin, &short),
        Err(CoreError::Invalid(_))
    ));
    let long = format!("{}A", "p".repeat(1023));
    let new = NewAccount {
        username: "bob",
        display_name: None,
        role: Role::Member,
        password: &long,
    };
    f.authority.add_account(f.admin, &new).unwrap();
    let almost = format!("{}B", "p".repeat(1023));
    assert!(matches!(
        f.authority.authenticate("bob", &almost),
        Err(CoreError::WrongCredentials)
    ));
    f.authority.authenticate("bob", &long).unwrap();
    let too_long = "p".repeat(1025);
    let new = NewAccount {
        username: "carol",
        display_name: None,
        role: Role::Member,
        password: &too_long,
    };
    assert!(matches!(
        f.authority.add_account(f.admin, &new),
        Err(CoreError::Invalid(_))
    ));
}

#[test]
fn passwords_are_stored_as_argon2id_phc_strings_at_owasp_parameters() {
    let f = Fixture::new();
    let conn = rusqlite::Connection::open(f.db_path()).unwrap();
    let stored: String = conn
        .query_row(
            "SELECT password_hash FROM accounts WHERE username = 'root'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{stored}"
    );
    assert!(!stored.contains(ADMIN_PASSWORD));
}

#[test]
fn a_deactivated_account_cannot_sign_in_and_a_reactivated_one_can() {
    let mut f = Fixture::new();
    f.member("bob");
    f.authority.deactivate(f.admin, "bob").unwrap();
    assert!(matches!(
        f.authority.authenticate("bob", MEMBER_PASSWORD),
        Err(CoreError::Forbidden(_))
    ));
    f.authority.reactivate(f.admin, "bob").unwrap();
    f.authority.authenticate("bob", MEMBER_PASSWORD).unwrap();
}

#[test]
fn an_actor_deactivated_mid_session_is_refused_at_once() {
    let mut f = Fixture::new();
    let bob = f.member("bob");
    f.authority.deactivate(f.admin, "bob").unwrap();
    assert!(matches!(
        f.authority
            .list_tokens(bob, &latchkey_core::TokenScope::Mine),
        Err(CoreError::Forbidden(_))
    ));
}

#[test]
fn the_last_active_administrator_cannot_be_demoted_or_deactivated() {
    let mut f = Fixture::new();
    assert!(matches!(
        f.authority.set_role(f.admin, "root", Role::Member),
        Err(CoreError::Conflict(_))
    ));
    assert!(matches!(
        f.authority.deactivate(f.admin, "root"),
        Err(CoreError::Conflict(_))
    ));
    f.member("bob");
    f.authority.set_role(f.admin, "bob", Role::Admin).unwrap();
    f.authority.set_role(f.admin, "root", Role::Member).unwrap();
}

#[test]
fn members_cannot_administer_accounts() {
    let mut f = Fixture::new();
    let bob = f.member("bob");
    let new = NewAccount {
        username: "eve",
        display_name: None,
        role: Role::Admin,
        password: MEMBER_PASSWORD,
    };
    assert!(matches!(
        f.authority.add_account(bob, &new),
        Err(CoreError::Forbidden(_))
    ));
    assert!(matches!(
        f.authority.set_role(bob, "bob", Role::Admin),
        Err(CoreError::Forbidden(_))
    ));
    assert!(matches!(
        f.authority.accounts(bob),
        Err(CoreError::Forbidden(_))
    ));
}

#[test]
fn wrong_password_is_refused_and_audited_without_the_password() {
    let mut f = Fixture::new();
    f.member("bob");
    assert!(matches!(
        f.authority.authenticate("bob", "not the right password"),
        Err(CoreError::WrongCredentials)
    ));
    let events = f
        .authority
        .audit_events(f.admin, &Default::default())
        .unwrap();
    let failed: Vec<_> = events
        .iter()
        .filter(|e| e.action == "signin.failed")
        .collect();
    assert_eq!(failed.len(), 1);
    assert!(!failed[0].details.contains("not the right password"));
}

#[test]
fn backoff_locks_after_three_failures_doubling_and_refuses_even_the_right_password() {
    let mut f = Fixture::new();
    f.member("bob");
    for _ in 0..3 {
        assert!(matches!(
            f.authority.authenticate("bob", "wrong password again"),
            Err(CoreError::WrongCredentials)
        ));
    }
    // Third failure: locked for 2^0 = 1 s.
    assert!(matches!(
        f.authority.authenticate("bob", MEMBER_PASSWORD),
        Err(CoreError::Locked(1))
    ));
    f.clock.advance(1);
    assert!(matches!(
        f.authority.authenticate("bob", "wrong password again"),
        Err(CoreError::WrongCredentials)
    ));
    // Fourth failure: 2 s.
    assert!(matches!(
        f.authority.authenticate("bob", MEMBER_PASSWORD),
        Err(CoreError::Locked(2))
    ));
    let message = f
        .authority
        .authenticate("bob", MEMBER_PASSWORD)
        .unwrap_err()
        .to_string();
    assert_eq!(message, "too many failed sign-ins; try again in 2 s");
    f.clock.advance(2);
    f.authority.authenticate("bob", MEMBER_PASSWORD).unwrap();
    // Success resets the count.
    assert!(matches!(
        f.authority.authenticate("bob", "wrong password again"),
        Err(CoreError::WrongCredentials)
    ));
    f.authority.authenticate("bob", MEMBER_PASSWORD).unwrap();
}

#[test]
fn backoff_survives_reopening_the_store() {
    let mut f = Fixture::new();
    f.member("bob");
    for _ in 0..5 {
        let _ = f.authority.authenticate("bob", "wrong password again");
        f.clock.advance(3600);
    }
    f.clock.advance(-3600 + 1);
    f.reopen();
    // Five failures: locked 4 s from the last one; 1 s has passed.
    assert!(matches!(
        f.authority.authenticate("bob", MEMBER_PASSWORD),
        Err(CoreError::Locked(3))
    ));
}

#[test]
fn backoff_never_exceeds_fifteen_minutes_and_stops_at_100_failures_until_reset() {
    let mut f = Fixture::new();
    f.member("bob");
    let mut longest = 0;
    for failures in 1..=100 {
        assert!(matches!(
            f.authority.authenticate("bob", "wrong password again"),
            Err(CoreError::WrongCredentials)
        ));
        if failures < 3 {
            continue;
        }
        match f.authority.authenticate("bob", MEMBER_PASSWORD) {
            Err(CoreError::Locked(s)) => longest = longest.max(s),
            Err(CoreError::LockedUntilReset) => {}
            other => panic!("expected a lock, got {other:?}"),
        }
        f.clock.advance(15 * 60);
    }
    assert_eq!(longest, 15 * 60);
    f.clock.advance(24 * 3600);
    assert!(matches!(
        f.authority.authenticate("bob", MEMBER_PASSWORD),
        Err(CoreError::LockedUntilReset)
    ));
    f.authority
        .reset_password(f.admin, "bob", "a brand new password")
        .unwrap();
    f.authority
        .authenticate("bob", "a brand new password")
        .unwrap();
}

#[test]
fn a_member_changes_their_own_password() {
    let mut f = Fixture::new();
    let bob = f.member("bob");
    assert!(matches!(
        f.authority.set_own_password(bob, "too short"),
        Err(CoreError::Invalid(_))
    ));
    f.authority
        .set_own_password(bob, "my new long password")
        .unwrap();
    assert!(f.authority.authenticate("bob", MEMBER_PASSWORD).is_err());
    f.clock.advance(10);
    f.authority
        .authenticate("bob", "my new long password")
        .unwrap();
}

#[test]
fn sign_in_records_the_time_and_audits_success() {
    let mut f = Fixture::new();
    f.member("bob");
    f.authority.sign_in("bob", MEMBER_PASSWORD).unwrap();
    let bob = f
        .authority
        .accounts(f.admin)
        .unwrap()
        .into_iter()
        .find(|a| a.username == "bob")
        .unwrap();
    assert_eq!(bob.last_signin_at, Some(START));
    assert!(f.audit_actions().contains(&"signin.succeeded".to_string()));
}
