//! SPEC §2 "Audit log": `latchkey audit verify` passes on an untouched store and on every older
//! fixture store once upgraded, and names the first event changed, removed or inserted by someone
//! who edits the file directly (append-only triggers dropped first) without the key; `doctor`
//! says the same in one line; exports carry the chain values and counts; `verify` records its
//! denial before the process ends; `audit --limit/--before` pages newest first.
use std::path::Path;

use latchkey_tests::*;

/// A store with events of several kinds, the last one a denied verification.
fn busy_env() -> Env {
    let env = Env::initialised();
    env.add_member("bob");
    env.as_admin(&["systems", "onboard", "web"]).ok();
    let (token, id) = env.create_token(ADMIN, ADMIN_PASSWORD, &["--name", "ci"]);
    env.as_admin(&["tokens", "revoke", &id]).ok();
    assert_eq!(env.verify(&token, &[]).code, 1);
    env
}

fn tamper(env: &Env, sql: &str) {
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    conn.execute_batch(
        "DROP TRIGGER IF EXISTS audit_events_no_update; \
         DROP TRIGGER IF EXISTS audit_events_no_delete;",
    )
    .unwrap();
    conn.execute_batch(sql).unwrap();
}

fn event_time(env: &Env, id: i64) -> String {
    let at: i64 = rusqlite::Connection::open(&env.db)
        .unwrap()
        .query_row("SELECT at FROM audit_events WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap();
    latchkey_core::clock::rfc3339(at)
}

fn events(env: &Env) -> i64 {
    rusqlite::Connection::open(&env.db)
        .unwrap()
        .query_row("SELECT count(*) FROM audit_events", [], |r| r.get(0))
        .unwrap()
}

/// `audit verify` refuses (exit 1) with one line naming `expected`.
fn refused_naming(env: &Env, expected: &str) {
    let out = env.run(&["audit", "verify"], &[], None);
    assert_eq!(out.code, 1, "{out:?}");
    let line = out.one_line_error();
    assert!(line.contains(expected), "{expected:?} not in {line:?}");
    let doctor = env.run(&["doctor"], &[], None);
    assert_eq!(doctor.code, 2, "{doctor:?}");
    assert!(
        doctor
            .stdout
            .lines()
            .any(|l| l.starts_with("audit chain: ") && l.contains(expected)),
        "{doctor:?}"
    );
}

#[test]
fn an_untouched_store_verifies_and_doctor_says_so() {
    let env = busy_env();
    let n = events(&env);
    let out = env.run(&["audit", "verify"], &[], None).ok();
    assert_eq!(out.stdout.trim(), format!("audit log intact: {n} events"));
    let json = env
        .run(&["--json", "audit", "verify"], &[], None)
        .ok()
        .json();
    assert_eq!(json["events"], n);
    assert_eq!(json["problem"], serde_json::Value::Null);
    let doctor = env.run(&["doctor"], &[], None).ok();
    assert!(
        doctor
            .stdout
            .contains(&format!("audit chain: intact: {n} events")),
        "{doctor:?}"
    );
}

#[test]
fn a_changed_event_is_named_by_id_and_time() {
    let env = busy_env();
    tamper(
        &env,
        "UPDATE audit_events SET actor = 'mallory' WHERE id = 4",
    );
    refused_naming(
        &env,
        &format!("event #4 ({}) was changed", event_time(&env, 4)),
    );
}

#[test]
fn a_deleted_event_is_named() {
    let env = busy_env();
    tamper(&env, "DELETE FROM audit_events WHERE id = 3");
    refused_naming(&env, "event #3 was removed");
}

#[test]
fn an_inserted_event_is_named() {
    let env = busy_env();
    tamper(
        &env,
        "INSERT INTO audit_events (id, at, actor, action, target, details, count, chain)
         SELECT 0, at, 'mallory', 'token.created', 'x', '', 1, chain \
         FROM audit_events WHERE id = 1",
    );
    refused_naming(
        &env,
        &format!("event #0 ({}) was inserted", event_time(&env, 0)),
    );
    let env = busy_env();
    let last = events(&env) + 1;
    tamper(
        &env,
        "INSERT INTO audit_events (at, actor, action, target, details, chain)
         SELECT at, actor, action, target, details, chain FROM audit_events WHERE id = 2",
    );
    refused_naming(&env, &format!("event #{last} ("));
}

#[test]
fn a_removed_chain_value_is_reported_not_recomputed() {
    let env = busy_env();
    tamper(&env, "UPDATE audit_events SET chain = NULL WHERE id = 2");
    refused_naming(&env, "event #2");
    // Writes in between change nothing: the value is not filled in again.
    env.as_admin(&["systems", "onboard", "api"]).ok();
    refused_naming(&env, "has no chain value");
}

/// Every store of an older schema checked in as a fixture verifies once this binary upgraded it.
#[test]
fn every_fixture_store_verifies_after_its_upgrade() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures");
    let mut seen = 0;
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let source = entry.unwrap().path();
        if !source.join("store.db").exists() {
            continue;
        }
        seen += 1;
        let env = Env::new();
        std::fs::copy(source.join("store.db"), &env.db).unwrap();
        std::fs::copy(source.join("key"), &env.key).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&env.key, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let before = events(&env);
        let out = env.run(&["audit", "verify"], &[], None).ok();
        assert_eq!(
            out.stdout.trim(),
            format!("audit log intact: {before} events"),
            "{}: {out:?}",
            source.display()
        );
        assert!(out.stderr.contains("chained when the store was upgraded"));
        tamper(&env, "UPDATE audit_events SET details = 'x' WHERE id = 1");
        refused_naming(&env, "event #1 (");
    }
    assert!(seen > 0);
}

#[test]
fn exports_carry_each_events_chain_value_and_count() {
    let env = busy_env();
    let csv = env.as_admin(&["audit", "--csv"]).ok().stdout;
    assert!(csv.starts_with("id,time,actor,action,target,details,count,chain\n"));
    let json = env.as_admin(&["--json", "audit"]).ok().json();
    let rows = json.as_array().unwrap();
    assert_eq!(rows.len() as i64, events(&env));
    for row in rows {
        assert_eq!(row["chain"].as_str().unwrap().len(), 64, "{row}");
        assert_eq!(row["count"], 1);
        assert!(csv.contains(row["chain"].as_str().unwrap()));
    }
}

#[test]
fn a_denial_is_in_the_log_when_verify_exits() {
    let env = Env::initialised();
    let unknown = latchkey_core::tokens::format::generate()
        .unwrap()
        .expose()
        .to_string();
    for _ in 0..3 {
        assert_eq!(env.verify(&unknown, &[]).code, 1);
    }
    let denied = env
        .as_admin(&["--json", "audit", "--action", "verify.denied"])
        .ok()
        .json();
    let total: i64 = denied
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["count"].as_i64().unwrap())
        .sum();
    assert_eq!(total, 3);
    env.run(&["audit", "verify"], &[], None).ok();
}

#[test]
fn audit_pages_newest_first_with_limit_and_before() {
    let env = busy_env();
    let all = env.as_admin(&["--json", "audit"]).ok().json();
    let mut ids: Vec<i64> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    ids.reverse();
    let first = env.as_admin(&["--json", "audit", "--limit", "2"]).ok();
    let page: Vec<i64> = first
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert_eq!(page, ids[..2]);
    let hint = format!("--before {} --limit 2", ids[1]);
    assert!(first.stderr.contains(&hint), "{first:?}");
    let before = ids[1].to_string();
    let second = env
        .as_admin(&["--json", "audit", "--limit", "2", "--before", &before])
        .ok()
        .json();
    assert_eq!(second[0]["id"].as_i64(), Some(ids[2]));
    let table = env.as_admin(&["audit", "--limit", "1"]).ok().stdout;
    assert!(table.starts_with("ID"), "{table}");
    assert_eq!(env.as_admin(&["audit", "--limit", "0"]).code, 2);
    assert_eq!(
        env.as_admin(&["audit", "--limit", "1", "verify"]).code,
        2,
        "flags and the verify subcommand do not mix"
    );
}
