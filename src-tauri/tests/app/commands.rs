//! Every command on Tauri's mock runtime: unauthenticated, as a member and as an administrator.
//! The role rule is enforced in Rust whatever the UI shows, and every error is `{code, message}`.
use crate::common::*;
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
        ("set_usage_note", json!({"id": id, "note": "CI"}), false),
        ("token_overview", json!({}), false),
        ("service_accounts", json!({}), false),
        ("copy_secret", json!({"secret": "lk_x"}), false),
        ("report_activity", json!({}), false),
        (
            "confirm_password",
            json!({"password": "not the password at all"}),
            false,
        ),
        ("scan_text", json!({"text": "no token here"}), false),
        ("scan_file", json!({"path": "/nonexistent"}), false),
        (
            "revoke_leaked_token",
            json!({"id": id, "foundIn": "pasted text:1:1"}),
            false,
        ),
        ("look_up_token", json!({"token": "lk_x"}), false),
        ("list_systems", json!({}), false),
        (
            "onboard_system",
            json!({"slug": "svc", "displayName": null}),
            false,
        ),
        ("my_systems", json!({}), false),
        ("get_settings", json!({}), false),
        ("service_status", json!({}), false),
        ("list_reminders", json!({}), false),
        ("mark_reminders_read", json!({}), false),
        ("set_mute_reminders", json!({"mute": false}), false),
        ("get_autostart", json!({}), false),
        ("set_autostart", json!({"enabled": false}), false),
        ("list_accounts", json!({}), true),
        ("start_service", json!({"port": 0}), true),
        ("stop_service", json!({}), true),
        (
            "add_account",
            json!({
                "username": "carol",
                "displayName": null,
                "admin": false,
                "password": MEMBER_PASSWORD,
            }),
            true,
        ),
        ("set_role", json!({"username": "bob", "admin": false}), true),
        (
            "add_service_account",
            json!({"username": "svc-ci", "displayName": null, "managedBy": "ops"}),
            true,
        ),
        (
            "set_managing_group",
            json!({"username": "svc-ci", "group": "ops"}),
            true,
        ),
        ("hand_over_token", json!({"id": id, "to": "svc-ci"}), true),
        ("deactivation_preview", json!({"username": "bob"}), true),
        // Before `set_active`, which makes bob active again for the commands after it.
        (
            "deactivate_account",
            json!({"username": "bob", "tokens": {"kind": "keep"}}),
            true,
        ),
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
            json!({
                "since": null,
                "until": null,
                "actorName": null,
                "action": null,
                "before": null,
                "limit": null,
            }),
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
            json!({
                "path": "/nonexistent/backup.lkbackup",
                "passphrase": "a passphrase kept in the safe",
            }),
            true,
        ),
        (
            "update_settings",
            json!({
                "settings": {
                    "reminder_schedule": [30, 7, 1, 0],
                    "max_lifetime_days": 365,
                    "onboarder_gets_access": false,
                    "idle_lock_minutes": 15,
                    "stale_after_days": 90,
                    "auto_revoke_unused_days": null,
                },
            }),
            true,
        ),
    ]
}

#[test]
fn the_role_table_covers_every_command() {
    let listed: Vec<&str> = every_command().iter().map(|(c, _, _)| *c).collect();
    for command in latchkey_app::bindings::COMMAND_NAMES {
        // Lock with nobody signed in has nothing to do, and is no error.
        let open = [
            "setup_status",
            "setup",
            "sign_in",
            "sign_out",
            "session",
            "lock",
        ]
        .contains(command);
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
    let session = app.ok(
        "setup",
        json!({
            "organisation": "Acme",
            "username": "root",
            "displayName": "Root",
            "password": ADMIN_PASSWORD,
        }),
    );
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
            json!({
                "username": "eve",
                "displayName": null,
                "admin": true,
                "password": MEMBER_PASSWORD,
            }),
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
    app.ok(
        "add_account",
        json!({
            "username": "carol",
            "displayName": null,
            "admin": false,
            "password": MEMBER_PASSWORD,
        }),
    );
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

const MINUTE: i64 = 60;

/// The sensitive actions ("sudo mode"), with arguments that pass the role check.
fn sensitive_commands() -> Vec<(&'static str, Value)> {
    vec![
        (
            "backup_store",
            json!({"passphrase": "a passphrase kept in the safe"}),
        ),
        (
            "restore_store",
            json!({
                "path": "/nonexistent/backup.lkbackup",
                "passphrase": "a passphrase kept in the safe",
            }),
        ),
        (
            "reset_password",
            json!({"username": "bob", "password": "a new password for bob"}),
        ),
        ("set_role", json!({"username": "bob", "admin": false})),
        (
            "set_managing_group",
            json!({"username": "svc-ci", "group": "ops"}),
        ),
        (
            "hand_over_token",
            json!({"id": "tok_0000000000000000", "to": "svc-ci"}),
        ),
        // Before `set_active`, which makes bob active again for the rest of the test.
        (
            "deactivate_account",
            json!({"username": "bob", "tokens": {"kind": "keep"}}),
        ),
        ("set_active", json!({"username": "bob", "active": true})),
        (
            "set_access_all",
            json!({"username": "bob", "accessAll": false}),
        ),
        (
            "add_account",
            json!({
                "username": "carol",
                "displayName": null,
                "admin": true,
                "password": MEMBER_PASSWORD,
            }),
        ),
        (
            "update_settings",
            json!({
                "settings": {
                    "reminder_schedule": [30, 7, 1, 0],
                    "max_lifetime_days": 365,
                    "onboarder_gets_access": false,
                    "idle_lock_minutes": 15,
                    "stale_after_days": 90,
                    "auto_revoke_unused_days": null,
                },
            }),
        ),
    ]
}

/// Records the refusals the app would send the window as `session-ended` events.
fn record_session_ends(app: &App) -> std::sync::Arc<std::sync::Mutex<Vec<String>>> {
    let ends = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = ends.clone();
    app.state().on_session_end(Box::new(move |refusal| {
        sink.lock().unwrap().push(refusal.code.clone())
    }));
    ends
}

#[test]
fn an_idle_session_locks_at_the_configured_time_and_every_command_is_refused_as_locked() {
    let app = App::with_accounts();
    let ends = record_session_ends(&app);
    // Reported input is activity: 14 minutes between reports never locks.
    for _ in 0..3 {
        app.clock.advance(14 * MINUTE);
        app.ok("report_activity", json!({}));
    }
    // Commands the window makes without input (the reminder count after every check) are not:
    // the session locks 15 minutes after the last input, however often they come.
    for _ in 0..2 {
        app.clock.advance(7 * MINUTE);
        app.ok("list_reminders", json!({}));
    }
    app.clock.advance(MINUTE);
    for (command, args, _) in every_command() {
        let error = app.refused(command, args);
        assert_eq!(error["code"], "locked", "{command}: {error}");
        assert!(
            error["message"].as_str().unwrap().contains("15 minutes"),
            "{error}"
        );
    }
    assert_eq!(app.ok("session", json!({})), Value::Null);
    assert_eq!(*ends.lock().unwrap(), ["locked"], "the window is told once");
    // Signing in again opens a new session; a shorter setting applies at once.
    app.sign_in("root", ADMIN_PASSWORD);
    let mut settings = app.ok("get_settings", json!({}));
    assert_eq!(settings["idle_lock_minutes"], 15);
    settings["idle_lock_minutes"] = json!(1);
    app.ok("update_settings", json!({ "settings": settings }));
    app.clock.advance(MINUTE - 1);
    assert!(!app.state().lock_if_idle().unwrap());
    app.clock.advance(1);
    // The session watch's check locks it without any command.
    assert!(app.state().lock_if_idle().unwrap());
    let error = app.refused("list_tokens", json!({"all": false, "owner": null}));
    assert_eq!(error["code"], "locked");
    assert!(
        error["message"].as_str().unwrap().contains("1 minute "),
        "{error}"
    );
    assert_eq!(ends.lock().unwrap().len(), 2);
    // Out of range settings are refused.
    app.sign_in("root", ADMIN_PASSWORD);
    settings["idle_lock_minutes"] = json!(61);
    let error = app.refused("update_settings", json!({ "settings": settings }));
    assert_eq!(error["code"], "invalid_input");
}

#[test]
fn lock_from_the_tray_and_from_the_window_end_the_session_alike() {
    let app = App::with_accounts();
    let ends = record_session_ends(&app);
    latchkey_app::tray::menu_action(app.handle(), "lock");
    let from_tray = app.refused("list_tokens", json!({"all": false, "owner": null}));
    assert_eq!(from_tray["code"], "locked");
    app.sign_in("root", ADMIN_PASSWORD);
    app.ok("lock", json!({}));
    let from_window = app.refused("list_tokens", json!({"all": false, "owner": null}));
    assert_eq!(from_window, from_tray);
    assert_eq!(*ends.lock().unwrap(), ["locked", "locked"]);
    // Locked means signed out: the password again, and nothing else, opens it.
    let error = app.refused("confirm_password", json!({"password": ADMIN_PASSWORD}));
    assert_eq!(error["code"], "locked");
    app.sign_in("root", ADMIN_PASSWORD);
    app.ok("list_tokens", json!({"all": false, "owner": null}));
}

#[test]
fn sensitive_actions_ask_for_the_password_again_after_five_minutes() {
    let app = App::with_accounts();
    app.clock.advance(5 * MINUTE - 1);
    // Within 5 minutes of the sign-in: no refusal of that kind.
    app.ok("set_role", json!({"username": "bob", "admin": false}));
    app.clock.advance(1);
    for (command, args) in sensitive_commands() {
        let error = app.refused(command, args);
        assert_eq!(error["code"], "reauth_required", "{command}: {error}");
    }
    // Not sensitive: a member account, a token.
    app.ok(
        "add_account",
        json!({
            "username": "dave",
            "displayName": null,
            "admin": false,
            "password": MEMBER_PASSWORD,
        }),
    );
    app.ok("list_tokens", json!({"all": true, "owner": null}));
    // A wrong password proves nothing (and counts as a failed sign-in).
    let wrong = app.refused(
        "confirm_password",
        json!({"password": "not the password at all"}),
    );
    assert_eq!(wrong["code"], "wrong_credentials");
    assert_eq!(
        app.refused("set_role", json!({"username": "bob", "admin": false}))["code"],
        "reauth_required"
    );
    app.ok("confirm_password", json!({"password": ADMIN_PASSWORD}));
    for (command, args) in sensitive_commands() {
        if let Err(error) = app.call(command, args) {
            assert_ne!(error["code"], "reauth_required", "{command}: {error}");
        }
    }
    app.clock.advance(5 * MINUTE);
    assert_eq!(
        app.refused(
            "update_settings",
            json!({
                "settings": {
                    "reminder_schedule": [30],
                    "max_lifetime_days": 365,
                    "onboarder_gets_access": false,
                    "idle_lock_minutes": 15,
                    "stale_after_days": 90,
                    "auto_revoke_unused_days": null,
                },
            })
        )["code"],
        "reauth_required"
    );
    // A member is refused by role, never asked for a password it could not use.
    app.ok("sign_out", json!({}));
    app.sign_in("bob", "a new password for bob");
    app.clock.advance(10 * MINUTE);
    for (command, args) in sensitive_commands() {
        let error = app.refused(command, args);
        assert_eq!(error["code"], "forbidden", "{command}: {error}");
    }
}

#[test]
fn a_password_reset_or_deactivation_elsewhere_ends_the_accounts_open_session_at_its_next_call() {
    use latchkey_core::{Authority, KeySource};
    let app = App::with_accounts();
    app.ok("sign_out", json!({}));
    app.sign_in("bob", MEMBER_PASSWORD);
    let ends = record_session_ends(&app);
    // Another process (the CLI, say) on the same store.
    let mut other = Authority::open(
        &app.db_path(),
        &KeySource::File(app.dir.path().join("key")),
        std::sync::Arc::new(app.clock.clone()),
    )
    .unwrap();
    let root = other.authenticate("root", ADMIN_PASSWORD).unwrap();
    app.ok("list_tokens", json!({"all": false, "owner": null}));
    other
        .reset_password(root, "bob", "a new password for bob")
        .unwrap();
    let error = app.refused("list_tokens", json!({"all": false, "owner": null}));
    assert_eq!(error["code"], "session_ended", "{error}");
    assert!(error["message"].as_str().unwrap().contains("password"));
    assert_eq!(
        app.refused("copy_secret", json!({"secret": "lk_x"}))["code"],
        "session_ended"
    );
    assert_eq!(*ends.lock().unwrap(), ["session_ended"]);
    // The new password opens a new session; a deactivation ends that one too.
    app.sign_in("bob", "a new password for bob");
    app.ok("list_tokens", json!({"all": false, "owner": null}));
    other.deactivate(root, "bob").unwrap();
    assert_eq!(
        app.refused("report_activity", json!({}))["code"],
        "session_ended"
    );
    // Another account's reset leaves a session alone.
    other.reactivate(root, "bob").unwrap();
    app.sign_in("root", ADMIN_PASSWORD);
    other
        .reset_password(root, "bob", "yet another password for bob")
        .unwrap();
    app.ok("list_tokens", json!({"all": false, "owner": null}));
}

/// SPEC §6.8 through the app's command: an export never writes over a file that is there or
/// through a symlink; it takes the next free name, and the new file is the owner's alone.
#[cfg(unix)]
#[test]
fn the_audit_export_is_a_new_private_file_never_over_another_or_through_a_symlink() {
    use std::os::unix::fs::PermissionsExt;
    use std::path::PathBuf;
    let app = App::with_accounts();
    let downloads = app.dir.path().join("Downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let stamp =
        latchkey_core::clock::rfc3339(latchkey_core::Clock::now(&app.clock)).replace(':', "-");
    let taken = downloads.join(format!("latchkey-audit-{stamp}.csv"));
    std::fs::write(&taken, "someone else's file").unwrap();
    let outside = app.dir.path().join("outside.json");
    let link = downloads.join(format!("latchkey-audit-{stamp}.json"));
    std::os::unix::fs::symlink(&outside, &link).unwrap();

    let csv = PathBuf::from(
        app.ok("export_audit", json!({"format": "csv"}))
            .as_str()
            .unwrap(),
    );
    let json = PathBuf::from(
        app.ok("export_audit", json!({"format": "json"}))
            .as_str()
            .unwrap(),
    );

    assert_eq!(
        std::fs::read_to_string(&taken).unwrap(),
        "someone else's file"
    );
    assert!(!outside.exists(), "the export followed the symlink");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    for (path, head) in [
        (&csv, "id,time,actor,action,target,details,count,chain\n"),
        (&json, "[{"),
    ] {
        assert!(path != &taken && path != &link, "{}", path.display());
        assert_eq!(path.parent(), Some(downloads.as_path()));
        let mode = std::fs::symlink_metadata(path)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{}", path.display());
        assert!(std::fs::read_to_string(path).unwrap().starts_with(head));
    }
    // Exported twice in the same second: a third name, the first two untouched.
    let again = PathBuf::from(
        app.ok("export_audit", json!({"format": "csv"}))
            .as_str()
            .unwrap(),
    );
    assert!(again != csv && again != taken);
}

#[test]
fn the_audit_screen_reads_pages_newest_first() {
    let app = App::with_accounts();
    for slug in ["a", "b", "c"] {
        app.ok("onboard_system", json!({"slug": slug, "displayName": null}));
    }
    let args = |before: Value| {
        json!({
            "since": null,
            "until": null,
            "actorName": null,
            "action": null,
            "before": before,
            "limit": 2,
        })
    };
    let first = app.ok("audit_events", args(Value::Null));
    let events = first["events"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert!(events[0]["id"].as_i64() > events[1]["id"].as_i64());
    assert_eq!(events[0]["action"], "system.onboarded");
    assert_eq!(events[0]["count"], 1);
    assert_eq!(events[0]["chain"].as_str().unwrap().len(), 64);
    let older = first["older"].clone();
    assert_eq!(older, events[1]["id"]);
    let second = app.ok("audit_events", args(older.clone()));
    assert!(second["events"][0]["id"].as_i64() < older.as_i64());
}

/// One HTTP/1.0 request to the service; the status code of its answer.
fn http_status(url: &str, path: &str, token: Option<&str>) -> Option<u16> {
    use std::io::{Read, Write};
    let address = url.strip_prefix("http://")?;
    let mut stream = std::net::TcpStream::connect(address).ok()?;
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    write!(stream, "GET {path} HTTP/1.0\r\n{auth}\r\n").ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    answer.split(' ').nth(1)?.parse().ok()
}

#[test]
fn an_administrator_runs_the_verification_service_from_settings_while_the_app_runs() {
    let app = App::with_accounts();
    app.sign_in("root", ADMIN_PASSWORD);
    let off = app.ok("service_status", json!({}));
    assert_eq!(
        off,
        json!({"url": null, "nginx_snippet": null}),
        "off by default"
    );
    let on = app.ok("start_service", json!({"port": 0}));
    let url = on["url"].as_str().expect("a url").to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let snippet = on["nginx_snippet"].as_str().expect("a snippet");
    assert!(
        snippet.contains(&format!("proxy_pass {url}/v1/verify?system=")),
        "{snippet}"
    );
    assert_eq!(app.ok("service_status", json!({}))["url"], url.as_str());
    // It verifies against this store: a token created in the app is valid there at once.
    let issued = app.ok(
        "create_token",
        json!({"request": {"name": "svc", "expires_in_days": null, "systems": null}}),
    );
    let secret = issued["secret"].as_str().expect("the secret");
    assert_eq!(http_status(&url, "/healthz", None), Some(200));
    assert_eq!(http_status(&url, "/v1/verify?system=svc", None), Some(401));
    assert_eq!(
        http_status(&url, "/v1/verify?system=svc", Some(secret)),
        Some(403)
    );
    // A member may look but not start or stop it.
    app.sign_in("bob", MEMBER_PASSWORD);
    assert_eq!(app.ok("service_status", json!({}))["url"], url.as_str());
    assert_eq!(app.refused("stop_service", json!({}))["code"], "forbidden");
    app.sign_in("root", ADMIN_PASSWORD);
    assert_eq!(app.ok("stop_service", json!({}))["url"], Value::Null);
    assert_eq!(
        http_status(&url, "/healthz", None),
        None,
        "still answering after stop"
    );
}
