//! Promises that must hold under pressure, through the real CLI: a clock reset revives nothing,
//! a token's secret only reaches its owner, rotation respects a lowered maximum lifetime, key
//! files others could read or replace are refused, the data folder is private, and the process
//! cannot dump core. Time moves through the debug-only LATCHKEY_TEST_CLOCK_SHIFT.
use std::os::unix::fs::PermissionsExt;

use latchkey_tests::*;

const DAY: i64 = 86_400;
/// A hundred days ahead: the clock ran wild.
const SKEW: i64 = 100 * DAY;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn shifted(env: &Env, shift: i64, user: &str, password: &str, args: &[&str]) -> Output {
    let shift = shift.to_string();
    env.run(
        args,
        &[
            ("LATCHKEY_USER", user),
            ("LATCHKEY_PASSWORD", password),
            ("LATCHKEY_TEST_CLOCK_SHIFT", &shift),
        ],
        None,
    )
}

fn token_json(env: &Env, id: &str) -> serde_json::Value {
    let list = env
        .as_admin(&["--json", "tokens", "list", "--all"])
        .ok()
        .json();
    list.as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("{id} is not listed: {list}"))
}

fn rfc3339_to_unix(text: &str) -> i64 {
    latchkey_core::clock::parse_time(text).unwrap_or_else(|| panic!("not a time: {text}"))
}

#[test]
fn a_clock_reset_revives_no_revocation_expiry_or_lock_out_made_during_the_skew() {
    let env = Env::initialised();
    env.add_member("bob");
    let (revoked, revoked_id) = env.create_token(ADMIN, ADMIN_PASSWORD, &["--name", "leaked"]);
    let (short, _) = env.create_token(
        ADMIN,
        ADMIN_PASSWORD,
        &["--name", "short", "--expires-in-days", "30"],
    );
    // The clock jumps two years ahead; meanwhile a token is revoked, one is created, one
    // expires, and bob locks himself out.
    shifted(
        &env,
        SKEW,
        ADMIN,
        ADMIN_PASSWORD,
        &["tokens", "revoke", &revoked_id],
    )
    .ok();
    let created = shifted(
        &env,
        SKEW,
        ADMIN,
        ADMIN_PASSWORD,
        &["--json", "tokens", "create", "--name", "made in the future"],
    )
    .ok()
    .json();
    let created_id = created["id"].as_str().unwrap().to_string();
    // 14 failures: the longest timed lock, 15 minutes.
    // Each attempt 1000 s after the last, so none meets a lock.
    for attempt in 1..=14 {
        let at = SKEW + attempt * 1000;
        let out = shifted(
            &env,
            at,
            "bob",
            "not bob's password at all",
            &["tokens", "list"],
        );
        assert_eq!(out.code, 1, "{out:?}");
    }
    // The clock is fixed: the store warns, then an administrator resets the watermark.
    let warned = env.as_admin(&["tokens", "list"]).ok();
    assert!(warned.stderr.contains("behind"), "{warned:?}");
    let reset = env.as_admin(&["clock", "reset"]).ok();
    assert!(reset.stderr.contains("moved back to now"), "{reset:?}");
    let reset_at = now();

    let out = env.verify(&revoked, &[]);
    assert_eq!(out.code, 1, "the revoked token came back: {out:?}");
    assert!(
        out.stderr.contains("revoked") || out.stdout.contains("revoked"),
        "{out:?}"
    );
    let out = env.verify(&short, &[]);
    assert_eq!(out.code, 1, "the expired token came back: {out:?}");
    assert!(
        out.stderr.contains("expired") || out.stdout.contains("expired"),
        "{out:?}"
    );
    let future = token_json(&env, &created_id);
    let expires = rfc3339_to_unix(future["expires_at"].as_str().unwrap());
    assert!(
        expires <= reset_at + 365 * DAY + 5,
        "a token made during the skew lives past the maximum counted from the reset: {future}"
    );
    assert!(expires >= reset_at + 365 * DAY - 600, "{future}");
    // Bob's lock-out still holds (counted from the reset, at most 15 minutes).
    let out = env.as_user("bob", MEMBER_PASSWORD, &["tokens", "list"]);
    assert_eq!(out.code, 1, "bob's lock-out was undone: {out:?}");
    assert!(out.one_line_error().contains("try again in"), "{out:?}");
    let out = shifted(&env, 16 * 60, "bob", MEMBER_PASSWORD, &["tokens", "list"]);
    assert_eq!(
        out.code, 0,
        "the lock outlasts 15 minutes after the reset: {out:?}"
    );
}

#[test]
fn an_administrator_cannot_rotate_someone_elses_token_and_gets_no_secret() {
    let env = Env::initialised();
    env.add_member("bob");
    let (bob_token, bob_id) = env.create_token("bob", MEMBER_PASSWORD, &["--name", "bob's"]);
    let before = env.store_files();
    let out = env.as_admin(&["tokens", "rotate", &bob_id]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.is_empty(), "a secret was printed: {out:?}");
    assert!(out.one_line_error().contains("only bob"), "{out:?}");
    let out = env.as_admin(&["tokens", "rotate", &bob_id, "--until-first-use"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(before.len(), env.store_files().len());
    env.verify(&bob_token, &[]).ok();
    assert_eq!(
        env.as_admin(&["--json", "tokens", "list", "--all"])
            .ok()
            .json()
            .as_array()
            .unwrap()
            .len(),
        1,
        "no successor was made"
    );
    // The administrator can still revoke it, and bob can rotate his own.
    let (_, other_id) = env.create_token("bob", MEMBER_PASSWORD, &["--name", "second"]);
    env.as_user("bob", MEMBER_PASSWORD, &["tokens", "rotate", &bob_id])
        .ok();
    env.as_admin(&["tokens", "revoke", &other_id]).ok();
}

#[test]
fn a_rotated_successor_is_capped_by_the_maximum_lifetime_in_force() {
    let env = Env::initialised();
    let (_, id) = env.create_token(ADMIN, ADMIN_PASSWORD, &["--name", "year"]);
    env.as_admin(&["settings", "set", "--max-lifetime-days", "30"])
        .ok();
    let rotated = env
        .as_admin(&["--json", "tokens", "rotate", &id])
        .ok()
        .json();
    let expires = rfc3339_to_unix(rotated["expires_at"].as_str().unwrap());
    let lifetime = expires - now();
    assert!(
        (30 * DAY - 600..=30 * DAY + 5).contains(&lifetime),
        "the successor lives {lifetime} s: {rotated}"
    );
}

#[test]
fn key_files_that_others_could_read_or_replace_are_refused() {
    let env = Env::initialised();
    let ok = env.as_admin(&["tokens", "list"]);
    assert_eq!(ok.code, 0, "{ok:?}");

    // Through a symlink.
    let link = env.dir.path().join("key-link");
    std::os::unix::fs::symlink(&env.key, &link).unwrap();
    let out = env.run(
        &["tokens", "list"],
        &[
            ("LATCHKEY_KEY_FILE", link.to_str().unwrap()),
            ("LATCHKEY_USER", ADMIN),
            ("LATCHKEY_PASSWORD", ADMIN_PASSWORD),
        ],
        None,
    );
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.one_line_error().contains("symbolic link"), "{out:?}");

    // In a folder others can write (not sticky).
    let open = env.dir.path().join("open");
    std::fs::create_dir(&open).unwrap();
    let moved = open.join("key");
    std::fs::copy(&env.key, &moved).unwrap();
    std::fs::set_permissions(&moved, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
    let as_admin_with_key = |key: &std::path::Path| {
        env.run(
            &["tokens", "list"],
            &[
                ("LATCHKEY_KEY_FILE", key.to_str().unwrap()),
                ("LATCHKEY_USER", ADMIN),
                ("LATCHKEY_PASSWORD", ADMIN_PASSWORD),
            ],
            None,
        )
    };
    let out = as_admin_with_key(&moved);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.one_line_error().contains("others can write"), "{out:?}");
    // The same folder made sticky (like /tmp) is accepted: others cannot replace the file.
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o1777)).unwrap();
    assert_eq!(as_admin_with_key(&moved).code, 0);

    // Readable by the group.
    std::fs::set_permissions(&env.key, std::fs::Permissions::from_mode(0o640)).unwrap();
    let out = env.as_admin(&["tokens", "list"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.one_line_error().contains("chmod 600"), "{out:?}");
    std::fs::set_permissions(&env.key, std::fs::Permissions::from_mode(0o600)).unwrap();

    // Owned by someone else (the tests run as root in CI; elsewhere chown is not allowed).
    let probe = env.dir.path().join("probe");
    std::fs::write(&probe, "").unwrap();
    if std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(&probe).unwrap()) == 0 {
        let foreign = env.dir.path().join("foreign-key");
        std::fs::copy(&env.key, &foreign).unwrap();
        std::fs::set_permissions(&foreign, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::os::unix::fs::chown(&foreign, Some(65534), Some(65534)).unwrap();
        let out = as_admin_with_key(&foreign);
        assert_eq!(out.code, 2, "{out:?}");
        assert!(out.one_line_error().contains("another user"), "{out:?}");
    }
}

#[test]
fn init_never_reuses_an_existing_key_file() {
    let first = Env::initialised();
    let second = Env::new();
    std::fs::copy(&first.key, &second.key).unwrap();
    let before = std::fs::read(&second.key).unwrap();
    let out = second.init();
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.one_line_error().contains("already exists"), "{out:?}");
    assert!(!second.db.exists(), "a store was made");
    assert_eq!(
        std::fs::read(&second.key).unwrap(),
        before,
        "the key file changed"
    );
}

#[test]
fn the_data_folder_is_private_even_when_something_else_made_it_first() {
    let env = Env::new();
    let folder = env.dir.path().join("home/data/org.latchkey.desktop");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut command = env.command();
    command.env_remove("LATCHKEY_DB");
    command.args(["init", "--org", "Acme", "--admin", ADMIN]);
    command.env("LATCHKEY_PASSWORD", ADMIN_PASSWORD);
    let out = run_command(command, None);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(folder.join("latchkey.db").exists(), "{out:?}");
    let mode = std::fs::metadata(&folder).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "the data folder is {mode:o}");
    let store = std::fs::metadata(folder.join("latchkey.db"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(store & 0o777, 0o600);
}

#[test]
fn the_cli_cannot_dump_core() {
    let env = Env::initialised();
    let mut command = env.command();
    command.arg("verify");
    command.stdin(std::process::Stdio::piped());
    command.stdout(std::process::Stdio::piped());
    command.stderr(std::process::Stdio::piped());
    let mut child = command.spawn().unwrap();
    // `verify` waits for the token on standard input: meanwhile its limits are readable.
    let limits_path = format!("/proc/{}/limits", child.id());
    let mut limits = String::new();
    for _ in 0..200 {
        limits = std::fs::read_to_string(&limits_path).unwrap_or_default();
        let core = limits.lines().find(|l| l.starts_with("Max core file size"));
        // The soft limit is often 0 already; the hard limit shows the program set it.
        if core.is_some_and(|l| l.split_whitespace().nth(5) == Some("0")) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    drop(child.stdin.take());
    child.wait().unwrap();
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap_or_else(|| panic!("no core limit in {limits}"));
    let fields: Vec<&str> = core.split_whitespace().collect();
    assert_eq!((fields[4], fields[5]), ("0", "0"), "{core}");
}

#[test]
fn a_restore_after_a_clock_reset_does_not_bring_back_what_the_reset_kept_expired() {
    let env = Env::initialised();
    let (token, _) = env.create_token(
        ADMIN,
        ADMIN_PASSWORD,
        &["--name", "one day", "--expires-in-days", "1"],
    );
    let file = env.dir.path().join("before.lkbackup");
    let passphrase = [("LATCHKEY_BACKUP_PASSPHRASE", "the passphrase in the safe")];
    let as_admin_with = |args: &[&str]| {
        env.run(
            args,
            &[
                ("LATCHKEY_USER", ADMIN),
                ("LATCHKEY_PASSWORD", ADMIN_PASSWORD),
                passphrase[0],
            ],
            None,
        )
    };
    as_admin_with(&["backup", file.to_str().unwrap()]).ok();
    // The clock runs two days ahead: the token expires; the clock is fixed and reset.
    let out = env.run(
        &["verify"],
        &[("LATCHKEY_TEST_CLOCK_SHIFT", &(2 * DAY).to_string())],
        Some(&token),
    );
    assert_eq!(out.code, 1, "{out:?}");
    env.as_admin(&["clock", "reset"]).ok();
    assert_eq!(env.verify(&token, &[]).code, 1);
    let restored = as_admin_with(&["restore", "--replace", file.to_str().unwrap()]).ok();
    assert!(restored.stderr.contains("earlier expir"), "{restored:?}");
    let out = env.verify(&token, &["--json"]);
    assert_eq!(out.code, 1, "the restore revived an expired token: {out:?}");
    assert_eq!(out.json()["reason"], "expired");
}
