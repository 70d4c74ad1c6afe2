//! Every command on Tauri's mock runtime: unauthenticated, as a member and as an administrator.
//! The role rule is enforced in Rust whatever the UI shows, and every error is `{code, message}`.
mod common;

use common::*;
use serde_json::{Value, json};

/// Every command that needs a signed-in account, with plausible arguments, and whether only
/// administrators may call it.
fn every_command() -> Vec<(&'static str, Value, bool)> {
    let id = "tok_0000000000000000";
    vec![
        ("list_tokens", json!({"all": false, "owner": null}), false),
        (
            "create_token",
            json!({"request": {"name": "ci", "expires_in_days": null, "systems": null}}),
            false,
        ),
        ("revoke_token", json!({"id": id}), false),
        (
            "rotate_token",
            json!({"id": id, "graceDays": null, "untilFirstUse": false}),
            false,
        ),
        ("delete_token", json!({"id": id}), false),
        ("revoke_all_tokens", json!({"owner": null}), false),
        ("copy_secret", json!({"secret": "lk_x"}), false),
        ("list_systems", json!({}), false),
        (
            "onboard_system",
            json!({"slug": "svc", "displayName": null}),
            false,
        ),
        ("my_systems", json!({}), false),
        ("get_settings", json!({}), false),
        ("list_reminders", json!({}), false),
        ("mark_reminders_read", json!({}), false),
        ("set_mute_reminders", json!({"mute": false}), false),
        ("get_autostart", json!({}), false),
        ("set_autostart", json!({"enabled": false}), false),
        ("list_accounts", json!({}), true),
        (
            "add_account",
            json!({"username": "carol", "displayName": null, "admin": false, "password": MEMBER_PASSWORD}),
            true,
        ),
        ("set_role", json!({"username": "bob", "admin": false}), true),
        (
            "set_active",
            json!({"username": "bob", "active": true}),
            true,
        ),
        (
            "reset_password",
            json!({"username": "bob", "password": MEMBER_PASSWORD}),
            true,
        ),
        (
            "set_access_all",
            json!({"username": "bob", "accessAll": false}),
            true,
        ),
        ("system_access", json!({"slug": "svc"}), true),
        (
            "set_grant",
            json!({"username": "bob", "slug": "svc", "granted": true}),
            true,
        ),
        ("list_groups", json!({}), true),
        ("add_group", json!({"name": "ops"}), true),
        (
            "set_group_member",
            json!({"group": "ops", "username": "bob", "member": true}),
            true,
        ),
        (
            "set_group_grant",
            json!({"group": "ops", "slug": "svc", "granted": true}),
            true,
        ),
        (
            "audit_events",
            json!({"since": null, "until": null, "actorName": null, "action": null}),
            true,
        ),
        ("export_audit", json!({"format": "csv"}), true),
        (
            "backup_store",
            json!({"passphrase": "a passphrase kept in the safe"}),
            true,
        ),
        (
            "restore_store",
            json!({"path": "/nonexistent/backup.lkbackup", "passphrase": "a passphrase kept in the safe"}),
            true,
        ),
        (
            "update_settings",
            json!({"settings": {"reminder_schedule": [30, 7, 1, 0], "max_lifetime_days": 365, "onboarder_gets_access": false}}),
            true,
        ),
    ]
}

#[test]
fn the_role_table_covers_every_command() {
    let listed: Vec<&str> = every_command().iter().map(|(c, _, _)| *c).collect();
    for (command, _, _) in latchkey_app::bindings::COMMANDS {
        let open = ["setup_status", "setup", "sign_in", "sign_out", "session"].contains(command);
        assert!(
            open || listed.contains(command),
            "{command} is not in the role table"
        );
    }
}

#[test]
fn as_a_member_admin_commands_are_refused_and_the_rest_allowed() {
    let app = App::with_accounts();
    app.ok(
        "onboard_system",
        json!({"slug": "svc", "displayName": null}),
    );
    app.ok("add_group", json!({"name": "ops"}));
    app.ok("sign_out", json!({}));
    app.sign_in("bob", MEMBER_PASSWORD);
    for (command, args, admin_only) in every_command() {
        match app.call(command, args) {
            Err(error) if admin_only => {
                assert_eq!(error["code"], "forbidden", "{command}: {error}")
            }
            Err(error) => assert!(
                !["forbidden", "not_signed_in"].contains(&error["code"].as_str().unwrap()),
                "{command}: {error}"
            ),
            Ok(value) => assert!(!admin_only, "{command} answered a member: {value}"),
        }
    }
}

#[test]
fn as_an_administrator_every_command_is_allowed() {
    let app = App::with_accounts();
    app.ok(
        "onboard_system",
        json!({"slug": "svc", "displayName": null}),
    );
    app.ok("add_group", json!({"name": "ops"}));
    for (command, args, _) in every_command() {
        if let Err(error) = app.call(command, args) {
            // Dummy ids are not found, a second "ops" group conflicts: refusals of the value,
            // never of the role.
            assert!(
                !["forbidden", "not_signed_in"].contains(&error["code"].as_str().unwrap()),
                "{command}: {error}"
            );
        }
    }
}

#[test]
fn first_run_reports_setup_needed_then_setup_signs_the_administrator_in() {
    let app = App::new();
    assert_eq!(app.ok("setup_status", json!({}))["needs_setup"], true);
    assert_eq!(app.ok("session", json!({})), Value::Null);
    let session = app.ok("setup", json!({"organisation": "Acme", "username": "root", "displayName": "Root", "password": ADMIN_PASSWORD}));
    assert_eq!(
        (session["username"].as_str(), session["is_admin"].as_bool()),
        (Some("root"), Some(true))
    );
    assert_eq!(app.ok("setup_status", json!({}))["needs_setup"], false);
}

#[test]
fn every_command_but_sign_in_refuses_an_unauthenticated_caller() {
    let app = App::with_accounts();
    app.ok("sign_out", json!({}));
    for (command, args, _) in every_command() {
        let error = app.refused(command, args);
        assert_eq!(error["code"], "not_signed_in", "{command}: {error}");
    }
}

#[test]
fn a_member_is_refused_admin_commands_whatever_the_ui_shows() {
    let app = App::with_accounts();
    app.ok("sign_out", json!({}));
    app.sign_in("bob", MEMBER_PASSWORD);
    for (command, args) in [
        ("list_accounts", json!({})),
        (
            "add_account",
            json!({"username": "eve", "displayName": null, "admin": true, "password": MEMBER_PASSWORD}),
        ),
        ("list_tokens", json!({"all": true, "owner": null})),
        ("revoke_all_tokens", json!({"owner": "root"})),
    ] {
        let error = app.refused(command, args);
        assert_eq!(error["code"], "forbidden", "{command}: {error}");
    }
    // A member's own work is allowed.
    app.ok(
        "create_token",
        json!({"request": {"name": "mine", "expires_in_days": 30, "systems": null}}),
    );
    assert_eq!(
        app.ok("list_tokens", json!({"all": false, "owner": null}))
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn an_administrator_may_call_every_command() {
    let app = App::with_accounts();
    let issued = app.ok(
        "create_token",
        json!({"request": {"name": "ci", "expires_in_days": null, "systems": null}}),
    );
    let id = issued["token"]["id"].as_str().unwrap().to_string();
    let secret = issued["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("lk_") && secret.len() == 52);
    let listed = app.ok("list_tokens", json!({"all": true, "owner": null}));
    assert!(
        !listed.to_string().contains(&secret),
        "lists never carry the secret"
    );
    let rotated = app.ok(
        "rotate_token",
        json!({"id": id, "graceDays": 2, "untilFirstUse": false}),
    );
    let new_id = rotated["token"]["id"].as_str().unwrap().to_string();
    app.ok("revoke_token", json!({"id": id}));
    app.ok("delete_token", json!({"id": id}));
    app.ok("revoke_all_tokens", json!({"owner": "bob"}));
    app.ok("revoke_token", json!({"id": new_id}));
    assert_eq!(
        app.ok("list_accounts", json!({})).as_array().unwrap().len(),
        2
    );
    app.ok("add_account", json!({"username": "carol", "displayName": null, "admin": false, "password": MEMBER_PASSWORD}));
}

#[test]
fn wrong_passwords_and_bad_names_come_back_as_code_and_message() {
    let app = App::with_accounts();
    app.ok("sign_out", json!({}));
    let error = app.refused(
        "sign_in",
        json!({"username": "bob", "password": "not the password at all"}),
    );
    assert_eq!(
        error,
        json!({"code": "wrong_credentials", "message": "wrong username or password"})
    );
    assert_eq!(
        app.ok("session", json!({})),
        Value::Null,
        "a failed sign-in signs nobody in"
    );
    app.sign_in("bob", MEMBER_PASSWORD);
    let error = app.refused(
        "create_token",
        json!({"request": {"name": "bad\u{202e}name", "expires_in_days": null, "systems": null}}),
    );
    assert_eq!(error["code"], "invalid_input");
    assert!(error["message"].as_str().unwrap().contains("U+202E"));
}

#[test]
fn copy_secret_accepts_only_tokens() {
    let app = App::with_accounts();
    let error = app.refused("copy_secret", json!({"secret": "some other text"}));
    assert_eq!(error["code"], "invalid_input");
}

#[test]
fn a_backup_from_settings_restores_at_first_run_and_over_a_store_after_which_all_sign_in_again() {
    const PASSPHRASE: &str = "a passphrase kept in the safe";
    let app = App::with_accounts();
    app.ok(
        "create_token",
        json!({"request": {"name": "in the backup", "expires_in_days": null, "systems": null}}),
    );
    let made = app.ok("backup_store", json!({"passphrase": PASSPHRASE}));
    let path = made["path"].as_str().unwrap().to_string();
    assert!(path.ends_with(".lkbackup"), "{made}");
    assert_eq!(
        (made["tokens"].as_i64(), made["accounts"].as_i64()),
        (Some(1), Some(2))
    );

    // First run on another machine: restore instead of setup, nobody signed in.
    let fresh = App::new();
    let wrong = fresh.refused(
        "restore_store",
        json!({"path": path, "passphrase": "not the passphrase at all"}),
    );
    assert_eq!(wrong["code"], "invalid_input");
    assert_eq!(fresh.ok("setup_status", json!({}))["needs_setup"], true);
    fresh.ok(
        "restore_store",
        json!({"path": path, "passphrase": PASSPHRASE}),
    );
    assert_eq!(fresh.ok("setup_status", json!({}))["needs_setup"], false);
    fresh.sign_in("root", ADMIN_PASSWORD);
    let restored = fresh.ok("list_tokens", json!({"all": true, "owner": null}));
    assert_eq!(restored[0]["name"], "in the backup");
    fresh.ok("sign_out", json!({}));
    fresh.sign_in("bob", MEMBER_PASSWORD);
    let refused = fresh.refused(
        "restore_store",
        json!({"path": path, "passphrase": PASSPHRASE}),
    );
    assert_eq!(
        refused["code"], "forbidden",
        "a member may not replace the store"
    );

    // Over a store: an administrator's restore replaces it and signs everyone out.
    app.ok(
        "create_token",
        json!({"request": {"name": "after the backup", "expires_in_days": null, "systems": null}}),
    );
    app.ok(
        "restore_store",
        json!({"path": path, "passphrase": PASSPHRASE}),
    );
    assert_eq!(app.ok("session", json!({})), Value::Null);
    app.sign_in("root", ADMIN_PASSWORD);
    let names: Vec<String> = app
        .ok("list_tokens", json!({"all": true, "owner": null}))
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["in the backup"]);
}
