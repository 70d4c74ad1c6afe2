//! Each bad input is refused with one clear line and leaves the store byte-for-byte unchanged.
use std::path::Path;

use latchkey_tests::*;

/// A store with bob, a system `web` and one token of bob's, closed (so its file holds all).
fn setup() -> (Env, String) {
    let env = Env::initialised();
    env.add_member("bob");
    env.as_admin(&["systems", "onboard", "web"]).ok();
    let (token, _) = env.create_token("bob", MEMBER_PASSWORD, &[]);
    (env, token)
}

/// Runs `attempt`, then checks the exit code, the one line it printed, and that no file of the
/// store changed.
fn refused_and_unchanged(
    env: &Env,
    expected_code: i32,
    expected_text: &str,
    attempt: impl FnOnce() -> Output,
) {
    let before = env.store_files();
    assert!(!before.is_empty());
    let out = attempt();
    assert_eq!(out.code, expected_code, "{out:?}");
    let line = out.one_line_error();
    assert!(
        line.contains(expected_text),
        "{line:?} should mention {expected_text:?}"
    );
    assert!(out.stdout.is_empty(), "{out:?}");
    assert_eq!(env.store_files(), before, "the store changed");
}

fn create(env: &Env, name: &str) -> Output {
    env.as_user(
        "bob",
        MEMBER_PASSWORD,
        &["tokens", "create", "--name", name],
    )
}

#[test]
fn an_empty_token_name() {
    let (env, _) = setup();
    refused_and_unchanged(&env, 1, "must not be empty", || create(&env, ""));
}

#[test]
fn a_101_character_token_name() {
    let (env, _) = setup();
    refused_and_unchanged(&env, 1, "at most 100", || create(&env, &"n".repeat(101)));
}

#[test]
fn a_token_name_with_a_control_character() {
    let (env, _) = setup();
    refused_and_unchanged(&env, 1, "U+0007", || create(&env, "bell\u{7}name"));
}

#[test]
fn a_token_name_with_a_bidi_override() {
    let (env, _) = setup();
    refused_and_unchanged(&env, 1, "U+202E", || create(&env, "invoice\u{202E}fdp.exe"));
}

#[test]
fn a_malformed_token() {
    let (env, _) = setup();
    refused_and_unchanged(&env, 1, "denied: malformed", || {
        env.verify("lk_tooShort", &[])
    });
}

#[test]
fn a_token_with_a_wrong_checksum() {
    let (env, token) = setup();
    let mut typo = token.clone();
    let replacement = if token.ends_with('0') { "1" } else { "0" };
    typo.replace_range(51..52, replacement);
    refused_and_unchanged(&env, 1, "denied: malformed", || env.verify(&typo, &[]));
}

#[test]
fn a_token_passed_as_an_argument() {
    let (env, token) = setup();
    refused_and_unchanged(&env, 2, "never takes the token as an argument", || {
        env.run(&["verify", &token], &[], None)
    });
    let out = env.run(&["verify", &token], &[], None);
    assert!(
        !out.stderr.contains(&token[3..19]),
        "the token is not echoed back"
    );
}

#[test]
fn an_unknown_user() {
    let (env, _) = setup();
    refused_and_unchanged(&env, 1, "no account named", || {
        env.as_admin(&["grant", "nobody", "web"])
    });
    refused_and_unchanged(&env, 1, "no account named", || {
        env.as_admin(&["users", "deactivate", "nobody"])
    });
}

#[test]
fn an_unknown_system() {
    let (env, _) = setup();
    refused_and_unchanged(&env, 1, "no system", || {
        env.as_admin(&["grant", "bob", "no-such-system"])
    });
    refused_and_unchanged(&env, 1, "no system", || {
        env.as_user(
            "bob",
            MEMBER_PASSWORD,
            &[
                "tokens",
                "create",
                "--name",
                "x",
                "--systems",
                "no-such-system",
            ],
        )
    });
}

#[test]
fn an_unknown_token_id() {
    let (env, _) = setup();
    refused_and_unchanged(&env, 1, "no token with id", || {
        env.as_admin(&["tokens", "revoke", "tok_0123456789abcdef"])
    });
    refused_and_unchanged(&env, 1, "token id", || {
        env.as_admin(&["tokens", "revoke", "not-an-id"])
    });
}

#[test]
fn another_accounts_token_id() {
    let (env, _) = setup();
    let (_, admins) = env.create_token(ADMIN, ADMIN_PASSWORD, &[]);
    refused_and_unchanged(&env, 1, "no token with id", || {
        env.as_user("bob", MEMBER_PASSWORD, &["tokens", "revoke", &admins])
    });
}

#[test]
fn a_password_under_15_characters() {
    let (env, _) = setup();
    refused_and_unchanged(&env, 1, "at least 15", || {
        env.run(
            &["users", "add", "carol"],
            &[
                ("LATCHKEY_USER", ADMIN),
                ("LATCHKEY_PASSWORD", ADMIN_PASSWORD),
                ("LATCHKEY_NEW_PASSWORD", "short pw"),
            ],
            None,
        )
    });
}

#[test]
fn a_database_from_a_newer_schema() {
    let (env, token) = setup();
    {
        let conn = rusqlite::Connection::open(&env.db).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    refused_and_unchanged(&env, 2, "newer than this latchkey supports", || {
        env.as_admin(&["tokens", "list"])
    });
    refused_and_unchanged(&env, 2, "newer than this latchkey supports", || {
        env.verify(&token, &[])
    });
}

#[test]
fn a_wrong_key_file() {
    let (env, token) = setup();
    let other = Env::initialised(); // a valid key, of another store
    let wrong = other.key.to_str().unwrap();
    refused_and_unchanged(&env, 2, "does not belong to this store", || {
        env.run(&["verify"], &[("LATCHKEY_KEY_FILE", wrong)], Some(&token))
    });
}

#[test]
fn a_missing_key() {
    let (env, token) = setup();
    let missing = env.dir.path().join("no-such-key");
    let missing = missing.to_str().unwrap();
    refused_and_unchanged(&env, 2, "does not exist", || {
        env.run(&["verify"], &[("LATCHKEY_KEY_FILE", missing)], Some(&token))
    });
}

#[cfg(unix)]
#[test]
fn a_key_file_readable_by_others() {
    use std::os::unix::fs::PermissionsExt;
    let (env, _) = setup();
    std::fs::set_permissions(&env.key, std::fs::Permissions::from_mode(0o644)).unwrap();
    refused_and_unchanged(&env, 2, "readable by others", || {
        env.as_admin(&["tokens", "list"])
    });
}

#[test]
fn a_directory_where_the_database_file_should_be() {
    let env = Env::new();
    std::fs::create_dir(&env.db).unwrap();
    let out = env.as_admin(&["tokens", "list"]);
    assert_eq!(out.code, 2);
    assert!(out.one_line_error().contains("is a directory"));
    let out = env.init();
    assert_eq!(out.code, 2);
    assert!(out.one_line_error().contains("is a directory"));
    assert_eq!(
        std::fs::read_dir(&env.db).unwrap().count(),
        0,
        "nothing was written into it"
    );
    assert!(!Path::new(&env.key).exists(), "no key was made");
}

#[test]
fn a_token_pasted_as_a_username_is_not_echoed_or_audited() {
    let (env, token) = setup();
    refused_and_unchanged(&env, 1, "no account named", || {
        env.as_admin(&["grant", &token, "web"])
    });
    let out = env.as_admin(&["grant", &token, "web"]);
    assert_eq!(
        leaks(out.stderr.as_bytes(), std::slice::from_ref(&token)),
        None,
        "{out:?}"
    );
    // As the acting user: the failed sign-in is audited without the token.
    assert_eq!(
        env.as_user(&token, MEMBER_PASSWORD, &["tokens", "list"])
            .code,
        1
    );
    let audit = env.as_admin(&["audit", "--csv"]).ok();
    assert!(audit.stdout.contains("signin.failed"));
    assert_eq!(
        leaks(audit.stdout.as_bytes(), std::slice::from_ref(&token)),
        None
    );
}
