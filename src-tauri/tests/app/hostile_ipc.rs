//! Issue 5 point 4 through the app's IPC commands (Tauri's mock runtime): the same hostile table
//! as the CLI suite, in every field that takes text, numbers and ids. Each value is refused with a
//! one-line message and the store's content is unchanged, or it is stored and shown exactly as
//! given and nothing but its own row and audit event changes.
#[path = "../../../tests/src/hostile.rs"]
mod hostile;

use crate::common::*;
use hostile::Expect;
use serde_json::{Value, json};

struct Field {
    label: &'static str,
    table: &'static str,
    /// Who sends it: "bob" (a member) or "root".
    actor: &'static str,
    expect: fn(&str, Expect) -> Expect,
    call: fn(usize, &str) -> (&'static str, Value),
    /// The command that lists it, and the key it is shown under.
    shown_by: (&'static str, Value, &'static str),
}

fn fields() -> Vec<Field> {
    vec![
        Field {
            label: "token name",
            table: "tokens",
            actor: "bob",
            expect: |_, e| e,
            call: |_, v| {
                (
                    "create_token",
                    json!({"request": {"name": v, "expires_in_days": null, "systems": null}}),
                )
            },
            shown_by: ("list_tokens", json!({"all": false, "owner": null}), "name"),
        },
        Field {
            label: "system display name",
            table: "systems",
            actor: "bob",
            expect: |_, e| e,
            call: |n, v| {
                (
                    "onboard_system",
                    json!({"slug": format!("svc-{n}"), "displayName": v}),
                )
            },
            shown_by: ("list_systems", json!({}), "display_name"),
        },
        Field {
            label: "account display name",
            table: "accounts",
            actor: "root",
            expect: |_, e| e,
            call: |n, v| {
                (
                    "add_account",
                    json!({
                        "username": format!("user-{n}"),
                        "displayName": v,
                        "admin": false,
                        "password": MEMBER_PASSWORD,
                    }),
                )
            },
            shown_by: ("list_accounts", json!({}), "display_name"),
        },
        Field {
            label: "username",
            table: "accounts",
            actor: "root",
            expect: |v, e| hostile::limited_to_64(hostile::username_expect(v, e)),
            call: |_, v| {
                (
                    "add_account",
                    json!({
                        "username": v,
                        "displayName": null,
                        "admin": false,
                        "password": MEMBER_PASSWORD,
                    }),
                )
            },
            shown_by: ("list_accounts", json!({}), "username"),
        },
        Field {
            label: "service account username",
            table: "accounts",
            actor: "root",
            expect: |v, e| hostile::limited_to_64(hostile::username_expect(v, e)),
            call: |_, v| {
                (
                    "add_service_account",
                    json!({"username": v, "displayName": null, "managedBy": OWNERS}),
                )
            },
            shown_by: ("service_accounts", json!({}), "username"),
        },
        Field {
            label: "service account display name",
            table: "accounts",
            actor: "root",
            expect: |_, e| e,
            call: |n, v| {
                (
                    "add_service_account",
                    json!({
                        "username": format!("svc-{n}"),
                        "displayName": v,
                        "managedBy": OWNERS,
                    }),
                )
            },
            shown_by: ("service_accounts", json!({}), "display_name"),
        },
        Field {
            label: "group name",
            table: "groups",
            actor: "root",
            expect: |_, e| hostile::limited_to_64(e),
            call: |_, v| ("add_group", json!({"name": v})),
            shown_by: ("list_groups", json!({}), "name"),
        },
        Field {
            label: "system slug",
            table: "systems",
            actor: "bob",
            expect: |v, _| hostile::slug_expect(v),
            call: |_, v| ("onboard_system", json!({"slug": v, "displayName": null})),
            shown_by: ("list_systems", json!({}), "slug"),
        },
    ]
}

/// The group that manages the service accounts the table creates.
const OWNERS: &str = "owners";

fn act_as(app: &App, who: &str) {
    app.ok("sign_out", json!({}));
    let password = if who == "root" {
        ADMIN_PASSWORD
    } else {
        MEMBER_PASSWORD
    };
    app.sign_in(who, password);
}

/// A refusal carries a one-line message: `{code, message}` from our commands, or Tauri's own
/// text when the value does not even have the argument's type.
fn assert_clear_refusal(case: &str, error: &Value) -> String {
    let message = match error {
        Value::Object(fields) => {
            let keys: Vec<&str> = fields.keys().map(String::as_str).collect();
            assert_eq!(keys, ["code", "message"], "{case}: {error}");
            fields["message"].as_str().unwrap_or_default().to_string()
        }
        Value::String(text) => text.clone(),
        other => panic!("{case}: an error of no known shape: {other}"),
    };
    assert!(
        !message.is_empty() && !message.contains(['\n', '\r']),
        "{case}: {message:?}"
    );
    assert!(
        message.chars().count() < 300,
        "{case}: the message echoes the value: {message}"
    );
    message
}

#[test]
fn hostile_text_in_every_field_is_refused_or_stored_and_shown_literally() {
    let mut tried = 0;
    for (n, field) in fields().into_iter().enumerate() {
        // A store each: a username taken by one field's row would be a conflict in another's.
        let app = App::with_accounts();
        app.ok("add_group", json!({ "name": OWNERS }));
        act_as(&app, field.actor);
        for (m, (label, value, free_text)) in hostile::texts().into_iter().enumerate() {
            let case = format!("{} = {label}", field.label);
            tried += 1;
            let before = hostile::dump(&app.db_path());
            let (command, args) = (field.call)(n * 100 + m, &value);
            let answer = app.call(command, args);
            match ((field.expect)(&value, free_text), answer) {
                (Expect::Refused(fragment), Err(error)) => {
                    let message = assert_clear_refusal(&case, &error);
                    assert!(
                        message.contains(fragment),
                        "{case}: {message:?} should say {fragment:?}"
                    );
                    assert!(
                        hostile::dump(&app.db_path()) == before,
                        "{case}: the store changed"
                    );
                }
                (Expect::Literal, Ok(_)) => {
                    let changed = hostile::changed_tables(&before, &hostile::dump(&app.db_path()));
                    assert_eq!(changed, [field.table], "{case}: only its own row is new");
                    let (list, list_args, key) = &field.shown_by;
                    let shown = app.ok(list, list_args.clone());
                    hostile::assert_shown_literally(&case, &shown, key, &value);
                }
                (expected, answer) => panic!("{case}: expected {expected:?}, got {answer:?}"),
            }
        }
    }
    assert!(tried >= 170, "{tried} cases");
}

#[test]
fn hostile_numbers_are_refused_wherever_days_are_asked() {
    let app = App::with_accounts();
    let issued = app.ok(
        "create_token",
        json!({"request": {"name": "ci", "expires_in_days": null, "systems": null}}),
    );
    let id = issued["token"]["id"].as_str().unwrap().to_string();
    let numbers = [
        json!(-1),
        json!(0),
        json!(i64::MIN),
        json!(i64::MAX),
        json!(u64::MAX),
        json!(1e30),
        json!(3.5),
        json!("10"),
        json!(true),
        json!([1]),
    ];
    for number in numbers {
        let calls = [
            (
                "create_token",
                json!({"request": {"name": "n", "expires_in_days": number, "systems": null}}),
            ),
            (
                "rotate_token",
                json!({"id": id, "graceDays": number, "untilFirstUse": false}),
            ),
            (
                "update_settings",
                json!({
                    "settings": {
                        "reminder_schedule": [30, 7, 1, 0],
                        "max_lifetime_days": number,
                        "onboarder_gets_access": false,
                        "idle_lock_minutes": 15,
                        "stale_after_days": 90,
                        "auto_revoke_unused_days": null,
                    },
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
                        "stale_after_days": number,
                        "auto_revoke_unused_days": null,
                    },
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
                        "auto_revoke_unused_days": number,
                    },
                }),
            ),
            (
                "update_settings",
                json!({
                    "settings": {
                        "reminder_schedule": [number],
                        "max_lifetime_days": 365,
                        "onboarder_gets_access": false,
                        "idle_lock_minutes": 15,
                        "stale_after_days": 90,
                        "auto_revoke_unused_days": null,
                    },
                }),
            ),
        ];
        // A reminder on the day of expiry (0) is a fine schedule (the last call); every other
        // value is not.
        let take = calls.len() - usize::from(number == json!(0));
        for (command, args) in calls.into_iter().take(take) {
            let case = format!("{command} with {number}");
            let before = hostile::dump(&app.db_path());
            let error = app.call(command, args).expect_err(&case);
            assert_clear_refusal(&case, &error);
            assert!(
                hostile::dump(&app.db_path()) == before,
                "{case}: the store changed"
            );
        }
    }
}

#[test]
fn ids_of_nothing_or_of_another_accounts_token_are_refused_everywhere() {
    let app = App::with_accounts();
    let issued = app.ok(
        "create_token",
        json!({"request": {"name": "root's", "expires_in_days": null, "systems": null}}),
    );
    let roots = issued["token"]["id"].as_str().unwrap().to_string();
    act_as(&app, "bob");
    for id in hostile::foreign_ids(&roots) {
        for (command, args) in [
            ("revoke_token", json!({"id": id})),
            (
                "rotate_token",
                json!({"id": id, "graceDays": null, "untilFirstUse": false}),
            ),
            ("delete_token", json!({"id": id})),
            ("list_tokens", json!({"all": false, "owner": id})),
            ("revoke_all_tokens", json!({"owner": id})),
        ] {
            let case = format!("bob: {command} {id:?}");
            let before = hostile::dump(&app.db_path());
            let error = app.call(command, args).expect_err(&case);
            assert_clear_refusal(&case, &error);
            assert!(
                ["not_found", "forbidden", "invalid_input"]
                    .contains(&error["code"].as_str().unwrap_or("")),
                "{case}: {error}"
            );
            assert!(
                hostile::dump(&app.db_path()) == before,
                "{case}: the store changed"
            );
        }
    }
    // Wrong types where an id belongs are refused before any command runs.
    for id in [json!(null), json!(7), json!({"$ne": ""})] {
        let before = hostile::dump(&app.db_path());
        let error = app
            .call("revoke_token", json!({ "id": id }))
            .expect_err("a non-string id");
        assert_clear_refusal(&format!("revoke_token {id}"), &error);
        assert!(hostile::dump(&app.db_path()) == before);
    }
}

/// A usage note, at creation and later: hostile text is refused with the store unchanged or
/// stored and shown exactly as given; an empty or blank note is no note. A note is never a
/// place for the secret itself.
#[test]
fn hostile_usage_notes_are_refused_or_stored_and_shown_literally() {
    let app = App::with_accounts();
    act_as(&app, "bob");
    let issued = app.ok(
        "create_token",
        json!({"request": {"name": "noted", "expires_in_days": null, "systems": null}}),
    );
    let id = issued["token"]["id"].as_str().unwrap().to_string();
    let secret = issued["secret"].as_str().unwrap().to_string();
    let mut texts = hostile::texts();
    texts.push((
        "a token",
        secret.clone(),
        Expect::Refused("looks like it holds a token"),
    ));
    texts.push((
        "a token inside",
        format!("CI secret {secret} in acme/web"),
        Expect::Refused("looks like it holds a token"),
    ));
    for (n, (label, value, expect)) in texts.into_iter().enumerate() {
        let blank = value.trim().is_empty();
        let calls = [
            (
                "create_token",
                json!({"request": {
                    "name": format!("n{n}"),
                    "expires_in_days": null,
                    "systems": null,
                    "usage_note": value,
                }}),
            ),
            ("set_usage_note", json!({"id": id, "note": value})),
        ];
        for (command, args) in calls {
            let case = format!("usage note = {label} ({command})");
            let before = hostile::dump(&app.db_path());
            let answer = app.call(command, args);
            match (expect, answer) {
                (_, Ok(answer)) if blank => {
                    let token = answer.get("token").unwrap_or(&answer);
                    assert_eq!(token["usage_note"], Value::Null, "{case}: {answer}");
                }
                (Expect::Refused(fragment), Err(error)) => {
                    let message = assert_clear_refusal(&case, &error);
                    assert!(message.contains(fragment), "{case}: {message:?}");
                    assert!(!message.contains(&secret), "{case}: the refusal echoes it");
                    assert!(
                        hostile::dump(&app.db_path()) == before,
                        "{case}: the store changed"
                    );
                }
                (Expect::Literal, Ok(_)) => {
                    let changed = hostile::changed_tables(&before, &hostile::dump(&app.db_path()));
                    assert!(
                        changed.is_empty() || changed == ["tokens"],
                        "{case}: {changed:?}"
                    );
                    let shown = app.ok("list_tokens", json!({"all": false, "owner": null}));
                    hostile::assert_shown_literally(&case, &shown, "usage_note", &value);
                }
                (expected, answer) => panic!("{case}: expected {expected:?}, got {answer:?}"),
            }
        }
    }
}

/// Names that must name an existing account or group: hostile ones are refused, clearly, with
/// the store unchanged.
#[test]
fn hostile_names_of_groups_and_accounts_are_refused_where_one_is_named() {
    let app = App::with_accounts();
    app.ok("add_group", json!({ "name": OWNERS }));
    app.ok(
        "add_service_account",
        json!({"username": "svc-ci", "displayName": null, "managedBy": OWNERS}),
    );
    let issued = app.ok(
        "create_token",
        json!({"request": {"name": "root's", "expires_in_days": null, "systems": null}}),
    );
    let id = issued["token"]["id"].as_str().unwrap().to_string();
    for (label, value, _) in hostile::texts() {
        let calls = [
            (
                "add_service_account",
                json!({"username": "svc-new", "displayName": null, "managedBy": value}),
            ),
            (
                "set_managing_group",
                json!({"username": "svc-ci", "group": value}),
            ),
            (
                "set_managing_group",
                json!({"username": value, "group": OWNERS}),
            ),
            ("deactivation_preview", json!({ "username": value })),
            (
                "deactivate_account",
                json!({"username": value, "tokens": {"kind": "revoke"}}),
            ),
            (
                "deactivate_account",
                json!({"username": "bob", "tokens": {"kind": "hand_over", "to": value}}),
            ),
            ("hand_over_token", json!({"id": id, "to": value})),
        ];
        for (command, args) in calls {
            let case = format!("{command} with {label}");
            let before = hostile::dump(&app.db_path());
            let error = app.call(command, args).expect_err(&case);
            assert_clear_refusal(&case, &error);
            assert!(
                ["not_found", "invalid_input"].contains(&error["code"].as_str().unwrap_or("")),
                "{case}: {error}"
            );
            assert!(
                hostile::dump(&app.db_path()) == before,
                "{case}: the store changed"
            );
        }
    }
}
