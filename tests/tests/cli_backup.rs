//! Issue 5 point 8 through the real CLI: `latchkey backup` while writers run, `latchkey restore`
//! on a machine with no key, every token answering as before; refusals change nothing.
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use latchkey_tests::*;

const PASSPHRASE: &str = "the passphrase in the safe";

fn backup(env: &Env, file: &std::path::Path, passphrase: &str) -> Output {
    env.run(
        &["--json", "backup", file.to_str().unwrap()],
        &[
            ("LATCHKEY_USER", ADMIN),
            ("LATCHKEY_PASSWORD", ADMIN_PASSWORD),
            ("LATCHKEY_BACKUP_PASSPHRASE", passphrase),
        ],
        None,
    )
}

fn restore(env: &Env, file: &std::path::Path, passphrase: &str) -> Output {
    env.run(
        &["--json", "restore", file.to_str().unwrap()],
        &[("LATCHKEY_BACKUP_PASSPHRASE", passphrase)],
        None,
    )
}

fn verdict(env: &Env, token: &str) -> (i32, String) {
    let out = env.verify(token, &["--json", "--system", "api"]);
    let reason = out.json()["reason"].as_str().unwrap_or("valid").to_string();
    (out.code, reason)
}

#[test]
fn a_backup_taken_while_writers_run_restores_elsewhere_with_every_token_answering_as_before() {
    let env = Env::initialised();
    env.as_admin(&["systems", "onboard", "api"]).ok();
    env.add_member("bob");
    let mut known = Vec::new();
    for name in ["valid", "revoked"] {
        known.push(env.create_token(ADMIN, ADMIN_PASSWORD, &["--name", name]));
    }
    env.as_admin(&["tokens", "revoke", &known[1].1]).ok();
    known.push(env.create_token("bob", MEMBER_PASSWORD, &["--name", "no access"]));
    let before: Vec<_> = known.iter().map(|(t, _)| verdict(&env, t)).collect();
    assert_eq!(
        before.iter().map(|(_, r)| r.as_str()).collect::<Vec<_>>(),
        ["valid", "revoked", "no_access"]
    );

    // Two writers keep creating tokens while the backup is taken.
    let env = Arc::new(env);
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..2)
        .map(|n| {
            let (env, stop) = (Arc::clone(&env), Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut ids = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let name = format!("writer {n} #{}", ids.len());
                    ids.push(
                        env.create_token(ADMIN, ADMIN_PASSWORD, &["--name", &name])
                            .1,
                    );
                }
                ids
            })
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let file = env.dir.path().join("acme.lkbackup");
    let made = backup(&env, &file, PASSPHRASE).ok().json();
    stop.store(true, Ordering::Relaxed);
    let written: Vec<String> = writers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    assert!(!written.is_empty(), "the writers wrote during the backup");
    assert_eq!(made["organisation"], "Acme");

    // Another machine: no store, no key.
    let elsewhere = Env::new();
    assert!(!elsewhere.key.exists());
    let restored = restore(&elsewhere, &file, PASSPHRASE).ok().json();
    assert_eq!(restored["tokens"], made["tokens"]);
    assert!(elsewhere.key.exists(), "the key came back from the backup");
    let doctor = elsewhere.run(&["--json", "doctor"], &[], None).ok().json();
    assert_eq!(doctor["integrity"], "ok");
    assert_eq!(doctor["key"], "ok");
    for ((token, _), expected) in known.iter().zip(&before) {
        assert_eq!(&verdict(&elsewhere, token), expected);
    }
    // A consistent snapshot: as many tokens as it reported, each one a token the writers made.
    let listed = elsewhere
        .as_admin(&["--json", "tokens", "list", "--all"])
        .ok()
        .json();
    let ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len() as u64, made["tokens"].as_u64().unwrap());
    for id in ids {
        assert!(
            known.iter().any(|(_, k)| k == id) || written.iter().any(|w| w == id),
            "{id} was never made"
        );
    }
}

#[test]
fn a_wrong_passphrase_a_changed_file_or_an_existing_store_is_refused_and_nothing_is_written() {
    let env = Env::initialised();
    let (token, _) = env.create_token(ADMIN, ADMIN_PASSWORD, &[]);
    let file = env.dir.path().join("acme.lkbackup");
    backup(&env, &file, PASSPHRASE).ok();

    let elsewhere = Env::new();
    let wrong = restore(&elsewhere, &file, "not the passphrase in the safe");
    assert_eq!(wrong.code, 1, "{wrong:?}");
    assert!(
        wrong.one_line_error().contains("wrong passphrase"),
        "{wrong:?}"
    );

    let mut bytes = std::fs::read(&file).unwrap();
    let at = bytes.len() / 3;
    bytes[at] ^= 0x01;
    let changed = env.dir.path().join("changed.lkbackup");
    std::fs::write(&changed, bytes).unwrap();
    let tampered = restore(&elsewhere, &changed, PASSPHRASE);
    assert_eq!(tampered.code, 1, "{tampered:?}");
    assert!(
        tampered.one_line_error().contains("damaged or was changed"),
        "{tampered:?}"
    );
    assert!(!elsewhere.db.exists() && !elsewhere.key.exists());

    // The original machine's store is never overwritten.
    let before = env.store_files();
    let over = restore(&env, &file, PASSPHRASE);
    assert_eq!(over.code, 1, "{over:?}");
    assert!(
        over.one_line_error().contains("never overwrites"),
        "{over:?}"
    );
    assert_eq!(env.store_files(), before);
    env.verify(&token, &[]).ok();
}

#[test]
fn backups_need_an_administrator_and_a_strong_passphrase_and_never_replace_a_file() {
    let env = Env::initialised();
    env.add_member("bob");
    let file = env.dir.path().join("acme.lkbackup");
    let member = env.run(
        &["backup", file.to_str().unwrap()],
        &[
            ("LATCHKEY_USER", "bob"),
            ("LATCHKEY_PASSWORD", MEMBER_PASSWORD),
            ("LATCHKEY_BACKUP_PASSPHRASE", PASSPHRASE),
        ],
        None,
    );
    assert_eq!(member.code, 1, "{member:?}");
    assert!(
        member.one_line_error().contains("administrator"),
        "{member:?}"
    );
    let weak = backup(&env, &file, "short");
    assert_eq!(weak.code, 1);
    assert!(
        weak.one_line_error().contains("backup passphrase"),
        "{weak:?}"
    );
    assert!(!file.exists());

    std::fs::write(&file, "keep me").unwrap();
    let exists = backup(&env, &file, PASSPHRASE);
    assert_eq!(exists.code, 1);
    assert!(
        exists.one_line_error().contains("already exists"),
        "{exists:?}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me");

    // No passphrase and no terminal: a usage error, not a prompt that hangs.
    let none = env.run(
        &["backup", env.dir.path().join("b").to_str().unwrap()],
        &[
            ("LATCHKEY_USER", ADMIN),
            ("LATCHKEY_PASSWORD", ADMIN_PASSWORD),
        ],
        None,
    );
    assert_eq!(none.code, 2, "{none:?}");
    assert!(
        none.one_line_error().contains("LATCHKEY_BACKUP_PASSPHRASE"),
        "{none:?}"
    );
}

#[test]
fn the_password_and_the_passphrase_can_both_come_on_standard_input() {
    let env = Env::initialised();
    let file = env.dir.path().join("acme.lkbackup");
    env.run(
        &[
            "--password-stdin",
            "backup",
            "--passphrase-stdin",
            file.to_str().unwrap(),
        ],
        &[("LATCHKEY_USER", ADMIN)],
        Some(&format!("{ADMIN_PASSWORD}\n{PASSPHRASE}\n")),
    )
    .ok();
    let elsewhere = Env::new();
    elsewhere
        .run(
            &["restore", "--passphrase-stdin", file.to_str().unwrap()],
            &[],
            Some(&format!("{PASSPHRASE}\n")),
        )
        .ok();
    elsewhere.as_admin(&["tokens", "list"]).ok();
}
