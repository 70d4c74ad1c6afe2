//! SPEC §2 "Audit log".
use crate::common::*;
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
    assert!(csv.starts_with("id,time,actor,action,target,details,count,chain\n"));
    assert_eq!(csv.lines().count(), events.len() + 1);
    assert!(json.contains("\"time\":\"2026-01-01T00:00:00Z\""));
    for export in [&csv, &json] {
        assert!(!export.contains(&token.secret.expose()[3..19]));
        assert!(!export.contains(&token.secret.expose()[30..46]));
    }
}

// ---- The tamper-evident chain (SPEC §2) ----

use std::path::Path;
use std::sync::Arc;

use latchkey_core::audit::ProblemKind;
use latchkey_core::tokens::format as token_format;
use latchkey_core::{Authority, KeySource, TestClock, VerifyRequest};

/// A store with a few events of every kind, the last few of them denials.
fn busy_store() -> Fixture {
    let mut f = Fixture::new();
    let bob = f.member("bob");
    f.system("web");
    let token = f.token(bob, "ci");
    f.clock.advance(10);
    f.authority.revoke_token(bob, &token.token.id).unwrap();
    f.verify(&token, None);
    f.authority.flush_audit().unwrap();
    f
}

/// Runs `sql` on the store file directly, as someone with the file but not the key would,
/// after dropping the append-only triggers.
fn tamper(f: &Fixture, sql: &str) {
    let conn = rusqlite::Connection::open(f.db_path()).unwrap();
    conn.execute_batch(
        "DROP TRIGGER IF EXISTS audit_events_no_update; DROP TRIGGER IF EXISTS \
            audit_events_no_delete;",
    )
    .unwrap();
    conn.execute_batch(sql).unwrap();
}

fn event_count(f: &Fixture) -> i64 {
    rusqlite::Connection::open(f.db_path())
        .unwrap()
        .query_row("SELECT count(*) FROM audit_events", [], |r| r.get(0))
        .unwrap()
}

fn problem(f: &Fixture) -> (ProblemKind, Option<i64>, String) {
    let report = f.authority.verify_audit_chain().unwrap();
    let problem = report.problem.expect("the tampering was noticed");
    (problem.kind, problem.event_id, problem.message)
}

#[test]
fn an_untouched_log_is_intact_and_every_event_has_a_chain_value() {
    let f = busy_store();
    let report = f.authority.verify_audit_chain().unwrap();
    assert!(report.intact(), "{report:?}");
    assert_eq!(report.events as i64, event_count(&f));
    assert_eq!(
        report.summary(),
        format!("audit log intact: {} events", report.events)
    );
    assert_eq!(report.chained_at_upgrade, 0);
    let events = f
        .authority
        .audit_events(f.admin, &AuditFilter::default())
        .unwrap();
    assert!(events.iter().all(|e| e.chain.len() == 64), "{events:?}");
    let json = to_json(&events);
    assert_eq!(json[0]["chain"], events[0].chain.as_str());
    assert_eq!(json[0]["count"], 1);
}

#[test]
fn a_changed_event_is_named() {
    let f = busy_store();
    tamper(&f, "UPDATE audit_events SET actor = 'mallory' WHERE id = 3");
    let (kind, id, message) = problem(&f);
    assert_eq!((kind, id), (ProblemKind::Changed, Some(3)));
    assert!(
        message.contains("event #3 (2026-01-01T00:00:00Z) was changed"),
        "{message}"
    );
}

#[test]
fn a_removed_event_is_named() {
    let f = busy_store();
    tamper(&f, "DELETE FROM audit_events WHERE id = 4");
    let (kind, id, message) = problem(&f);
    assert_eq!((kind, id), (ProblemKind::Removed, Some(4)));
    assert!(message.contains("event #4 was removed"), "{message}");
}

#[test]
fn an_inserted_event_is_named() {
    let f = busy_store();
    // Before the first event, copying a real chain value.
    tamper(
        &f,
        "INSERT INTO audit_events (id, at, actor, action, target, details, count, chain)
         SELECT 0, at, 'mallory', 'token.created', 'x', '', 1, chain FROM audit_events WHERE id = \
         2",
    );
    let (kind, id, message) = problem(&f);
    assert_eq!((kind, id), (ProblemKind::Inserted, Some(0)));
    assert!(
        message.contains("event #0 (2026-01-01T00:00:00Z) was inserted"),
        "{message}"
    );
}

#[test]
fn an_event_added_at_the_end_is_named() {
    let f = busy_store();
    let next = event_count(&f) + 1;
    tamper(
        &f,
        "INSERT INTO audit_events (at, actor, action, target, details, chain)
         VALUES (1767225700, 'root', 'token.created', 'x', '', randomblob(32))",
    );
    let (kind, id, _) = problem(&f);
    assert_eq!((kind, id), (ProblemKind::ChangedOrInserted, Some(next)));
}

#[test]
fn a_removed_chain_value_is_reported_and_never_filled_in_again() {
    let mut f = busy_store();
    tamper(&f, "UPDATE audit_events SET chain = NULL WHERE id = 2");
    let (kind, id, _) = problem(&f);
    assert_eq!((kind, id), (ProblemKind::ChainValueRemoved, Some(2)));
    f.reopen();
    let (kind, id, _) = problem(&f);
    assert_eq!((kind, id), (ProblemKind::ChainValueRemoved, Some(2)));
    // Even with the upgrade's mark planted: the anchor is there, so nothing is recomputed.
    tamper(
        &f,
        "INSERT INTO meta (key, value) VALUES ('audit_chain_pending', '1')",
    );
    f.reopen();
    assert_eq!(problem(&f).0, ProblemKind::ChainValueRemoved);
}

#[test]
fn a_planted_upgrade_mark_never_gets_a_rewritten_log_chained_anew() {
    // Someone with the file rewrites an event, blanks every chain value, removes the anchor and
    // plants migration 004's mark, hoping the next open chains the forged log as an upgrade.
    let mut f = busy_store();
    tamper(
        &f,
        "UPDATE audit_events SET actor = 'mallory', chain = NULL WHERE id = 3;
         UPDATE audit_events SET chain = NULL;
         DELETE FROM meta WHERE key = 'audit_chain_anchor';
         INSERT INTO meta (key, value) VALUES ('audit_chain_pending', '1');",
    );
    f.reopen();
    let report = f.authority.verify_audit_chain().unwrap();
    assert!(!report.intact(), "a forged log passed: {report:?}");
    assert_eq!(report.chained_at_upgrade, 0, "{report:?}");
}

#[test]
fn a_removed_or_altered_anchor_is_reported() {
    let f = busy_store();
    tamper(
        &f,
        "UPDATE meta SET value = '1 ' || substr(value, 3) WHERE key = 'audit_chain_anchor'",
    );
    assert_eq!(problem(&f).0, ProblemKind::Anchor);
    tamper(&f, "DELETE FROM meta WHERE key = 'audit_chain_anchor'");
    let (kind, _, message) = problem(&f);
    assert_eq!(kind, ProblemKind::Anchor);
    assert!(message.contains("removed"), "{message}");
}

#[test]
fn new_events_after_tampering_do_not_hide_it() {
    let mut f = busy_store();
    tamper(&f, "UPDATE audit_events SET details = '' WHERE id = 2");
    f.token(f.admin, "later");
    assert_eq!(problem(&f).1, Some(2));
}

/// Every checked-in fixture of an older schema: after the migration its log is chained, anchored
/// and intact, and tampering afterwards is noticed.
#[test]
fn every_fixture_store_is_chained_when_it_is_upgraded() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut seen = 0;
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let source = entry.unwrap().path();
        if !source.join("store.db").exists() {
            continue;
        }
        seen += 1;
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("store.db");
        std::fs::copy(source.join("store.db"), &store).unwrap();
        std::fs::copy(source.join("key"), dir.path().join("key")).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(
                dir.path().join("key"),
                std::fs::Permissions::from_mode(0o600),
            )
            .unwrap();
        }
        let key = KeySource::File(dir.path().join("key"));
        let old_events: i64 = rusqlite::Connection::open(&store)
            .unwrap()
            .query_row("SELECT count(*) FROM audit_events", [], |r| r.get(0))
            .unwrap();
        let clock = Arc::new(TestClock::at(START));
        let authority = Authority::open(&store, &key, clock.clone()).unwrap();
        let report = authority.verify_audit_chain().unwrap();
        assert!(report.intact(), "{}: {report:?}", source.display());
        assert_eq!(report.chained_at_upgrade, old_events);
        drop(authority);
        // Opened again: nothing is chained again, the log stays intact.
        let authority = Authority::open(&store, &key, clock.clone()).unwrap();
        assert!(authority.verify_audit_chain().unwrap().intact());
        drop(authority);
        let conn = rusqlite::Connection::open(&store).unwrap();
        conn.execute_batch(
            "DROP TRIGGER audit_events_no_update; UPDATE audit_events SET target = 'x' WHERE id = \
                1",
        )
        .unwrap();
        drop(conn);
        let authority = Authority::open(&store, &key, clock).unwrap();
        let problem = authority.verify_audit_chain().unwrap().problem.unwrap();
        assert_eq!(
            (problem.kind, problem.event_id),
            (ProblemKind::Changed, Some(1))
        );
    }
    assert!(seen > 0, "no fixture store found");
}

#[test]
fn an_upgrade_first_opened_with_the_wrong_key_is_chained_by_the_next_open() {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema-v2");
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.db");
    std::fs::copy(source.join("store.db"), &store).unwrap();
    std::fs::copy(source.join("key"), dir.path().join("key")).unwrap();
    std::fs::write(dir.path().join("wrong"), format!("{}\n", "ab".repeat(32))).unwrap();
    #[cfg(unix)]
    for name in ["key", "wrong"] {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            dir.path().join(name),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
    }
    let clock = Arc::new(TestClock::at(START));
    // The migration commits before the key is checked.
    let wrong = Authority::open(
        &store,
        &KeySource::File(dir.path().join("wrong")),
        clock.clone(),
    );
    assert!(wrong.is_err());
    let authority =
        Authority::open(&store, &KeySource::File(dir.path().join("key")), clock).unwrap();
    let report = authority.verify_audit_chain().unwrap();
    assert!(report.intact(), "{report:?}");
    assert!(report.chained_at_upgrade > 0);
}

// ---- Batched denials (SPEC §2) ----

fn unknown_tokens(n: usize) -> Vec<String> {
    (0..n)
        .map(|_| token_format::generate().unwrap().expose().to_string())
        .collect()
}

fn denials_in_log(f: &Fixture) -> i64 {
    f.authority
        .audit_events(
            f.admin,
            &AuditFilter {
                action: Some("verify.denied".into()),
                ..Default::default()
            },
        )
        .unwrap()
        .iter()
        .map(|e| e.count)
        .sum()
}

#[test]
fn ten_thousand_denials_are_all_accounted_for_in_a_few_transactions() {
    let mut f = Fixture::new();
    for (i, token) in unknown_tokens(10_000).iter().enumerate() {
        if i % 2_500 == 0 {
            f.clock.advance(1);
        }
        let answer = f
            .authority
            .verify(token, &VerifyRequest::default())
            .unwrap();
        assert!(!answer.valid);
    }
    f.authority.flush_audit().unwrap();
    assert_eq!(denials_in_log(&f), 10_000);
    let stats = f.authority.audit_stats();
    assert_eq!(stats.pending_denials, 0);
    assert!(
        stats.denial_transactions <= 14,
        "{} transactions for 10 000 denials",
        stats.denial_transactions
    );
    let report = f.authority.verify_audit_chain().unwrap();
    assert!(report.intact(), "{report:?}");
    assert_eq!(report.denials, 10_000);
}

#[test]
fn identical_denials_in_one_second_are_one_event_with_a_count() {
    let mut f = Fixture::new();
    let token = f.token(f.admin, "ci");
    f.authority.revoke_token(f.admin, &token.token.id).unwrap();
    for _ in 0..5 {
        f.verify(&token, None);
    }
    f.verify(&token, Some("web"));
    f.clock.advance(1);
    f.verify(&token, None);
    f.authority.flush_audit().unwrap();
    let denied: Vec<(i64, String)> = f
        .authority
        .audit_events(
            f.admin,
            &AuditFilter {
                action: Some("verify.denied".into()),
                ..Default::default()
            },
        )
        .unwrap()
        .into_iter()
        .map(|e| (e.count, e.details))
        .collect();
    assert_eq!(
        denied,
        [
            (5, r#"{"reason":"revoked","system":null}"#.to_string()),
            (1, r#"{"reason":"revoked","system":"web"}"#.to_string()),
            (1, r#"{"reason":"revoked","system":null}"#.to_string()),
        ]
    );
    let csv = to_csv(
        &f.authority
            .audit_events(f.admin, &AuditFilter::default())
            .unwrap(),
    );
    assert!(csv.lines().any(|l| l.contains(",5,")), "{csv}");
}

#[test]
fn waiting_denials_are_written_before_any_other_write_keeping_the_order() {
    let mut f = Fixture::new();
    let stranger = unknown_tokens(1).pop().unwrap();
    f.authority
        .verify(&stranger, &VerifyRequest::default())
        .unwrap();
    assert_eq!(f.authority.audit_stats().pending_denials, 1);
    f.token(f.admin, "after the denial");
    assert_eq!(f.authority.audit_stats().pending_denials, 0);
    let actions = f.audit_actions();
    let tail: Vec<&str> = actions
        .iter()
        .rev()
        .take(2)
        .rev()
        .map(String::as_str)
        .collect();
    assert_eq!(tail, ["verify.denied", "token.created"]);
}

#[test]
fn waiting_denials_are_written_when_the_authority_is_dropped() {
    let mut f = Fixture::new();
    for token in unknown_tokens(3) {
        f.authority
            .verify(&token, &VerifyRequest::default())
            .unwrap();
    }
    f.reopen(); // drops the old authority
    assert_eq!(denials_in_log(&f), 3);
}

#[test]
fn a_batch_is_written_once_its_oldest_denial_waited_a_hundred_milliseconds() {
    let mut f = Fixture::new();
    let tokens = unknown_tokens(2);
    f.authority
        .verify(&tokens[0], &VerifyRequest::default())
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(120));
    assert_eq!(f.authority.audit_stats().pending_denials, 1);
    f.authority
        .verify(&tokens[1], &VerifyRequest::default())
        .unwrap();
    // The next verification wrote the waiting one first, then queued its own.
    let stats = f.authority.audit_stats();
    assert_eq!((stats.pending_denials, stats.denial_transactions), (1, 1));
    assert_eq!(denials_in_log(&f), 1);
}

// ---- Paging ----

#[test]
fn pages_are_newest_first_and_reach_the_oldest() {
    let mut f = Fixture::new();
    for i in 0..7 {
        f.token(f.admin, &format!("t{i}"));
    }
    let all = f
        .authority
        .audit_events(f.admin, &AuditFilter::default())
        .unwrap();
    let mut ids = Vec::new();
    let mut before = None;
    loop {
        let page = f
            .authority
            .audit_page(f.admin, &AuditFilter::default(), before, 3)
            .unwrap();
        assert!(page.events.len() <= 3);
        ids.extend(page.events.iter().map(|e| e.id));
        match page.older {
            Some(id) => before = Some(id),
            None => break,
        }
    }
    let mut expected: Vec<i64> = all.iter().map(|e| e.id).collect();
    expected.reverse();
    assert_eq!(ids, expected);
    let filtered = f
        .authority
        .audit_page(
            f.admin,
            &AuditFilter {
                action: Some("token".into()),
                ..Default::default()
            },
            None,
            5,
        )
        .unwrap();
    assert_eq!(filtered.events.len(), 5);
    assert!(filtered.events.iter().all(|e| e.action == "token.created"));
    assert!(filtered.older.is_some());
    assert!(matches!(
        f.authority
            .audit_page(f.admin, &AuditFilter::default(), None, 0),
        Err(CoreError::Invalid(_))
    ));
    let bob = f.member("bob");
    assert!(matches!(
        f.authority
            .audit_page(bob, &AuditFilter::default(), None, 10),
        Err(CoreError::Forbidden(_))
    ));
}

#[test]
fn a_service_counts_a_flooding_clients_denials_into_one_event_a_second() {
    let mut f = Fixture::new();
    let token = f.token(f.admin, "ci");
    f.authority.revoke_token(f.admin, &token.token.id).unwrap();
    // Over its rate, a client's denials of our tokens are still each token's events, whatever
    // systems it names (one event a second, without the system)...
    for i in 0..50 {
        let system = format!("system-{i}");
        let request = VerifyRequest {
            system: Some(&system),
            ..VerifyRequest::default()
        };
        let answer = f
            .authority
            .verify_in_flood(token.secret.expose(), &request)
            .unwrap();
        assert!(!answer.valid);
    }
    // ...while unknown tokens get no event each...
    for unknown in unknown_tokens(50) {
        let request = VerifyRequest::default();
        assert!(
            !f.authority
                .verify_in_flood(&unknown, &request)
                .unwrap()
                .valid
        );
    }
    // ...but are counted, by the service, into one event for that second.
    f.authority.record_rate_limited("192.0.2.7", 50).unwrap();
    f.authority.flush_audit().unwrap();
    let denied: Vec<(i64, String, String)> = f
        .authority
        .audit_events(
            f.admin,
            &AuditFilter {
                action: Some("verify.denied".into()),
                ..Default::default()
            },
        )
        .unwrap()
        .into_iter()
        .map(|e| (e.count, e.target, e.details))
        .collect();
    let revoked = r#"{"reason":"revoked","system":null}"#.to_string();
    assert_eq!(denied, [(50, token.token.id.clone(), revoked)]);
    let limited: Vec<(i64, String, String)> = f
        .authority
        .audit_events(
            f.admin,
            &AuditFilter {
                action: Some("verify.rate_limited".into()),
                ..Default::default()
            },
        )
        .unwrap()
        .into_iter()
        .map(|e| (e.count, e.target, e.actor))
        .collect();
    assert_eq!(
        limited,
        [(50, "192.0.2.7".to_string(), "latchkey".to_string())]
    );
    assert!(f.authority.verify_audit_chain().unwrap().intact());
}

#[test]
fn a_verification_says_when_the_token_was_issued() {
    let mut f = Fixture::new();
    let token = f.token(f.admin, "ci");
    let answer = f.verify(&token, None);
    assert_eq!(answer.issued_at, Some(START));
    assert_eq!(answer.expires_at, Some(token.token.expires_at));
}
