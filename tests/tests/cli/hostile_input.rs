//! Issue 5 point 4 through the CLI: the hostile table (tests/src/hostile.rs) in every field that
//! takes text, numbers and ids, plus what only a command line can send (invalid UTF-8). Each value
//! is refused with one clear line and the store's files stay byte-for-byte the same, or it is
//! stored and shown exactly as given and nothing but its own row and audit event changes.
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use latchkey_tests::hostile::{self, Expect};
use latchkey_tests::*;

/// A field of some command: how to send a value, where it lands, and how to read it back.
struct Field {
    label: &'static str,
    table: &'static str,
    expect: fn(&str, Expect) -> Expect,
    send: fn(&Env, usize, &OsStr) -> Output,
    /// The `--json` list the value is shown in, and the key it is shown under.
    shown_by: (&'static [&'static str], &'static str),
}

fn as_bob(env: &Env, args: &[&OsStr]) -> Output {
    let mut command = env.command();
    command
        .args(args)
        .env("LATCHKEY_USER", "bob")
        .env("LATCHKEY_PASSWORD", MEMBER_PASSWORD);
    run_command(command, None)
}

fn as_root(env: &Env, args: &[&OsStr]) -> Output {
    let mut command = env.command();
    command
        .args(args)
        .env("LATCHKEY_USER", ADMIN)
        .env("LATCHKEY_PASSWORD", ADMIN_PASSWORD)
        .env("LATCHKEY_NEW_PASSWORD", MEMBER_PASSWORD);
    run_command(command, None)
}

fn os(text: &str) -> &OsStr {
    OsStr::new(text)
}

fn fields() -> Vec<Field> {
    vec![
        Field {
            label: "token name",
            table: "tokens",
            expect: |_, e| e,
            send: |env, _, v| as_bob(env, &[os("tokens"), os("create"), os("--name"), v]),
            shown_by: (&["tokens", "list", "--all"], "name"),
        },
        Field {
            label: "system display name",
            table: "systems",
            expect: |_, e| e,
            send: |env, n, v| {
                let slug = format!("svc-{n}");
                as_bob(
                    env,
                    &[
                        os("systems"),
                        os("onboard"),
                        os(&slug),
                        os("--display-name"),
                        v,
                    ],
                )
            },
            shown_by: (&["systems", "list"], "display_name"),
        },
        Field {
            label: "account display name",
            table: "accounts",
            expect: |_, e| e,
            send: |env, n, v| {
                let name = format!("user-{n}");
                as_root(
                    env,
                    &[os("users"), os("add"), os(&name), os("--display-name"), v],
                )
            },
            shown_by: (&["users", "list"], "display_name"),
        },
        Field {
            label: "username",
            table: "accounts",
            expect: |v, e| hostile::limited_to_64(hostile::username_expect(v, e)),
            send: |env, _, v| as_root(env, &[os("users"), os("add"), v]),
            shown_by: (&["users", "list"], "username"),
        },
        Field {
            label: "group name",
            table: "groups",
            expect: |_, e| hostile::limited_to_64(e),
            send: |env, _, v| as_root(env, &[os("groups"), os("add"), v]),
            shown_by: (&["groups", "list"], "name"),
        },
        Field {
            label: "system slug",
            table: "systems",
            expect: |v, _| hostile::slug_expect(v),
            send: |env, _, v| as_bob(env, &[os("systems"), os("onboard"), v]),
            shown_by: (&["systems", "list"], "slug"),
        },
    ]
}

fn setup() -> (Env, String) {
    let env = Env::initialised();
    env.add_member("bob");
    let (_, root_token) = env.create_token(ADMIN, ADMIN_PASSWORD, &["--name", "root's"]);
    env.as_admin(&["groups", "add", OWNERS]).ok();
    (env, root_token)
}

/// A refusal: exit 1 or 2, one line naming the problem, nothing on standard output, no byte of
/// the store changed.
fn assert_refused(
    env: &Env,
    case: &str,
    before: &[(std::path::PathBuf, Vec<u8>)],
    out: &Output,
    fragment: &str,
) {
    assert!(matches!(out.code, 1 | 2), "{case}: {out:?}");
    let line = out.one_line_error();
    assert!(
        line.contains(fragment),
        "{case}: {line:?} should say {fragment:?}"
    );
    assert!(
        line.chars().count() < 300,
        "{case}: the message echoes the value: {line}"
    );
    assert!(out.stdout.is_empty(), "{case}: {out:?}");
    assert!(env.store_files() == before, "{case}: the store changed");
}

#[test]
fn hostile_text_in_every_field_is_refused_or_stored_and_shown_literally() {
    let (env, _) = setup();
    let tried = try_texts(&env, fields());
    assert!(tried >= 120, "{tried} cases");
}

/// Service account names, in a store of their own (the usernames tried above would clash).
#[test]
fn hostile_service_account_names_are_refused_or_stored_and_shown_literally() {
    let (env, _) = setup();
    let tried = try_texts(&env, service_fields());
    assert!(tried >= 20, "{tried} cases");
}

/// Fields whose values need the group `owners` to exist.
fn service_fields() -> Vec<Field> {
    vec![Field {
        label: "service account name",
        table: "accounts",
        expect: |v, e| hostile::limited_to_64(hostile::username_expect(v, e)),
        send: |env, _, v| {
            let args = [os("users"), os("add"), v, os("--service")];
            as_root(
                env,
                &[&args[..], &[os("--managed-by"), os(OWNERS)]].concat(),
            )
        },
        shown_by: (&["users", "list"], "username"),
    }]
}

const OWNERS: &str = "owners";

/// Each hostile text in each field; returns how many were tried.
fn try_texts(env: &Env, fields: Vec<Field>) -> usize {
    let mut tried = 0;
    for (n, field) in fields.into_iter().enumerate() {
        for (m, (label, value, free_text)) in hostile::texts().into_iter().enumerate() {
            let case = format!("{} = {label}", field.label);
            if value.contains('\0') {
                // A command line cannot carry NUL: the OS ends the argument there. Standard input
                // can, and is tried below.
                continue;
            }
            tried += 1;
            let expect = (field.expect)(&value, free_text);
            let before_files = env.store_files();
            let before = hostile::dump(&env.db);
            let out = (field.send)(env, n * 100 + m, os(&value));
            match expect {
                Expect::Refused(fragment) => {
                    assert_refused(env, &case, &before_files, &out, fragment)
                }
                Expect::Literal => {
                    assert_eq!(out.code, 0, "{case}: {out:?}");
                    let changed = hostile::changed_tables(&before, &hostile::dump(&env.db));
                    assert_eq!(changed, [field.table], "{case}: only its own row is new");
                    let (list, key) = field.shown_by;
                    let mut args = vec!["--json"];
                    args.extend_from_slice(list);
                    let shown = env.as_admin(&args).ok().json();
                    hostile::assert_shown_literally(&case, &shown, key, &value);
                }
            }
        }
    }
    tried
}

#[test]
fn invalid_utf8_in_any_argument_is_a_usage_error_that_changes_nothing() {
    let (env, _) = setup();
    let bad = OsStr::from_bytes(b"bad\xff\xfename");
    for (n, field) in fields().into_iter().chain(service_fields()).enumerate() {
        let before = env.store_files();
        let out = (field.send)(&env, 900 + n, bad);
        assert_eq!(out.code, 2, "{}: {out:?}", field.label);
        assert!(
            out.stderr.contains("invalid UTF-8"),
            "{}: {out:?}",
            field.label
        );
        assert!(
            env.store_files() == before,
            "{}: the store changed",
            field.label
        );
    }
}

#[test]
fn hostile_numbers_are_refused_wherever_days_are_asked() {
    let (env, root_token) = setup();
    // Each command with VALUE where the number goes (and ROOT for root's token id).
    let commands: [&[&str]; 5] = [
        &[
            "tokens",
            "create",
            "--name",
            "n",
            "--expires-in-days",
            "VALUE",
        ],
        &["tokens", "rotate", "ROOT", "--grace-days", "VALUE"],
        &["settings", "set", "--max-lifetime-days", "VALUE"],
        &["settings", "set", "--stale-after-days", "VALUE"],
        &["settings", "set", "--auto-revoke-unused-days", "VALUE"],
    ];
    for command in commands {
        for value in hostile::NUMBERS {
            let case = format!("{} {value:?}", command.join(" "));
            let args: Vec<&str> = command
                .iter()
                .map(|a| match *a {
                    "VALUE" => *value,
                    "ROOT" => root_token.as_str(),
                    other => other,
                })
                .collect();
            let args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
            let before = env.store_files();
            let out = as_root(&env, &args);
            // Out of range: refused by core (1); not a whole number: refused by the parser (2).
            assert!(matches!(out.code, 1 | 2), "{case}: {out:?}");
            let line = out
                .stderr
                .lines()
                .find(|l| l.starts_with("error:") || l.starts_with("latchkey:"));
            assert!(line.is_some(), "{case}: no clear error in {out:?}");
            assert!(out.stdout.is_empty(), "{case}: {out:?}");
            assert!(env.store_files() == before, "{case}: the store changed");
        }
    }
}

#[test]
fn ids_of_nothing_or_of_another_accounts_token_are_refused_everywhere() {
    let (env, root_token) = setup();
    for id in hostile::foreign_ids(&root_token) {
        for command in ["revoke", "rotate", "delete"] {
            let case = format!("bob: tokens {command} {id:?}");
            let before = env.store_files();
            let out = as_bob(&env, &[os("tokens"), os(command), os(&id)]);
            assert_refused(&env, &case, &before, &out, "token");
        }
    }
    // An administrator's wildcard or injection finds nothing either.
    for id in ["%", "tok_' OR '1'='1"] {
        let before = env.store_files();
        let out = as_root(&env, &[os("tokens"), os("revoke"), os(id)]);
        assert_refused(&env, id, &before, &out, "token");
    }
}

#[test]
fn hostile_bytes_on_standard_input_are_refused_without_a_trace() {
    let (env, _) = setup();
    let (token, _) = env.create_token("bob", MEMBER_PASSWORD, &[]);
    let before = env.store_files();
    // A password with NUL or a bidi override: a wrong password, audited and counted, never a
    // crash; two failures stay under the backoff, and the next right one clears the count.
    for input in ["bob\0password that is long\n", "pass\u{202e}word\n"] {
        let out = env.run(
            &["--password-stdin", "tokens", "list"],
            &[("LATCHKEY_USER", "bob")],
            Some(input),
        );
        assert_eq!(out.code, 1, "{input:?}: {out:?}");
        assert!(
            out.one_line_error().contains("wrong username or password"),
            "{out:?}"
        );
    }
    let mut command = env.command();
    command
        .args(["--password-stdin", "tokens", "list"])
        .env("LATCHKEY_USER", "bob");
    let out = run_command_bytes(command, b"\xff\xfe password\n");
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.one_line_error().contains("standard input"), "{out:?}");
    env.as_user("bob", MEMBER_PASSWORD, &["tokens", "list"])
        .ok();
    // A token with NUL, controls or invalid UTF-8: malformed, before the store is opened.
    for input in [
        format!("{token}\0"),
        format!("\u{202e}{token}"),
        "lk_\u{1b}[2J".to_string(),
    ] {
        let out = env.verify(&input, &[]);
        assert_eq!(out.code, 1, "{out:?}");
        assert!(
            out.stdout.contains("malformed") || out.stderr.contains("malformed"),
            "{out:?}"
        );
    }
    let changed = hostile::changed_tables(&dump_of(&before), &hostile::dump(&env.db));
    assert!(changed.is_empty(), "{changed:?}");
}

/// The dump of a store as it was (written to a scratch copy made from its saved files).
fn dump_of(files: &[(std::path::PathBuf, Vec<u8>)]) -> hostile::StoreDump {
    let scratch = tempfile::tempdir().unwrap();
    let mut db = None;
    for (path, bytes) in files {
        let name = path.file_name().unwrap();
        let copy = scratch.path().join(name);
        std::fs::write(&copy, bytes).unwrap();
        if !name.to_string_lossy().ends_with("-wal") && !name.to_string_lossy().ends_with("-shm") {
            db = Some(copy);
        }
    }
    hostile::dump(&db.unwrap())
}

fn run_command_bytes(mut command: std::process::Command, stdin: &[u8]) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let _ = child.stdin.take().unwrap().write_all(stdin);
    let output = child.wait_with_output().unwrap();
    Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Issue 16: the automatic revocation must come after the stale period; values that are numbers
/// but break that rule are refused like the hostile ones, and `off` (any case) is taken.
#[test]
fn stale_and_automatic_revocation_days_must_fit_together() {
    let (env, _) = setup();
    for args in [
        &["settings", "set", "--auto-revoke-unused-days", "90"][..],
        &["settings", "set", "--auto-revoke-unused-days", "60"],
        &["settings", "set", "--auto-revoke-unused-days", "1096"],
        &["settings", "set", "--stale-after-days", "6"],
        &["settings", "set", "--stale-after-days", "731"],
        &[
            "settings",
            "set",
            "--stale-after-days",
            "200",
            "--auto-revoke-unused-days",
            "150",
        ],
        &["settings", "set", "--auto-revoke-unused-days", "of"],
        &["settings", "set", "--auto-revoke-unused-days", "never"],
    ] {
        let before = env.store_files();
        let out = env.as_admin(args);
        assert!(matches!(out.code, 1 | 2), "{args:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{args:?}: {out:?}");
        assert!(env.store_files() == before, "{args:?}: the store changed");
    }
    env.as_admin(&["settings", "set", "--auto-revoke-unused-days", "91"])
        .ok();
    let out = env.as_admin(&["settings", "set", "--stale-after-days", "91"]);
    assert_eq!(
        out.code, 1,
        "the stale period may not reach the revocation: {out:?}"
    );
    env.as_admin(&["settings", "set", "--auto-revoke-unused-days", "OFF"])
        .ok();
    let shown = env.as_admin(&["--json", "settings", "show"]).ok().json();
    assert_eq!(shown["auto_revoke_unused_days"], serde_json::Value::Null);
}

/// Issue 16: where a token is used, at creation and later. The literal values are stored and
/// shown as given, the refused ones (and anything holding a token) refused with nothing changed,
/// an empty or blank note is no note.
#[test]
fn hostile_usage_notes_are_refused_or_stored_and_shown_literally() {
    let (env, _) = setup();
    let (secret, id) = env.create_token("bob", MEMBER_PASSWORD, &["--name", "noted"]);
    let mut texts = hostile::texts();
    texts.extend(hostile::token_like_notes(&secret));
    let mut tried = 0;
    for (n, (label, value, free_text)) in texts.into_iter().enumerate() {
        if value.contains('\0') {
            continue;
        }
        let name = format!("n{n}");
        let sends: [(&str, Vec<&OsStr>); 2] = [
            (
                "tokens create",
                vec![
                    os("tokens"),
                    os("create"),
                    os("--name"),
                    os(&name),
                    os("--usage-note"),
                    os(&value),
                ],
            ),
            (
                "tokens note",
                vec![os("tokens"), os("note"), os(&id), os(&value)],
            ),
        ];
        for (command, args) in sends {
            tried += 1;
            let case = format!("usage note = {label} ({command})");
            let before_files = env.store_files();
            let before = hostile::dump(&env.db);
            let out = as_bob(&env, &args);
            assert!(
                !out.stderr.contains(&secret[3..]),
                "{case}: echoed: {out:?}"
            );
            let listed = || {
                env.as_admin(&["--json", "tokens", "list", "--all"])
                    .ok()
                    .json()
            };
            let noted = |listed: &serde_json::Value| match command {
                "tokens note" => listed
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|t| t["id"] == id)
                    .cloned(),
                _ => listed
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|t| t["name"] == name)
                    .cloned(),
            };
            match hostile::usage_note_expect(&value, free_text) {
                None => {
                    assert_eq!(out.code, 0, "{case}: {out:?}");
                    let token = noted(&listed()).expect("the token");
                    assert_eq!(token["usage_note"], serde_json::Value::Null, "{case}");
                }
                Some(Expect::Refused(fragment)) => {
                    assert_refused(&env, &case, &before_files, &out, fragment)
                }
                Some(Expect::Literal) => {
                    assert_eq!(out.code, 0, "{case}: {out:?}");
                    let changed = hostile::changed_tables(&before, &hostile::dump(&env.db));
                    assert_eq!(changed, ["tokens"], "{case}: only its own row changed");
                    let token = noted(&listed()).expect("the token");
                    assert_eq!(token["usage_note"], value.trim(), "{case}");
                }
            }
        }
    }
    assert!(tried >= 48, "{tried} cases");
}

/// Issue 16: names that must be an existing group or service account (`--managed-by`,
/// `--hand-over-to`, `tokens hand-over --to`) are refused, clearly, with nothing changed; a
/// person's account is not a service account.
#[test]
fn a_managing_group_and_a_hand_over_recipient_must_exist_and_be_what_they_say() {
    let (env, root_token) = setup();
    env.add_member("carol");
    env.as_admin(&[
        "users",
        "add",
        "svc-ci",
        "--service",
        "--managed-by",
        OWNERS,
    ])
    .ok();
    env.as_admin(&[
        "users",
        "add",
        "svc-old",
        "--service",
        "--managed-by",
        OWNERS,
    ])
    .ok();
    env.as_admin(&["users", "deactivate", "svc-old"]).ok();
    let (_, bobs) = env.create_token("bob", MEMBER_PASSWORD, &["--name", "bob's"]);
    // A token is handed over on its own once its owner is deactivated.
    let (_, carols) = env.create_token("carol", MEMBER_PASSWORD, &["--name", "carol's"]);
    env.as_admin(&["users", "deactivate", "carol"]).ok();
    let refused = |args: &[&str], fragment: &str| {
        let args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        let before = env.store_files();
        let out = as_root(&env, &args);
        assert_refused(&env, &format!("{args:?}"), &before, &out, fragment);
    };
    for group in ["nogroup", "%", "' OR '1'='1", "owners2", "\u{202e}owners"] {
        refused(
            &[
                "users",
                "add",
                "svc-new",
                "--service",
                "--managed-by",
                group,
            ],
            "group",
        );
        refused(&["users", "set-managed-by", "svc-ci", group], "group");
    }
    refused(&["users", "set-managed-by", "carol", OWNERS], "person");
    for (to, fragment) in [
        ("carol", "person"),
        (ADMIN, "person"),
        ("bob", "person"),
        ("nobody", "nobody"),
        ("%", "account"),
        ("svc-old", "deactivated"),
    ] {
        refused(
            &["users", "deactivate", "bob", "--hand-over-to", to],
            fragment,
        );
        refused(&["tokens", "hand-over", &carols, "--to", to], fragment);
    }
    // An active person's token is handed over only as the person is deactivated.
    refused(
        &["tokens", "hand-over", &bobs, "--to", "svc-ci"],
        "still active",
    );
    // Ids of nothing are refused as tokens.
    for id in hostile::foreign_ids(&root_token) {
        if id == root_token {
            continue;
        }
        refused(&["tokens", "hand-over", &id, "--to", "svc-ci"], "token");
    }
    let listed = env.as_admin(&["--json", "users", "list"]).ok().json();
    let bob = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["username"] == "bob")
        .cloned();
    assert_eq!(bob.unwrap()["status"], "active");
}

/// Issue 16: `tokens note` names a token like revoke does: nothing, or another's, is refused.
#[test]
fn notes_on_ids_of_nothing_or_of_another_accounts_token_are_refused() {
    let (env, root_token) = setup();
    for id in hostile::foreign_ids(&root_token) {
        let case = format!("bob: tokens note {id:?}");
        let before = env.store_files();
        let out = as_bob(
            &env,
            &[os("tokens"), os("note"), os(&id), os("CI in acme/web")],
        );
        assert_refused(&env, &case, &before, &out, "token");
    }
}
