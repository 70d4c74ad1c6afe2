//! Issue 16, done-when 1 through the CLI: a service account created by an administrator and
//! managed by a group; a member of the group creates and rotates its tokens and alone gets the
//! secret; nobody else does (an administrator outside the group included); it never signs in;
//! its tokens have its own access; the group's members get its reminders.
use latchkey_tests::*;

use crate::clocked::{BOB, Clocked, DAY, find, line_of};

/// root creates the group ci-owners (bob in it), the systems web-api and docs, and the service
/// account svc-ci managed by ci-owners with access to web-api; carol is a member outside it.
fn setup() -> Clocked {
    let c = Clocked::new();
    c.env.add_member("carol");
    c.admin(0, &["groups", "add", "ci-owners"]).ok();
    c.admin(0, &["groups", "join", "ci-owners", BOB]).ok();
    c.admin(0, &["systems", "onboard", "web-api"]).ok();
    c.admin(0, &["systems", "onboard", "docs"]).ok();
    c
}

fn add_service(c: &Clocked) {
    // No new password is read: none is given (LATCHKEY_NEW_PASSWORD aside) and none is needed.
    let add = c.env.run(
        &[
            "users",
            "add",
            "svc-ci",
            "--service",
            "--managed-by",
            "ci-owners",
            "--display-name",
            "CI pipeline",
        ],
        &[
            ("LATCHKEY_USER", ADMIN),
            ("LATCHKEY_PASSWORD", ADMIN_PASSWORD),
            ("LATCHKEY_TEST_CLOCK_AT", &c.t0.to_string()),
        ],
        None,
    );
    assert_eq!(add.code, 0, "{add:?}");
    assert!(add.stderr.contains("managed by ci-owners"), "{add:?}");
    c.admin(0, &["grant", "svc-ci", "web-api"]).ok();
}

#[test]
fn an_administrator_creates_a_service_account_managed_by_a_group_and_lists_its_kind() {
    let c = setup();
    add_service(&c);
    let listed = c.admin(0, &["--json", "users", "list"]).ok().json();
    let rows = listed.as_array().unwrap();
    let service = find(rows, "username", "svc-ci");
    assert_eq!(service["kind"], "service");
    assert_eq!(service["managed_by"], "ci-owners");
    assert_eq!(service["display_name"], "CI pipeline");
    assert_eq!(service["role"], "member");
    assert_eq!(find(rows, "username", BOB)["kind"], "person");
    assert_eq!(
        find(rows, "username", BOB)["managed_by"],
        serde_json::Value::Null
    );
    let text = c.admin(0, &["users", "list"]).ok().stdout;
    assert!(
        text.lines()
            .next()
            .unwrap()
            .ends_with("KIND     MANAGED BY"),
        "{text}"
    );
    assert!(
        line_of(&text, "svc-ci").ends_with("service  ci-owners"),
        "{text}"
    );
    assert!(line_of(&text, "carol").ends_with("person"), "{text}");

    // `users managed`: bob manages it; carol manages nothing; an administrator sees all.
    let bobs = c.bob(0, &["--json", "users", "managed"]).ok().json();
    assert_eq!(bobs.as_array().unwrap().len(), 1, "{bobs}");
    assert_eq!(bobs[0]["username"], "svc-ci");
    let carols = c.as_user(0, "carol", &["users", "managed"]).ok();
    assert!(carols.stdout.is_empty(), "{carols:?}");
    assert!(
        carols.stderr.contains("You manage no service account"),
        "{carols:?}"
    );
    let roots = c.admin(0, &["users", "managed"]).ok().stdout;
    assert!(line_of(&roots, "svc-ci").contains("ci-owners"), "{roots}");

    // Another managing group: now carol's group manages it, and bob no longer does.
    c.admin(0, &["groups", "add", "web-team"]).ok();
    c.admin(0, &["groups", "join", "web-team", "carol"]).ok();
    c.admin(0, &["users", "set-managed-by", "svc-ci", "web-team"])
        .ok();
    let carols = c
        .as_user(0, "carol", &["--json", "users", "managed"])
        .ok()
        .json();
    assert_eq!(carols[0]["username"], "svc-ci");
    let bobs = c.bob(0, &["--json", "users", "managed"]).ok().json();
    assert_eq!(bobs, serde_json::json!([]));
    let refused = c.bob(0, &["users", "set-managed-by", "svc-ci", "ci-owners"]);
    assert_eq!(refused.code, 1, "{refused:?}");
}

#[test]
fn service_needs_a_managing_group_and_a_managing_group_needs_service() {
    let c = setup();
    for args in [
        &["users", "add", "svc-x", "--service"][..],
        &["users", "add", "svc-x", "--managed-by", "ci-owners"][..],
        &[
            "users",
            "add",
            "svc-x",
            "--service",
            "--managed-by",
            "ci-owners",
            "--admin",
        ][..],
    ] {
        let before = c.env.store_files();
        let out = c.admin(0, args);
        assert_eq!(out.code, 2, "{args:?}: {out:?}");
        assert!(out.stderr.starts_with("error:"), "{out:?}");
        assert!(c.env.store_files() == before, "{args:?} changed the store");
    }
    // A member may not create one.
    let out = c.bob(
        0,
        &[
            "users",
            "add",
            "svc-x",
            "--service",
            "--managed-by",
            "ci-owners",
        ],
    );
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.one_line_error().contains("administrator"), "{out:?}");
}

#[test]
fn a_member_of_the_managing_group_gets_the_secret_and_nobody_else_does() {
    let c = setup();
    add_service(&c);
    let note = "GitHub Actions secret DEPLOY_TOKEN in acme/web";
    let created = c
        .bob(
            0,
            &[
                "--json",
                "tokens",
                "create",
                "--owner",
                "svc-ci",
                "--name",
                "deploy",
                "--usage-note",
                note,
            ],
        )
        .ok()
        .json();
    let secret = created["token"].as_str().unwrap().to_string();
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["owner"], "svc-ci");
    assert_eq!(created["usage_note"], note);

    // Refused, with no secret, to a member outside the group and to an administrator outside it.
    for (user, password) in [("carol", MEMBER_PASSWORD), (ADMIN, ADMIN_PASSWORD)] {
        let args = [
            "tokens", "create", "--owner", "svc-ci", "--name", "mine now",
        ];
        let before = c.env.store_files();
        let out = c.run(0, user, password, &args, None);
        assert_eq!(out.code, 1, "{user}: {out:?}");
        assert!(out.stdout.is_empty(), "{user} got something: {out:?}");
        assert!(!out.stderr.contains("lk_"), "{out:?}");
        assert!(
            out.one_line_error()
                .contains("service accounts managed by a group"),
            "{out:?}"
        );
        assert!(c.env.store_files() == before, "{user}: the store changed");
    }
    let all = c.tokens_of(0, &["--all"]);
    assert_eq!(all.len(), 1, "{all:?}");
    let token = find(&all, "id", &id);
    assert_eq!(token["owner"], "svc-ci");
    assert_eq!(token["created_by"], BOB, "who received the secret is kept");

    // The token has the service account's own access, checked at verification.
    let valid = c
        .verify(DAY, &secret, &["--system", "web-api", "--json"])
        .ok()
        .json();
    assert_eq!(valid["owner"], "svc-ci");
    assert_eq!(valid["token_id"], id.as_str());
    let denied = c.verify(DAY, &secret, &["--system", "docs"]);
    assert_eq!(denied.code, 1, "{denied:?}");
    assert!(denied.stderr.contains("no_access"), "{denied:?}");

    // bob lists and rotates it (the new secret is his alone); carol may not touch it.
    let bobs = c
        .bob(DAY, &["--json", "tokens", "list", "--owner", "svc-ci"])
        .ok()
        .json();
    assert_eq!(bobs.as_array().unwrap().len(), 1, "{bobs}");
    let carols = c.as_user(DAY, "carol", &["tokens", "list", "--owner", "svc-ci"]);
    assert_eq!(carols.code, 1, "{carols:?}");
    for command in ["rotate", "revoke"] {
        let out = c.as_user(DAY, "carol", &["tokens", command, &id]);
        assert_eq!(out.code, 1, "carol {command}: {out:?}");
        assert!(out.stdout.is_empty(), "{out:?}");
    }
    let rotated = c.bob(DAY, &["--json", "tokens", "rotate", &id]).ok().json();
    let new_secret = rotated["token"].as_str().unwrap();
    assert_eq!(rotated["owner"], "svc-ci");
    assert_eq!(rotated["usage_note"], note, "the note follows the rotation");
    let valid = c
        .verify(DAY, new_secret, &["--system", "web-api", "--json"])
        .ok()
        .json();
    assert_eq!(valid["owner"], "svc-ci");
    assert_eq!(c.verify(DAY, &secret, &["--system", "web-api"]).code, 1);

    // The audit log names who created it.
    let audit = c
        .admin(DAY, &["--json", "audit", "--action", "token.created"])
        .ok()
        .json();
    let created = find(audit.as_array().unwrap(), "target", &id);
    assert_eq!(created["actor"], BOB, "{created}");
}

#[test]
fn a_service_account_never_signs_in_and_has_no_password_to_reset() {
    let c = setup();
    add_service(&c);
    let unknown = c.run(
        0,
        "nobody-here",
        "a password that is long enough",
        &["tokens", "list"],
        None,
    );
    for password in ["a password that is long enough", "", MEMBER_PASSWORD] {
        let out = c.run(0, "svc-ci", password, &["tokens", "list"], None);
        assert_eq!(out.code, 1, "{out:?}");
        assert_eq!(
            out.one_line_error(),
            unknown.one_line_error(),
            "refused exactly like a wrong password"
        );
    }
    let reset = c.admin(0, &["users", "reset-password", "svc-ci"]);
    assert_eq!(reset.code, 1, "{reset:?}");
    assert!(
        reset.one_line_error().contains("never signs in"),
        "{reset:?}"
    );
    let admin = c.admin(0, &["users", "set-role", "svc-ci", "admin"]);
    assert_eq!(admin.code, 1, "{admin:?}");
}

#[test]
fn the_managing_groups_members_get_the_service_accounts_reminders() {
    let c = setup();
    add_service(&c);
    let (_, id) = c.create(
        0,
        BOB,
        &[
            "--owner",
            "svc-ci",
            "--name",
            "short",
            "--expires-in-days",
            "10",
            "--usage-note",
            "CI variable LK in acme/api",
        ],
    );
    // Seven days before expiry: due for bob (a manager), not for carol.
    let due = c
        .bob(3 * DAY + 60, &["--json", "reminders", "due"])
        .ok()
        .json();
    let reminder = find(due.as_array().unwrap(), "token_id", &id);
    assert_eq!(reminder["owner"], "svc-ci");
    assert_eq!(reminder["managed_by"], "ci-owners");
    assert_eq!(reminder["kind"], "expiry");
    assert_eq!(reminder["threshold_days"], 7);
    let carols = c
        .as_user(3 * DAY + 60, "carol", &["--json", "reminders", "due"])
        .ok()
        .json();
    assert_eq!(carols, serde_json::json!([]));
    let text = c.bob(3 * DAY + 60, &["reminders", "due"]).ok().stdout;
    let line = line_of(&text, &id);
    assert!(
        line.contains("update it where it is used: CI variable LK in acme/api"),
        "{text}"
    );
    assert!(
        line.contains("service account managed by ci-owners"),
        "{text}"
    );
}
