//! The Leak check's commands over IPC: pasted text comes back as hints only, with what each token
//! is; a member sees less of others' tokens; `scan_file` reads only paths dropped on the window.
use crate::common::*;
use serde_json::{Value, json};

fn create(app: &App, name: &str) -> (String, String) {
    let issued = app.ok(
        "create_token",
        json!({"request": {"name": name, "expires_in_days": null, "systems": null}}),
    );
    (
        issued["secret"].as_str().unwrap().to_string(),
        issued["token"]["id"].as_str().unwrap().to_string(),
    )
}

fn no_piece_of(token: &str, answer: &Value) {
    let text = answer.to_string();
    assert!(!text.contains(&token[3..19]), "a token came back: {text}");
}

#[test]
fn pasted_text_comes_back_as_hints_with_whose_and_what_each_token_is() {
    let app = App::with_accounts();
    let (roots, roots_id) = create(&app, "ci");
    app.ok("sign_out", json!({}));
    app.sign_in("bob", MEMBER_PASSWORD);
    let (bobs, bobs_id) = create(&app, "deploy");
    let text = format!("GET /x?token={roots}\nAuthorization: Bearer {bobs}\n");
    let answer = app.ok("scan_text", json!({"text": text}));
    no_piece_of(&roots, &answer);
    no_piece_of(&bobs, &answer);
    let found = answer["findings"].as_array().unwrap();
    assert_eq!(found.len(), 2);
    // Bob sees whose the administrator's token is, not its name or id, and may not revoke it.
    assert_eq!(found[0]["status"], "live");
    assert_eq!(found[0]["owner"], "root");
    assert!(found[0]["token_id"].is_null() && found[0]["name"].is_null());
    assert_eq!(found[0]["may_revoke"], false);
    assert_eq!(
        (
            found[1]["token_id"].as_str(),
            found[1]["may_revoke"].as_bool()
        ),
        (Some(bobs_id.as_str()), Some(true))
    );
    assert_eq!(
        (found[1]["line"].as_u64(), found[1]["column"].as_u64()),
        (Some(2), Some(23))
    );
    // Revoking another's token by id is refused; his own works and records where.
    let refused = app.refused(
        "revoke_leaked_token",
        json!({"id": roots_id, "foundIn": "pasted text:1:14"}),
    );
    assert_eq!(refused["code"], "not_found");
    app.ok(
        "revoke_leaked_token",
        json!({"id": bobs_id, "foundIn": "pasted text:2:23"}),
    );
    let again = app.ok("scan_text", json!({"text": text}));
    assert_eq!(again["findings"][1]["status"], "revoked");
    let looked_up = app.ok("look_up_token", json!({"token": bobs}));
    no_piece_of(&bobs, &looked_up);
    let revoked = looked_up["history"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "token.revoked")
        .unwrap();
    assert!(
        revoked["details"]
            .as_str()
            .unwrap()
            .contains("leak check: pasted text:2:23")
    );
    let refused = app.refused("look_up_token", json!({"token": roots}));
    assert_eq!(refused["code"], "forbidden");
    no_piece_of(&roots, &refused);
}

#[test]
fn scan_file_reads_only_what_was_dropped_on_the_window_and_only_once() {
    let app = App::with_accounts();
    let (token, _) = create(&app, "ci");
    let file = app.db_path().with_file_name("dropped.log");
    std::fs::write(&file, format!("x {token}\n")).unwrap();
    let path = file.to_str().unwrap();
    let refused = app.refused("scan_file", json!({"path": path}));
    assert_eq!(refused["code"], "invalid_input", "{refused}");
    app.state().remember_dropped(std::slice::from_ref(&file));
    let answer = app.ok("scan_file", json!({"path": path}));
    no_piece_of(&token, &answer);
    assert_eq!(answer["findings"][0]["status"], "live");
    assert!(
        answer["findings"][0]["source"]
            .as_str()
            .unwrap()
            .ends_with("dropped.log")
    );
    assert_eq!(
        app.refused("scan_file", json!({"path": path}))["code"],
        "invalid_input"
    );
}
