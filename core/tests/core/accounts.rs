//! SPEC §2 "Organisation and accounts".
use std::sync::Arc;

use crate::common::*;
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
    // A key path where no file is: init refuses to reuse an existing key file before it looks
    // at the store.
    let error = Authority::init(
        &f.db_path(),
        &KeySource::File(f.dir.path().join("another key")),
        Arc::new(f.clock.clone()),
        &request,
    )
    .unwrap_err();
    assert!(matches!(error, CoreError::AlreadyInitialised(_)), "{error}");
    assert!(!f.dir.path().join("another key").exists());
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

/// How many failed sign-ins the store has counted against `username`.
fn failures_of(f: &Fixture, username: &str) -> i64 {
    rusqlite::Connection::open(f.db_path())
        .unwrap()
        .query_row(
            "SELECT failed_signins FROM accounts WHERE username = ?1",
            [username],
            |r| r.get(0),
        )
        .unwrap()
}

/// How many sign-in attempts are in flight, as the store says.
fn in_flight(f: &Fixture) -> i64 {
    rusqlite::Connection::open(f.db_path())
        .unwrap()
        .query_row(
            "SELECT coalesce(sum(attempts), 0) FROM signins_in_flight",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

fn answer(result: Result<latchkey_core::Actor, CoreError>) -> String {
    match result {
        Ok(_) => "signed in".into(),
        Err(e) => format!("{} {e}", e.code()),
    }
}

#[test]
fn parallel_wrong_passwords_after_three_failures_are_checked_at_most_once() {
    let mut f = Fixture::new();
    f.member("bob");
    for _ in 0..3 {
        let _ = f.authority.authenticate("bob", "wrong password again");
    }
    // The lock of the third failure (1 s) is over; now 16 attempts arrive at once.
    f.clock.advance(10);
    let barrier = Arc::new(std::sync::Barrier::new(16));
    let attempts: Vec<_> = (0..16)
        .map(|_| {
            let (db, key, clock) = (f.db_path(), f.key_source(), f.clock.clone());
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                let mut authority = Authority::open(&db, &key, Arc::new(clock)).unwrap();
                barrier.wait();
                answer(authority.authenticate("bob", "wrong password again"))
            })
        })
        .collect();
    let mut answers: Vec<String> = attempts.into_iter().map(|t| t.join().unwrap()).collect();
    answers.sort();
    let checked = answers
        .iter()
        .filter(|a| a.starts_with("wrong_credentials"))
        .count();
    assert_eq!(checked, 1, "{answers:?}");
    assert!(
        answers
            .iter()
            .filter(|a| !a.starts_with("wrong_credentials"))
            .all(|a| a == "locked too many failed sign-ins; try again in 2 s"),
        "{answers:?}"
    );
    assert_eq!((failures_of(&f, "bob"), in_flight(&f)), (4, 0));
}

#[test]
fn parallel_right_passwords_all_get_in_and_leave_no_count() {
    let f = Fixture::new();
    // Up to three attempts are checked at once; a fourth, which would meet a lock should those
    // three fail, waits for their answers (one hash) instead of being refused.
    let barrier = Arc::new(std::sync::Barrier::new(8));
    let attempts: Vec<_> = (0..8)
        .map(|_| {
            let (db, key, clock) = (f.db_path(), f.key_source(), f.clock.clone());
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                let mut authority = Authority::open(&db, &key, Arc::new(clock)).unwrap();
                barrier.wait();
                answer(authority.authenticate("root", ADMIN_PASSWORD))
            })
        })
        .collect();
    let answers: Vec<String> = attempts.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(answers, ["signed in"; 8]);
    assert_eq!(failures_of(&f, "root"), 0);
    assert_eq!(in_flight(&f), 0);
}

#[test]
fn unknown_usernames_get_the_same_backoff_and_answers_as_known_ones() {
    let mut f = Fixture::new();
    f.member("bob");
    let mut steps = Vec::new();
    for step in 0..20 {
        let known = answer(f.authority.authenticate("bob", "wrong password again"));
        let unknown = answer(f.authority.authenticate("nobody", "wrong password again"));
        assert_eq!(known, unknown, "step {step}");
        steps.push(known);
        // Every other step comes back at once, into the lock if there is one.
        if step % 2 == 1 {
            f.clock.advance(15 * 60);
        }
    }
    assert!(
        steps.contains(&"locked too many failed sign-ins; try again in 1 s".to_string()),
        "{steps:?}"
    );
    // Names are compared as usernames are: trimmed and case-insensitively, so a variant of a
    // name meets the lock its last failure set.
    for _ in 0..2 {
        let known = answer(f.authority.authenticate(" BOB ", "wrong password again"));
        let unknown = answer(f.authority.authenticate(" NoBody ", "wrong password again"));
        assert_eq!(known, unknown);
    }
    let known = answer(f.authority.authenticate(" BOB ", "wrong password again"));
    assert!(known.starts_with("locked "), "{known}");
    let unknown = answer(f.authority.authenticate(" NoBody ", "wrong password again"));
    assert_eq!(known, unknown);
}

#[test]
fn unknown_usernames_lock_for_good_at_100_failures_and_the_table_stays_bounded() {
    let mut f = Fixture::new();
    f.member("bob");
    for n in 1..=101 {
        let known = answer(f.authority.authenticate("bob", "wrong password again"));
        let unknown = answer(f.authority.authenticate("nobody", "wrong password again"));
        assert_eq!(known, unknown, "attempt {n}");
        let expected = if n <= 100 {
            "wrong_credentials"
        } else {
            "locked too many failed sign-ins; an administrator must reset"
        };
        assert!(known.starts_with(expected), "attempt {n}: {known}");
        f.clock.advance(15 * 60);
    }
    assert_eq!(failures_of(&f, "bob"), 100, "the count stops at 100");
    let _ = f
        .authority
        .authenticate("someone else", "wrong password again");
    let rows = |f: &Fixture| -> Vec<i64> {
        rusqlite::Connection::open(f.db_path())
            .unwrap()
            .prepare("SELECT failures FROM signin_throttle ORDER BY failures")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(rows(&f), [1, 100]);
    // A day later the counter that locks nothing any more is gone; the one at 100 stays.
    f.clock.advance(24 * 3600 + 1);
    let _ = f
        .authority
        .authenticate("a third name", "wrong password again");
    assert_eq!(rows(&f), [1, 100]);
    assert_eq!(
        answer(f.authority.authenticate("NOBODY", "wrong password again")),
        answer(f.authority.authenticate("bob", "wrong password again"))
    );
}

#[test]
fn unknown_usernames_are_audited_as_unknown_and_never_stored() {
    let mut f = Fixture::new();
    let typed = "Hunter2-My-Password-Typed-Here";
    for _ in 0..5 {
        assert!(matches!(
            f.authority.authenticate(typed, "wrong password again"),
            Err(CoreError::WrongCredentials) | Err(CoreError::Locked(_))
        ));
    }
    let events = f
        .authority
        .audit_events(f.admin, &Default::default())
        .unwrap();
    let failed: Vec<_> = events
        .iter()
        .filter(|e| e.action == "signin.failed")
        .collect();
    assert_eq!(failed.len(), 5);
    assert!(
        failed
            .iter()
            .all(|e| e.actor == "(unknown)" && e.target == "(unknown)"),
        "{failed:?}"
    );
    let db = f.db_path();
    drop(f);
    for suffix in ["", "-wal"] {
        let mut path = db.clone().into_os_string();
        path.push(suffix);
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        for needle in [typed.to_string(), typed.to_lowercase(), "Hunter2".into()] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{needle} in {path:?}"
            );
        }
    }
}

#[test]
fn creating_an_account_under_a_hammered_name_starts_its_count_afresh() {
    let mut f = Fixture::new();
    for _ in 0..4 {
        let _ = f.authority.authenticate("carol", "wrong password again");
    }
    f.member("carol");
    assert_eq!(failures_of(&f, "carol"), 0);
}

#[test]
fn a_deactivated_account_with_the_right_password_is_refused_without_counting() {
    let mut f = Fixture::new();
    f.member("bob");
    f.authority.deactivate(f.admin, "bob").unwrap();
    for _ in 0..5 {
        assert!(matches!(
            f.authority.authenticate("bob", MEMBER_PASSWORD),
            Err(CoreError::Forbidden(_))
        ));
    }
    assert_eq!(failures_of(&f, "bob"), 0);
    assert!(matches!(
        f.authority.authenticate("bob", "wrong password again"),
        Err(CoreError::WrongCredentials)
    ));
}

#[test]
fn the_session_epoch_changes_with_the_password_and_the_status_only() {
    let mut f = Fixture::new();
    let bob = f.member("bob");
    let epoch = |f: &Fixture| f.authority.session_epoch(bob).unwrap();
    let start = epoch(&f);
    f.authority.sign_in("bob", MEMBER_PASSWORD).unwrap();
    let _ = f.authority.authenticate("bob", "wrong password again");
    f.authority.set_role(f.admin, "bob", Role::Admin).unwrap();
    f.authority.set_mute_reminders(bob, true).unwrap();
    assert_eq!(
        epoch(&f),
        start,
        "nothing that keeps sessions valid changes it"
    );
    let mut seen = vec![start];
    f.authority
        .set_own_password(bob, "my new long password")
        .unwrap();
    seen.push(epoch(&f));
    f.authority
        .reset_password(f.admin, "bob", "a brand new password")
        .unwrap();
    seen.push(epoch(&f));
    f.authority.deactivate(f.admin, "bob").unwrap();
    seen.push(epoch(&f));
    f.authority.reactivate(f.admin, "bob").unwrap();
    seen.push(epoch(&f));
    let mut distinct = seen.clone();
    distinct.dedup();
    assert_eq!(distinct, seen, "every change bumps it: {seen:?}");
    // Another account's epoch is its own.
    assert_eq!(f.authority.session_epoch(f.admin).unwrap(), 0);
}
