//! The README's five-minute walkthrough, run against the real binary.
use latchkey_tests::*;

#[test]
fn the_readme_walkthrough_works_end_to_end() {
    let env = Env::new();
    // init
    let init = env.init().ok();
    assert!(
        init.stdout.is_empty(),
        "init prints nothing on stdout: {init:?}"
    );
    // add a member
    let add = env.run(
        &["users", "add", "bob", "--display-name", "Bob Builder"],
        &[
            ("LATCHKEY_USER", ADMIN),
            ("LATCHKEY_PASSWORD", ADMIN_PASSWORD),
            ("LATCHKEY_NEW_PASSWORD", MEMBER_PASSWORD),
        ],
        None,
    );
    add.ok();
    // the member on-boards a system; the administrator grants it
    env.as_user(
        "bob",
        MEMBER_PASSWORD,
        &["systems", "onboard", "web-api", "--display-name", "Web API"],
    )
    .ok();
    env.as_admin(&["grant", "bob", "web-api"]).ok();
    // create a token: alone on stdout, details on stderr
    let created = env
        .as_user(
            "bob",
            MEMBER_PASSWORD,
            &["tokens", "create", "--name", "deploy from CI"],
        )
        .ok();
    let token = created.stdout.trim_end_matches('\n');
    assert_eq!(created.stdout.lines().count(), 1);
    assert!(
        token.len() == 52
            && token.starts_with("lk_")
            && token[3..].bytes().all(|b| b.is_ascii_alphanumeric())
    );
    assert!(
        created.stderr.contains("shown only this once"),
        "{created:?}"
    );
    assert!(!created.stderr.contains(token));
    // verify it
    let valid = env.verify(token, &["--system", "web-api"]).ok();
    assert!(valid.stdout.starts_with("valid"), "{valid:?}");
    // revoke it and verify again
    let listed = env
        .as_user("bob", MEMBER_PASSWORD, &["--json", "tokens", "list"])
        .ok()
        .json();
    let id = listed[0]["id"].as_str().unwrap().to_string();
    env.as_user("bob", MEMBER_PASSWORD, &["tokens", "revoke", &id])
        .ok();
    let denied = env.verify(token, &["--system", "web-api"]);
    assert_eq!(denied.code, 1);
    assert_eq!(
        denied.one_line_error(),
        format!("denied: revoked (token {id})")
    );
}

#[test]
fn tokens_create_json_is_one_object_with_token_id_name_and_expiry() {
    let env = Env::initialised();
    let out = env
        .as_admin(&[
            "--json",
            "tokens",
            "create",
            "--name",
            "ci",
            "--expires-in-days",
            "30",
        ])
        .ok();
    let json = out.json();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    // SPEC's four, and (issue 16) whose it is and where it is used.
    assert_eq!(
        keys,
        ["expires_at", "id", "name", "owner", "token", "usage_note"]
    );
    assert_eq!(json["owner"], ADMIN);
    assert_eq!(json["usage_note"], serde_json::Value::Null);
    assert_eq!(json["name"], "ci");
    assert!(json["expires_at"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn tokens_list_json_has_the_spec_fields() {
    let env = Env::initialised();
    env.as_admin(&["systems", "onboard", "web"]).ok();
    env.as_admin(&["tokens", "create", "--name", "narrow", "--systems", "web"])
        .ok();
    let list = env.as_admin(&["--json", "tokens", "list"]).ok().json();
    let token = &list[0];
    for field in [
        "id",
        "name",
        "hint",
        "owner",
        "status",
        "created_at",
        "expires_at",
        "last_used_at",
        "systems",
    ] {
        assert!(token.get(field).is_some(), "{field} missing in {token}");
    }
    assert_eq!(token["status"], "active");
    assert_eq!(token["owner"], ADMIN);
    assert_eq!(token["systems"], serde_json::json!(["web"]));
    assert!(token["hint"].as_str().unwrap().starts_with("lk_…"));
    assert!(token["last_used_at"].is_null());
}

#[test]
fn list_all_is_for_administrators() {
    let env = Env::initialised();
    env.add_member("bob");
    let refused = env.as_user("bob", MEMBER_PASSWORD, &["tokens", "list", "--all"]);
    assert_eq!(refused.code, 1);
    assert!(refused.one_line_error().contains("administrator"));
    env.as_admin(&["tokens", "list", "--all"]).ok();
}

#[test]
fn rotate_prints_the_new_token_alone_and_the_old_one_stops() {
    let env = Env::initialised();
    let (old, id) = env.create_token(ADMIN, ADMIN_PASSWORD, &[]);
    let rotated = env.as_admin(&["tokens", "rotate", &id]).ok();
    let new = rotated.stdout.trim();
    assert_ne!(new, old);
    env.verify(new, &[]).ok();
    assert_eq!(env.verify(&old, &[]).code, 1);
}

/// Issue 16: the old token works until a quiet day after the new one's first use (within the
/// grace chosen), so whatever still holds it shows itself.
#[test]
fn rotate_with_a_grace_period_keeps_the_old_token_until_a_quiet_day_after_the_new_one_is_used() {
    use crate::clocked::{Clocked, DAY, HOUR};
    let c = Clocked::new();
    let (old, id) = c.create(0, ADMIN, &[]);
    let rotated = c
        .admin(0, &["--json", "tokens", "rotate", &id, "--grace-days", "3"])
        .ok()
        .json();
    c.verify(HOUR, &old, &[]).ok();
    c.verify(2 * HOUR, rotated["token"].as_str().unwrap(), &[])
        .ok();
    c.verify(2 * HOUR + DAY - 60, &old, &[]).ok();
    let denied = c.verify(3 * HOUR + 2 * DAY, &old, &[]);
    assert!(denied.stderr.contains("revoked"), "{denied:?}");
}

#[test]
fn rotate_until_first_use_stops_the_old_token_at_the_new_ones_first_use() {
    let env = Env::initialised();
    let (old, id) = env.create_token(ADMIN, ADMIN_PASSWORD, &[]);
    let rotated = env
        .as_admin(&["--json", "tokens", "rotate", &id, "--until-first-use"])
        .ok()
        .json();
    env.verify(&old, &[]).ok();
    env.verify(rotated["token"].as_str().unwrap(), &[]).ok();
    let denied = env.verify(&old, &[]);
    assert!(denied.stderr.contains("revoked"), "{denied:?}");
}

#[test]
fn delete_removes_a_revoked_token_from_the_list() {
    let env = Env::initialised();
    let (_, id) = env.create_token(ADMIN, ADMIN_PASSWORD, &[]);
    let refused = env.as_admin(&["tokens", "delete", &id]);
    assert_eq!(refused.code, 1, "an active token must be revoked first");
    env.as_admin(&["tokens", "revoke", &id]).ok();
    env.as_admin(&["tokens", "delete", &id]).ok();
    assert_eq!(
        env.as_admin(&["--json", "tokens", "list"]).ok().json(),
        serde_json::json!([])
    );
}

#[test]
fn revoke_all_and_an_administrators_revoke_all_of_an_account() {
    let env = Env::initialised();
    env.add_member("bob");
    let (t1, _) = env.create_token("bob", MEMBER_PASSWORD, &[]);
    let (t2, _) = env.create_token("bob", MEMBER_PASSWORD, &[]);
    let out = env
        .as_admin(&["--json", "tokens", "revoke-all", "--owner", "bob"])
        .ok()
        .json();
    assert_eq!(out["revoked"], 2);
    assert_eq!(env.verify(&t1, &[]).code, 1);
    assert_eq!(env.verify(&t2, &[]).code, 1);
    env.as_user("bob", MEMBER_PASSWORD, &["tokens", "revoke-all"])
        .ok();
}

#[test]
fn passwords_can_come_from_standard_input() {
    let env = Env::new();
    env.run(
        &[
            "init",
            "--org",
            "Acme",
            "--admin",
            ADMIN,
            "--password-stdin",
        ],
        &[],
        Some(&format!("{ADMIN_PASSWORD}\n")),
    )
    .ok();
    let input = format!("{ADMIN_PASSWORD}\n{MEMBER_PASSWORD}\n");
    env.run(
        &[
            "--user",
            ADMIN,
            "--password-stdin",
            "users",
            "add",
            "bob",
            "--new-password-stdin",
        ],
        &[],
        Some(&input),
    )
    .ok();
    env.as_user("bob", MEMBER_PASSWORD, &["tokens", "list"])
        .ok();
}

#[test]
fn a_missing_password_without_a_terminal_is_a_usage_error() {
    let env = Env::initialised();
    let out = env.run(&["tokens", "list"], &[("LATCHKEY_USER", ADMIN)], None);
    assert_eq!(out.code, 2);
    assert!(out.one_line_error().contains("LATCHKEY_PASSWORD"));
}

#[test]
fn a_ci_job_onboards_a_system_with_a_token() {
    let env = Env::initialised();
    env.add_member("bob");
    let (token, _) = env.create_token("bob", MEMBER_PASSWORD, &[]);
    env.run(
        &["systems", "onboard", "new-service", "--with-token"],
        &[],
        Some(&token),
    )
    .ok();
    let systems = env.as_admin(&["--json", "systems", "list"]).ok().json();
    assert_eq!(systems[0]["onboarded_by"], "bob");
    let verdict = env.verify(&token, &["--system", "new-service"]);
    assert!(
        verdict.stderr.contains("no_access"),
        "on-boarding does not grant access: {verdict:?}"
    );
}

#[test]
fn groups_grant_their_members_access() {
    let env = Env::initialised();
    env.add_member("bob");
    env.as_admin(&["systems", "onboard", "web"]).ok();
    env.as_admin(&["groups", "add", "deployers"]).ok();
    env.as_admin(&["groups", "join", "deployers", "bob"]).ok();
    env.as_admin(&["groups", "grant", "deployers", "web"]).ok();
    let (token, _) = env.create_token("bob", MEMBER_PASSWORD, &[]);
    env.verify(&token, &["--system", "web"]).ok();
    let groups = env.as_admin(&["--json", "groups", "list"]).ok().json();
    assert_eq!(groups[0]["members"], serde_json::json!(["bob"]));
}

#[test]
fn reminders_due_lists_what_the_app_would_notify() {
    let env = Env::initialised();
    env.as_admin(&[
        "tokens",
        "create",
        "--name",
        "soon",
        "--expires-in-days",
        "10",
    ])
    .ok();
    assert_eq!(
        env.as_admin(&["--json", "reminders", "due"]).ok().json(),
        serde_json::json!([])
    );
    let shifted = env.run(
        &["--json", "reminders", "due"],
        &[
            ("LATCHKEY_USER", ADMIN),
            ("LATCHKEY_PASSWORD", ADMIN_PASSWORD),
            // 3 days and an hour later: the 7-day threshold has passed, 6 whole days are left
            // (whatever seconds passed between the two commands).
            ("LATCHKEY_TEST_CLOCK_SHIFT", "262800"),
        ],
        None,
    );
    let due = shifted.ok().json();
    assert_eq!(due.as_array().unwrap().len(), 1);
    let reminder = &due[0];
    assert_eq!(
        (
            reminder["token_name"].as_str(),
            reminder["threshold_days"].as_i64()
        ),
        (Some("soon"), Some(7))
    );
    assert_eq!(reminder["days_left"], 6);
    for field in ["token_id", "owner", "expires_at"] {
        assert!(reminder.get(field).is_some());
    }
}

#[test]
fn the_audit_log_exports_csv_and_json() {
    let env = Env::initialised();
    env.create_token(ADMIN, ADMIN_PASSWORD, &[]);
    let csv = env.as_admin(&["audit", "--csv"]).ok();
    assert!(
        csv.stdout
            .starts_with("id,time,actor,action,target,details,count,chain\n")
    );
    assert!(csv.stdout.contains("token.created"));
    let json = env
        .as_admin(&["--json", "audit", "--action", "token"])
        .ok()
        .json();
    assert_eq!(json.as_array().unwrap().len(), 1);
    let bad = env.as_admin(&["audit", "--since", "yesterday"]);
    assert_eq!(bad.code, 2);
    bad.one_line_error();
}

#[test]
fn doctor_reports_a_healthy_store() {
    let env = Env::initialised();
    let out = env.run(&["--json", "doctor"], &[], None).ok().json();
    assert_eq!(out["integrity"], "ok");
    assert_eq!(out["key"], "ok");
}

#[test]
fn settings_can_be_read_by_members_and_changed_by_administrators() {
    let env = Env::initialised();
    env.add_member("bob");
    let shown = env
        .as_user("bob", MEMBER_PASSWORD, &["--json", "settings", "show"])
        .ok()
        .json();
    assert_eq!(
        shown["reminder_schedule"],
        serde_json::json!([30, 14, 7, 3, 1, 0])
    );
    assert_eq!(
        env.as_user(
            "bob",
            MEMBER_PASSWORD,
            &["settings", "set", "--max-lifetime-days", "30"]
        )
        .code,
        1
    );
    env.as_admin(&["settings", "set", "--max-lifetime-days", "30"])
        .ok();
    assert_eq!(
        env.as_admin(&["tokens", "create", "--name", "x", "--expires-in-days", "31"])
            .code,
        1
    );
    assert_eq!(shown["idle_lock_minutes"], 15);
    env.as_admin(&["settings", "set", "--idle-lock-minutes", "5"])
        .ok();
    let shown = env.as_admin(&["settings", "show"]).ok();
    assert!(
        shown.stdout.contains("(minutes without input): 5"),
        "{shown:?}"
    );
    let out = env.as_admin(&["settings", "set", "--idle-lock-minutes", "61"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.one_line_error().contains("60"), "{out:?}");
}
