//! Issue 16, done-when 2 through the CLI: `users deactivate --preview` shows what would stop
//! (tokens, the systems each reaches, use in the last 7 and 30 days, service accounts left
//! without a manager) and changes nothing; `--hand-over-to` keeps a token working for a service
//! account, with that account's access; `--revoke-tokens` revokes them.
use latchkey_tests::hostile;

use crate::clocked::{BOB, Clocked, DAY, HOUR, find, line_of};

/// bob may access web-api and docs and is the only member of ci-owners, which manages svc-ci
/// (access to web-api only).
fn setup() -> Clocked {
    let c = Clocked::new();
    for args in [
        &["systems", "onboard", "web-api"][..],
        &["systems", "onboard", "docs"],
        &["grant", BOB, "web-api"],
        &["grant", BOB, "docs"],
        &["groups", "add", "ci-owners"],
        &["groups", "join", "ci-owners", BOB],
        &[
            "users",
            "add",
            "svc-ci",
            "--service",
            "--managed-by",
            "ci-owners",
        ],
        &["grant", "svc-ci", "web-api"],
    ] {
        c.admin(0, args).ok();
    }
    c
}

#[test]
fn the_preview_shows_tokens_systems_and_recent_use_and_changes_nothing() {
    let c = setup();
    let note = "GitHub Actions secret DEPLOY_TOKEN in acme/web";
    let (recent, recent_id) = c.create(0, BOB, &["--name", "deploy", "--usage-note", note]);
    let (month, month_id) = c.create(0, BOB, &["--name", "nightly", "--systems", "docs"]);
    let (old, old_id) = c.create(0, BOB, &["--name", "old"]);
    let (_, revoked_id) = c.create(0, BOB, &["--name", "gone"]);
    c.bob(0, &["tokens", "revoke", &revoked_id]).ok();
    let (_, known_id) = c.create(0, BOB, &["--name", "ci", "--owner", "svc-ci"]);
    c.verify(0, &old, &["--system", "web-api"]).ok();
    c.verify(25 * DAY, &month, &["--system", "docs"]).ok();
    c.verify(38 * DAY, &recent, &["--system", "web-api"]).ok();

    let at = 40 * DAY;
    let before = hostile::dump(&c.env.db);
    let out = c.admin(at, &["users", "deactivate", BOB, "--preview"]).ok();
    assert!(
        hostile::changed_tables(&before, &hostile::dump(&c.env.db)).is_empty(),
        "the preview changed the store"
    );
    let text = &out.stdout;
    assert!(
        !text.contains(&revoked_id),
        "a revoked token stops nothing: {text}"
    );
    let line = line_of(text, &recent_id);
    assert!(line.contains("docs, web-api"), "{line}");
    assert!(line.contains("in the last 7 days"), "{line}");
    assert!(line.contains(note), "{line}");
    let line = line_of(text, &month_id);
    assert!(line.contains("docs") && !line.contains("web-api"), "{line}");
    assert!(line.contains("in the last 30 days"), "{line}");
    assert!(line_of(text, &old_id).contains("not in 30 days"), "{text}");
    assert!(
        line_of(text, "left with no active manager").contains("svc-ci"),
        "{text}"
    );
    // A service account's secret bob received keeps working after he leaves: told apart.
    let known = text
        .lines()
        .position(|line| line.starts_with("still known to bob"))
        .expect("the secrets bob knows");
    let known_at = text.lines().position(|line| line.contains(&known_id));
    assert_eq!(known_at, Some(known + 1), "{text}");
    assert!(line_of(text, &known_id).contains("svc-ci"), "{text}");
    assert!(out.stderr.contains("Nothing was changed"), "{out:?}");

    let json = c
        .admin(at, &["--json", "users", "deactivate", BOB, "--preview"])
        .ok()
        .json();
    assert_eq!(json["account"], BOB);
    let tokens = json["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 3, "{json}");
    let recent = find(tokens, "id", &recent_id);
    assert_eq!(recent["reaches"], serde_json::json!(["docs", "web-api"]));
    assert_eq!(recent["used_last_7_days"], true);
    assert_eq!(recent["usage_note"], note);
    let month = find(tokens, "id", &month_id);
    assert_eq!(month["used_last_7_days"], false);
    assert_eq!(month["used_last_30_days"], true);
    let old = find(tokens, "id", &old_id);
    assert_eq!(old["used_last_30_days"], false);
    assert_eq!(
        json["unmanaged_service_accounts"],
        serde_json::json!(["svc-ci"])
    );
    let known = json["secrets_known"].as_array().unwrap();
    assert_eq!(known.len(), 1, "{json}");
    assert_eq!(known[0]["id"], known_id.as_str());
    assert_eq!(known[0]["owner"], "svc-ci");

    // Still active, its tokens still working; a member may not preview.
    let bobs = c.bob(at, &["--json", "tokens", "list"]).ok().json();
    assert_eq!(
        find(bobs.as_array().unwrap(), "id", &old_id)["status"],
        "active"
    );
    let refused = c.bob(at, &["users", "deactivate", "root", "--preview"]);
    assert_eq!(refused.code, 1, "{refused:?}");
    // The three ways are one choice.
    let both = c.admin(
        at,
        &["users", "deactivate", BOB, "--preview", "--revoke-tokens"],
    );
    assert_eq!(both.code, 2, "{both:?}");
}

#[test]
fn a_handed_over_token_keeps_verifying_with_the_service_accounts_access_until_it_is_removed() {
    let c = setup();
    let (secret, id) = c.create(
        0,
        BOB,
        &["--name", "deploy", "--usage-note", "CI in acme/web"],
    );
    let valid = c
        .verify(0, &secret, &["--system", "docs", "--json"])
        .ok()
        .json();
    assert_eq!(valid["owner"], BOB);

    let out = c
        .admin(
            HOUR,
            &["users", "deactivate", BOB, "--hand-over-to", "svc-ci"],
        )
        .ok();
    assert!(out.stderr.contains(&id), "{out:?}");
    assert!(out.stderr.contains("Deactivated bob"), "{out:?}");

    // The same secret and id, now the service account's, with its access (web-api, not docs).
    let valid = c
        .verify(2 * HOUR, &secret, &["--system", "web-api", "--json"])
        .ok()
        .json();
    assert_eq!(valid["owner"], "svc-ci");
    assert_eq!(valid["token_id"], id.as_str());
    let docs = c.verify(2 * HOUR, &secret, &["--system", "docs"]);
    assert_eq!(docs.code, 1, "{docs:?}");
    assert!(docs.stderr.contains("no_access"), "{docs:?}");
    let listed = c.tokens_of(2 * HOUR, &["--owner", "svc-ci"]);
    let token = find(&listed, "id", &id);
    assert_eq!(token["usage_note"], "CI in acme/web", "the note stays");

    // The audit log tells the hand-over.
    let audit = c
        .admin(
            2 * HOUR,
            &["--json", "audit", "--action", "token.handed_over"],
        )
        .ok()
        .json();
    let event = find(audit.as_array().unwrap(), "target", &id);
    assert!(event["details"].to_string().contains("svc-ci"), "{event}");

    // Its access is the service account's, checked at every verification.
    c.admin(3 * HOUR, &["ungrant", "svc-ci", "web-api"]).ok();
    let denied = c.verify(3 * HOUR, &secret, &["--system", "web-api"]);
    assert_eq!(denied.code, 1, "{denied:?}");
    assert!(denied.stderr.contains("no_access"), "{denied:?}");
}

#[test]
fn revoke_tokens_revokes_them_as_the_account_is_deactivated() {
    let c = setup();
    let (secret, id) = c.create(0, BOB, &["--name", "deploy"]);
    let out = c
        .admin(
            HOUR,
            &["--json", "users", "deactivate", BOB, "--revoke-tokens"],
        )
        .ok()
        .json();
    assert_eq!(out["revoked"], serde_json::json!([id]));
    assert_eq!(out["handed_over"], serde_json::json!([]));
    let denied = c.verify(2 * HOUR, &secret, &["--system", "web-api"]);
    assert_eq!(denied.code, 1);
    assert!(denied.stderr.contains("revoked"), "{denied:?}");
    // Reactivation brings back the account, never the revoked token.
    c.admin(2 * HOUR, &["users", "reactivate", BOB]).ok();
    let denied = c.verify(3 * HOUR, &secret, &["--system", "web-api"]);
    assert!(denied.stderr.contains("revoked"), "{denied:?}");
    let listed = c.admin(3 * HOUR, &["--json", "users", "list"]).ok().json();
    assert_eq!(
        find(listed.as_array().unwrap(), "username", BOB)["status"],
        "active"
    );
}

#[test]
fn a_plain_deactivation_still_keeps_the_tokens_until_reactivation() {
    let c = setup();
    let (secret, _) = c.create(0, BOB, &["--name", "deploy"]);
    let out = c.admin(HOUR, &["users", "deactivate", BOB]).ok();
    assert!(out.stdout.is_empty(), "{out:?}");
    assert_eq!(
        out.stderr,
        "Deactivated bob; its tokens fail verification until it is reactivated\n"
    );
    let denied = c.verify(HOUR, &secret, &["--system", "web-api"]);
    assert!(denied.stderr.contains("owner_deactivated"), "{denied:?}");
    c.admin(HOUR, &["users", "reactivate", BOB]).ok();
    c.verify(HOUR, &secret, &["--system", "web-api"]).ok();
}

#[test]
fn a_deactivated_accounts_token_is_handed_over_on_its_own_and_an_active_ones_is_not() {
    let c = setup();
    let (secret, id) = c.create(0, BOB, &["--name", "deploy"]);
    let refused = c.admin(HOUR, &["tokens", "hand-over", &id, "--to", "svc-ci"]);
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(
        refused.one_line_error().contains("still active"),
        "{refused:?}"
    );
    c.admin(HOUR, &["users", "deactivate", BOB]).ok();

    let handed = c
        .admin(
            HOUR,
            &["--json", "tokens", "hand-over", &id, "--to", "svc-ci"],
        )
        .ok()
        .json();
    assert_eq!(handed["id"], id.as_str());
    assert_eq!(handed["owner"], "svc-ci");
    assert_eq!(
        handed["created_by"], BOB,
        "the former owner still knows the secret"
    );
    let valid = c
        .verify(2 * HOUR, &secret, &["--system", "web-api", "--json"])
        .ok()
        .json();
    assert_eq!(valid["owner"], "svc-ci");
}
