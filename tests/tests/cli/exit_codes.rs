//! Every denial reason of `verify` and the exit codes of SPEC §5.
use latchkey_tests::*;

fn json_reason(out: &Output) -> serde_json::Value {
    out.json()["reason"].clone()
}

/// A store with bob (granted `web`), `db` (not granted) and a valid token of bob's.
fn setup() -> (Env, String, String) {
    let env = Env::initialised();
    env.add_member("bob");
    env.as_admin(&["systems", "onboard", "web"]).ok();
    env.as_admin(&["systems", "onboard", "db"]).ok();
    env.as_admin(&["grant", "bob", "web"]).ok();
    let (token, id) = env.create_token("bob", MEMBER_PASSWORD, &[]);
    (env, token, id)
}

#[test]
fn valid_exits_0_with_json_fields() {
    let (env, token, id) = setup();
    let out = env.verify(&token, &["--json", "--system", "web"]).ok();
    let json = out.json();
    assert_eq!(json["valid"], true);
    assert!(json["reason"].is_null());
    assert_eq!(json["token_id"], id.as_str());
    assert_eq!(json["owner"], "bob");
    assert!(json["expires_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(json["systems"], serde_json::json!(["web"]));
}

#[test]
fn an_administrators_unnarrowed_token_reaches_all() {
    let (env, _, _) = setup();
    let (token, _) = env.create_token(ADMIN, ADMIN_PASSWORD, &[]);
    assert_eq!(
        env.verify(&token, &["--json"]).ok().json()["systems"],
        "all"
    );
}

#[test]
fn the_token_may_come_from_latchkey_token() {
    let (env, token, _) = setup();
    env.run(&["verify"], &[("LATCHKEY_TOKEN", &token)], None)
        .ok();
}

#[test]
fn malformed_exits_1_before_the_store_is_opened() {
    let env = Env::new(); // no store at all
    let out = env.verify("lk_notatoken", &["--json"]);
    assert_eq!(out.code, 1);
    let json = out.json();
    assert_eq!(json["reason"], "malformed");
    assert!(json["token_id"].is_null() && json["owner"].is_null() && json["expires_at"].is_null());
    assert!(!env.db.exists(), "nothing was created");
    let plain = env.verify("lk_notatoken", &[]);
    assert_eq!(plain.one_line_error(), "denied: malformed");
}

#[test]
fn unknown_exits_1() {
    let (env, token, _) = setup();
    let stranger = Env::initialised();
    let (other, _) = stranger.create_token(ADMIN, ADMIN_PASSWORD, &[]);
    assert_ne!(token, other);
    let out = env.verify(&other, &["--json"]);
    assert_eq!((out.code, json_reason(&out)), (1, "unknown".into()));
    assert!(out.json()["token_id"].is_null());
}

#[test]
fn revoked_exits_1() {
    let (env, token, id) = setup();
    env.as_user("bob", MEMBER_PASSWORD, &["tokens", "revoke", &id])
        .ok();
    let out = env.verify(&token, &["--json"]);
    assert_eq!((out.code, json_reason(&out)), (1, "revoked".into()));
    assert_eq!(out.json()["token_id"], id.as_str());
    assert_eq!(out.json()["systems"], serde_json::json!([]));
}

#[test]
fn expired_exits_1() {
    let (env, _, _) = setup();
    let (token, _) = env.create_token("bob", MEMBER_PASSWORD, &["--expires-in-days", "1"]);
    let out = env.run(
        &["--json", "verify"],
        &[("LATCHKEY_TEST_CLOCK_SHIFT", "86400")],
        Some(&token),
    );
    assert_eq!((out.code, json_reason(&out)), (1, "expired".into()));
    // The store has now seen that time: putting the clock back does not revive the token.
    let again = env.verify(&token, &["--json"]);
    assert_eq!(json_reason(&again), "expired");
    assert!(
        again.stderr.contains("behind"),
        "the CLI says the clock is behind: {again:?}"
    );
}

#[test]
fn owner_deactivated_exits_1_and_reactivation_restores() {
    let (env, token, _) = setup();
    env.as_admin(&["users", "deactivate", "bob"]).ok();
    let out = env.verify(&token, &["--json", "--system", "web"]);
    assert_eq!(
        (out.code, json_reason(&out)),
        (1, "owner_deactivated".into())
    );
    env.as_admin(&["users", "reactivate", "bob"]).ok();
    env.verify(&token, &["--system", "web"]).ok();
}

#[test]
fn no_access_exits_1_and_ungrant_takes_effect_at_once() {
    let (env, token, _) = setup();
    let out = env.verify(&token, &["--json", "--system", "db"]);
    assert_eq!((out.code, json_reason(&out)), (1, "no_access".into()));
    env.verify(&token, &["--system", "web"]).ok();
    env.as_admin(&["ungrant", "bob", "web"]).ok();
    let out = env.verify(&token, &["--system", "web"]);
    assert_eq!(out.code, 1);
    assert!(out.one_line_error().contains("no_access"));
}

#[test]
fn verify_with_no_token_is_a_usage_error() {
    let (env, _, _) = setup();
    let out = env.verify("", &[]);
    assert_eq!(out.code, 2);
    assert!(out.one_line_error().contains("LATCHKEY_TOKEN"));
}

#[test]
fn verify_with_a_bad_system_slug_is_a_usage_error() {
    let (env, token, _) = setup();
    let out = env.verify(&token, &["--system", "Not A Slug"]);
    assert_eq!(out.code, 2);
    out.one_line_error();
}

#[test]
fn refusals_exit_1_with_one_line() {
    let (env, _, _) = setup();
    let wrong = env.as_user("bob", "wrong password entirely", &["tokens", "list"]);
    assert_eq!(wrong.code, 1);
    assert_eq!(
        wrong.one_line_error(),
        "latchkey: wrong username or password"
    );
    let forbidden = env.as_user("bob", MEMBER_PASSWORD, &["users", "list"]);
    assert_eq!(forbidden.code, 1);
    assert!(forbidden.one_line_error().contains("administrator"));
    let last_admin = env.as_admin(&["users", "set-role", "root", "member"]);
    assert_eq!(last_admin.code, 1);
    assert!(
        last_admin
            .one_line_error()
            .contains("last active administrator")
    );
}

#[test]
fn a_locked_account_is_refused_with_the_wait() {
    let (env, _, _) = setup();
    // The failures are recorded an hour ahead; the store then never lets "now" fall behind the
    // last failure, so the next attempt meets the full 1 s lock however slow this machine is.
    let ahead = [
        ("LATCHKEY_USER", "bob"),
        ("LATCHKEY_PASSWORD", "wrong password entirely"),
        ("LATCHKEY_TEST_CLOCK_SHIFT", "3600"),
    ];
    for _ in 0..3 {
        assert_eq!(env.run(&["tokens", "list"], &ahead, None).code, 1);
    }
    let locked = env.as_user("bob", MEMBER_PASSWORD, &["tokens", "list"]);
    assert_eq!(locked.code, 1);
    assert!(
        locked
            .stderr
            .contains("latchkey: too many failed sign-ins; try again in 1 s"),
        "{locked:?}"
    );
}

#[test]
fn store_and_key_problems_exit_2() {
    let env = Env::new();
    let none = env.as_admin(&["tokens", "list"]);
    assert_eq!(none.code, 2);
    assert!(none.one_line_error().contains("latchkey init"));
    let env = Env::initialised();
    let init_again = env.init();
    assert_eq!(
        init_again.code, 1,
        "a second init is refused: {init_again:?}"
    );
}

#[test]
fn usage_errors_exit_2() {
    let env = Env::initialised();
    assert_eq!(
        env.as_admin(&["tokens", "create"]).code,
        2,
        "--name is required"
    );
    assert_eq!(
        env.as_admin(&[
            "tokens",
            "create",
            "--name",
            "x",
            "--expires-in-days",
            "soon"
        ])
        .code,
        2
    );
    assert_eq!(env.as_admin(&["no-such-command"]).code, 2);
}

#[test]
fn invalid_values_exit_1() {
    let env = Env::initialised();
    let out = env.as_admin(&["tokens", "create", "--name", "x", "--expires-in-days", "-5"]);
    assert_eq!(out.code, 1);
    assert!(out.one_line_error().contains("at least 1 day"));
    let out = env.as_admin(&[
        "tokens",
        "rotate",
        "tok_0000000000000000",
        "--grace-days",
        "30",
    ]);
    assert_eq!(out.code, 1);
    out.one_line_error();
}

#[test]
fn doctor_on_a_corrupt_file_reports_it_and_exits_2() {
    let env = Env::new();
    std::fs::write(&env.db, b"garbage that is not SQLite at all ".repeat(200)).unwrap();
    let out = env.run(&["doctor"], &[], None);
    assert_eq!(out.code, 2);
    assert!(out.stdout.contains("damaged"), "{out:?}");
    out.one_line_error();
    let other = env.as_admin(&["tokens", "list"]);
    assert_eq!(other.code, 2);
    assert!(other.one_line_error().contains("latchkey doctor"));
}

#[test]
fn a_reader_that_goes_away_ends_the_command_quietly_not_with_a_panic() {
    let env = Env::initialised();
    let mut command = env.command();
    command
        .args(["--json", "audit"])
        .env("LATCHKEY_USER", ADMIN)
        .env("LATCHKEY_PASSWORD", ADMIN_PASSWORD)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = command.spawn().expect("start latchkey");
    // Close the reading end before the command (busy checking the password) writes anything.
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("wait for latchkey");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(141), "{stderr}");
}
