//! Issue 16 through the app's commands: service accounts managed by a group, the deactivation
//! preview and hand-over, usage notes and stale tokens. Verification is core's, on the same
//! store, as the verification service does it.
use std::sync::Arc;

use crate::common::*;
use latchkey_core::clock::DAY;
use latchkey_core::{Authority, KeySource, Verification, VerifyRequest};
use serde_json::{Value, json};

const CAROL_PASSWORD: &str = "carol password that is long";

/// `root` (administrator, signed in), `bob` in group `deployers`, which manages service account
/// `svc-ci`; `carol`, a member outside it. System `web` is granted to `svc-ci`, `db` is not.
fn scene() -> App {
    let app = App::with_accounts();
    app.ok(
        "add_account",
        json!({
            "username": "carol",
            "displayName": null,
            "admin": false,
            "password": CAROL_PASSWORD,
        }),
    );
    app.ok("add_group", json!({"name": "deployers"}));
    app.ok(
        "set_group_member",
        json!({"group": "deployers", "username": "bob", "member": true}),
    );
    let created = app.ok(
        "add_service_account",
        json!({"username": "svc-ci", "displayName": "CI pipeline", "managedBy": "deployers"}),
    );
    assert_eq!(
        (&created["kind"], &created["managed_by"]),
        (&json!("service"), &json!("deployers"))
    );
    for slug in ["web", "db"] {
        app.ok("onboard_system", json!({"slug": slug, "displayName": null}));
    }
    app.ok(
        "set_grant",
        json!({"username": "svc-ci", "slug": "web", "granted": true}),
    );
    app
}

/// Core on the same store: what the verification service answers for `secret`.
fn verify(app: &App, secret: &str, system: Option<&str>) -> Verification {
    let mut other = Authority::open(
        &app.db_path(),
        &KeySource::File(app.dir.path().join("key")),
        Arc::new(app.clock.clone()),
    )
    .unwrap();
    let request = VerifyRequest {
        system,
        ..VerifyRequest::default()
    };
    other.verify(secret, &request).unwrap()
}

fn for_service(name: &str) -> Value {
    json!({"request": {
        "name": name,
        "expires_in_days": null,
        "systems": null,
        "usage_note": "GitHub Actions secret DEPLOY_TOKEN in acme/web",
        "owner": "svc-ci",
    }})
}

fn all_tokens(app: &App) -> Vec<Value> {
    app.ok("list_tokens", json!({"all": true, "owner": null}))
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn a_member_of_the_managing_group_alone_creates_a_service_accounts_token_and_gets_its_secret() {
    let app = scene();
    // A service account never signs in, whatever password is tried.
    let refused = app.refused(
        "sign_in",
        json!({"username": "svc-ci", "password": MEMBER_PASSWORD}),
    );
    assert_eq!(refused["code"], "wrong_credentials");

    app.sign_in("bob", MEMBER_PASSWORD);
    let managed = app.ok("service_accounts", json!({}));
    assert_eq!(managed.as_array().unwrap().len(), 1);
    assert_eq!(managed[0]["username"], "svc-ci");
    assert_eq!(managed[0]["manages"], true);
    let issued = app.ok("create_token", for_service("deploy"));
    let secret = issued["secret"].as_str().unwrap().to_string();
    let id = issued["token"]["id"].as_str().unwrap().to_string();
    assert_eq!(issued["token"]["owner"], "svc-ci");
    assert_eq!(issued["token"]["created_by"], "bob");
    assert_eq!(
        issued["token"]["usage_note"],
        "GitHub Actions secret DEPLOY_TOKEN in acme/web"
    );
    let listed = app.ok("list_tokens", json!({"all": false, "owner": "svc-ci"}));
    assert_eq!(listed[0]["id"], id.as_str());
    assert!(
        !listed.to_string().contains(&secret),
        "lists never carry it"
    );
    let answer = verify(&app, &secret, Some("web"));
    assert!(answer.valid, "{answer:?}");
    assert_eq!(answer.owner.as_deref(), Some("svc-ci"));

    // Carol is not in the group: refused, and no token is made.
    app.sign_in("carol", CAROL_PASSWORD);
    assert_eq!(app.ok("service_accounts", json!({})), json!([]));
    let refused = app.refused("create_token", for_service("carol's"));
    assert_eq!(refused["code"], "forbidden", "{refused}");
    let refused = app.refused("list_tokens", json!({"all": false, "owner": "svc-ci"}));
    assert_eq!(refused["code"], "forbidden", "{refused}");

    // The administrator is not in the group either: no secret for them, but they revoke it.
    app.sign_in("root", ADMIN_PASSWORD);
    let seen = app.ok("service_accounts", json!({}));
    assert_eq!(
        (&seen[0]["username"], &seen[0]["manages"]),
        (&json!("svc-ci"), &json!(false)),
        "an administrator sees it, and is told it is not theirs to make tokens for"
    );
    let refused = app.refused("create_token", for_service("root's"));
    assert_eq!(refused["code"], "forbidden", "{refused}");
    assert_eq!(all_tokens(&app).len(), 1, "a refused creation made a token");
    let revoked = app.ok("revoke_token", json!({"id": id}));
    assert_eq!(revoked["status"], "revoked");
    assert!(!verify(&app, &secret, Some("web")).valid);
}

#[test]
fn the_preview_lists_what_stops_and_a_hand_over_keeps_the_token_verifying_as_the_service() {
    let app = scene();
    for slug in ["web", "db"] {
        app.ok(
            "set_grant",
            json!({"username": "bob", "slug": slug, "granted": true}),
        );
    }
    app.sign_in("bob", MEMBER_PASSWORD);
    let issued = app.ok(
        "create_token",
        json!({"request": {"name": "ci deploy", "expires_in_days": null, "systems": null}}),
    );
    let id = issued["token"]["id"].as_str().unwrap().to_string();
    let secret = issued["secret"].as_str().unwrap().to_string();
    assert!(verify(&app, &secret, Some("db")).valid);
    app.clock.advance(10 * DAY);

    app.sign_in("root", ADMIN_PASSWORD);
    let accounts = app.ok("list_accounts", json!({}));
    let tokens = all_tokens(&app);
    let preview = app.ok("deactivation_preview", json!({"username": "bob"}));
    assert_eq!(preview["account"]["username"], "bob");
    assert_eq!(preview["tokens"].as_array().unwrap().len(), 1);
    let leaving = &preview["tokens"][0];
    assert_eq!(leaving["token"]["id"], id.as_str());
    assert_eq!(
        leaving["reaches"],
        json!({"all": false, "systems": ["db", "web"]})
    );
    assert_eq!(
        (&leaving["used_last_7_days"], &leaving["used_last_30_days"]),
        (&json!(false), &json!(true))
    );
    assert_eq!(preview["unmanaged_service_accounts"], json!(["svc-ci"]));
    // Reading the preview changed nothing.
    assert_eq!(app.ok("list_accounts", json!({})), json!(accounts));
    assert_eq!(all_tokens(&app), tokens);
    assert!(verify(&app, &secret, Some("db")).valid);

    let done = app.ok(
        "deactivate_account",
        json!({"username": "bob", "tokens": {"kind": "hand_over", "to": "svc-ci"}}),
    );
    assert_eq!(done, json!({"handed_over": [id], "revoked": []}));
    let bob = app.refused(
        "sign_in",
        json!({"username": "bob", "password": MEMBER_PASSWORD}),
    );
    assert_ne!(bob, Value::Null, "a deactivated account signs in");
    app.sign_in("root", ADMIN_PASSWORD);
    // The same secret verifies, now with the service account's access: web, not db.
    let answer = verify(&app, &secret, Some("web"));
    assert!(answer.valid, "{answer:?}");
    assert_eq!(answer.owner.as_deref(), Some("svc-ci"));
    assert!(!verify(&app, &secret, Some("db")).valid);
    // And it stops when that access is removed.
    app.ok(
        "set_grant",
        json!({"username": "svc-ci", "slug": "web", "granted": false}),
    );
    assert!(!verify(&app, &secret, Some("web")).valid);
}

#[test]
fn an_administrator_hands_one_token_over_and_a_member_may_not() {
    let app = scene();
    app.ok(
        "set_grant",
        json!({"username": "bob", "slug": "web", "granted": true}),
    );
    app.sign_in("bob", MEMBER_PASSWORD);
    let issued = app.ok(
        "create_token",
        json!({"request": {"name": "nightly", "expires_in_days": null, "systems": null}}),
    );
    let id = issued["token"]["id"].as_str().unwrap().to_string();
    let refused = app.refused("hand_over_token", json!({"id": id, "to": "svc-ci"}));
    assert_eq!(refused["code"], "forbidden");
    app.sign_in("root", ADMIN_PASSWORD);
    let refused = app.refused("hand_over_token", json!({"id": id, "to": "carol"}));
    assert_eq!(refused["code"], "invalid_input", "a person is no recipient");
    let refused = app.refused("hand_over_token", json!({"id": id, "to": "svc-ci"}));
    assert_eq!(
        refused["code"], "conflict",
        "bob is still here: only as he leaves"
    );
    app.ok("set_active", json!({"username": "bob", "active": false}));
    let handed = app.ok("hand_over_token", json!({"id": id, "to": "svc-ci"}));
    assert_eq!(
        (&handed["id"], &handed["owner"]),
        (&json!(id), &json!("svc-ci"))
    );
    let secret = issued["secret"].as_str().unwrap();
    assert!(verify(&app, secret, Some("web")).valid);
}

#[test]
fn a_usage_note_is_set_shown_and_cleared_and_never_holds_a_token() {
    let app = scene();
    app.sign_in("bob", MEMBER_PASSWORD);
    let issued = app.ok(
        "create_token",
        json!({"request": {"name": "deploy", "expires_in_days": null, "systems": null}}),
    );
    let id = issued["token"]["id"].as_str().unwrap().to_string();
    let secret = issued["secret"].as_str().unwrap().to_string();
    let note = "GitHub Actions secret DEPLOY_TOKEN in acme/web";
    let set = app.ok("set_usage_note", json!({"id": id, "note": note}));
    assert_eq!(set["usage_note"], note);
    let refused = app.refused(
        "set_usage_note",
        json!({"id": id, "note": format!("DEPLOY_TOKEN={secret}")}),
    );
    assert_eq!(refused["code"], "invalid_input");
    assert!(!refused["message"].as_str().unwrap().contains(&secret));
    let listed = app.ok("list_tokens", json!({"all": false, "owner": null}));
    assert_eq!(listed[0]["usage_note"], note, "a refusal keeps the note");
    assert!(!listed.to_string().contains(&secret));
    // Another member may not write on Bob's token; Bob clears it with "".
    app.sign_in("carol", CAROL_PASSWORD);
    let refused = app.refused("set_usage_note", json!({"id": id, "note": "mine"}));
    assert!(["forbidden", "not_found"].contains(&refused["code"].as_str().unwrap()));
    app.sign_in("bob", MEMBER_PASSWORD);
    let cleared = app.ok("set_usage_note", json!({"id": id, "note": ""}));
    assert_eq!(cleared["usage_note"], Value::Null);
}

#[test]
fn a_token_unused_past_the_stale_setting_is_on_the_overview() {
    let app = scene();
    app.sign_in("bob", MEMBER_PASSWORD);
    let issued = app.ok(
        "create_token",
        json!({"request": {"name": "forgotten", "expires_in_days": 365, "systems": null}}),
    );
    let id = issued["token"]["id"].as_str().unwrap();
    let overview = app.ok("token_overview", json!({}));
    assert_eq!(overview["stale"], json!([]));
    assert_eq!(overview["stale_after_days"], 90);

    app.clock.advance(100 * DAY);
    // A hundred days idle locked the window; signing in again shows it stale.
    app.sign_in("bob", MEMBER_PASSWORD);
    let overview = app.ok("token_overview", json!({}));
    let stale = overview["stale"].as_array().unwrap();
    assert_eq!(stale.len(), 1, "{overview}");
    assert_eq!(
        (&stale[0]["id"], &stale[0]["stale"]),
        (&json!(id), &json!(true))
    );
    let listed = app.ok("list_tokens", json!({"all": false, "owner": null}));
    assert_eq!(listed[0]["stale"], true);
    // Carol sees none of Bob's tokens on hers.
    app.sign_in("carol", CAROL_PASSWORD);
    assert_eq!(app.ok("token_overview", json!({}))["stale"], json!([]));
}

#[test]
fn tokens_expiring_the_same_day_are_one_group_on_the_overview() {
    let app = scene();
    app.sign_in("bob", MEMBER_PASSWORD);
    for name in ["web deploy", "db deploy"] {
        app.ok(
            "create_token",
            json!({"request": {"name": name, "expires_in_days": 30, "systems": null}}),
        );
    }
    app.ok(
        "create_token",
        json!({"request": {"name": "later", "expires_in_days": 60, "systems": null}}),
    );
    let groups = app.ok("token_overview", json!({}))["expiring_together"].clone();
    assert_eq!(groups.as_array().unwrap().len(), 1, "{groups}");
    assert_eq!(groups[0]["owner"], "bob");
    let names: Vec<&str> = groups[0]["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"web deploy") && names.contains(&"db deploy"));
}
