//! Issue 5 point 8 through the real CLI: `latchkey backup` while writers run, `latchkey restore`
//! on a machine with no key, every token answering as before; refusals change nothing.
//! `latchkey restore --replace` carries forward what narrowed access since the backup.
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
        over.one_line_error().contains("never overwrites")
            && over.one_line_error().contains("--replace"),
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

const NEW_PASSWORD: &str = "carol's new password from root";

fn restore_replacing(env: &Env, file: &std::path::Path, passphrase: &str) -> Output {
    env.run(
        &["restore", "--replace", file.to_str().unwrap()],
        &[
            ("LATCHKEY_USER", ADMIN),
            ("LATCHKEY_PASSWORD", ADMIN_PASSWORD),
            ("LATCHKEY_BACKUP_PASSPHRASE", passphrase),
        ],
        None,
    )
}

fn reason_for(env: &Env, token: &str, system: &str) -> String {
    let out = env.verify(token, &["--json", "--system", system]);
    out.json()["reason"].as_str().unwrap_or("valid").to_string()
}

/// Files beside the store whose names start with `prefix`.
fn beside(env: &Env, prefix: &str) -> Vec<String> {
    std::fs::read_dir(env.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(prefix))
        .collect()
}

#[test]
fn restore_replace_never_undoes_a_revocation_a_deactivation_a_password_reset_or_a_removed_grant() {
    let env = Env::initialised();
    for slug in ["web-api", "db"] {
        env.as_admin(&["systems", "onboard", slug]).ok();
    }
    for name in ["bob", "carol", "dave"] {
        env.add_member(name);
    }
    env.as_admin(&["grant", "dave", "web-api"]).ok();
    env.as_admin(&["groups", "add", "ops"]).ok();
    env.as_admin(&["groups", "grant", "ops", "db"]).ok();
    env.as_admin(&["groups", "join", "ops", "dave"]).ok();
    let (leaked, leaked_id) = env.create_token(ADMIN, ADMIN_PASSWORD, &["--name", "leaked"]);
    let (bobs, _) = env.create_token("bob", MEMBER_PASSWORD, &["--name", "bob's"]);
    let (daves, _) = env.create_token("dave", MEMBER_PASSWORD, &["--name", "dave's"]);
    assert_eq!(reason_for(&env, &daves, "web-api"), "valid");
    assert_eq!(reason_for(&env, &daves, "db"), "valid");
    let file = env.dir.path().join("acme.lkbackup");
    backup(&env, &file, PASSPHRASE).ok();

    // After the backup: the leaked token is revoked, bob deactivated, carol's password reset,
    // dave's grant and group membership taken away.
    env.as_admin(&["tokens", "revoke", &leaked_id]).ok();
    env.as_admin(&["users", "deactivate", "bob"]).ok();
    env.run(
        &["users", "reset-password", "carol"],
        &[
            ("LATCHKEY_USER", ADMIN),
            ("LATCHKEY_PASSWORD", ADMIN_PASSWORD),
            ("LATCHKEY_NEW_PASSWORD", NEW_PASSWORD),
        ],
        None,
    )
    .ok();
    env.as_admin(&["ungrant", "dave", "web-api"]).ok();
    env.as_admin(&["groups", "leave", "ops", "dave"]).ok();
    let (later, _) = env.create_token(ADMIN, ADMIN_PASSWORD, &["--name", "later"]);

    let restored = restore_replacing(&env, &file, PASSPHRASE).ok();
    for part in [
        "Restored Acme",
        &format!("1 revocation ({leaked_id})"),
        "1 deactivation (bob)",
        "1 password change (carol)",
        "1 removed grant (dave → web-api)",
        "1 removed group membership (dave in ops)",
        "the replaced store is kept as",
    ] {
        assert!(restored.stderr.contains(part), "{part}: {restored:?}");
    }
    assert_eq!(reason_for(&env, &leaked, "web-api"), "revoked");
    assert_eq!(reason_for(&env, &bobs, "web-api"), "owner_deactivated");
    assert_eq!(reason_for(&env, &daves, "web-api"), "no_access");
    assert_eq!(reason_for(&env, &daves, "db"), "no_access");
    assert_eq!(reason_for(&env, &later, "web-api"), "unknown");
    let old = env.as_user("carol", MEMBER_PASSWORD, &["tokens", "list"]);
    assert_eq!(old.code, 1, "{old:?}");
    env.as_user("carol", NEW_PASSWORD, &["tokens", "list"]).ok();
    let aside = beside(&env, "store.db.before-restore-");
    assert_eq!(
        aside.len(),
        1,
        "the replaced store is kept beside it: {aside:?}"
    );
    assert!(restored.stderr.contains(&aside[0]), "{restored:?}");
    assert!(beside(&env, "store.db.restoring").is_empty());
    let doctor = env.run(&["--json", "doctor"], &[], None).ok().json();
    assert_eq!(doctor["integrity"], "ok");

    // The log of the restored store says who restored and what was carried forward.
    let events = env
        .as_admin(&["--json", "audit", "--action", "store.restored"])
        .ok()
        .json();
    let event = events.as_array().unwrap().last().unwrap().clone();
    assert_eq!(event["actor"], ADMIN);
    assert!(
        event["details"].as_str().unwrap().contains(&leaked_id),
        "{event}"
    );
}

#[test]
fn restore_replace_refuses_a_backup_of_another_installation_and_changes_nothing() {
    let other = Env::initialised();
    let file = other.dir.path().join("other.lkbackup");
    backup(&other, &file, PASSPHRASE).ok();

    let env = Env::initialised();
    let (token, _) = env.create_token(ADMIN, ADMIN_PASSWORD, &[]);
    let state = |env: &Env| {
        ["audit", "tokens list --all", "users list"].map(|command| {
            let mut args = vec!["--json"];
            args.extend(command.split(' '));
            env.as_admin(&args).ok().stdout
        })
    };
    let before = state(&env);
    let refused = restore_replacing(&env, &file, PASSPHRASE);
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(
        refused.one_line_error().contains("another installation"),
        "{refused:?}"
    );
    assert_eq!(state(&env), before, "the store is as it was");
    assert!(beside(&env, "store.db.").is_empty());
    env.verify(&token, &[]).ok();

    // And only an administrator of the current store may replace it.
    env.add_member("bob");
    let own = env.dir.path().join("own.lkbackup");
    backup(&env, &own, PASSPHRASE).ok();
    let member = env.run(
        &["restore", "--replace", own.to_str().unwrap()],
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
    assert!(beside(&env, "store.db.").is_empty());
}

#[test]
fn a_restore_where_no_store_exists_says_the_backup_time_and_lists_the_tokens_active_again() {
    let env = Env::initialised();
    env.add_member("bob");
    let (_, kept) = env.create_token("bob", MEMBER_PASSWORD, &["--name", "bob's ci"]);
    let (_, revoked) = env.create_token(ADMIN, ADMIN_PASSWORD, &["--name", "revoked"]);
    env.as_admin(&["tokens", "revoke", &revoked]).ok();
    let file = env.dir.path().join("acme.lkbackup");
    backup(&env, &file, PASSPHRASE).ok();
    let events = env
        .as_admin(&["--json", "audit", "--action", "store.backed_up"])
        .ok()
        .json();
    let backed_up_at = events[0]["time"].as_str().unwrap().to_string();
    let listed = env
        .as_admin(&["--json", "tokens", "list", "--all"])
        .ok()
        .json();
    let hint = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == kept.as_str())
        .unwrap()["hint"]
        .as_str()
        .unwrap()
        .to_string();

    let elsewhere = Env::new();
    let out = elsewhere
        .run(
            &["restore", file.to_str().unwrap()],
            &[("LATCHKEY_BACKUP_PASSPHRASE", PASSPHRASE)],
            None,
        )
        .ok();
    assert!(out.stderr.contains(&backed_up_at), "{out:?}");
    assert!(out.stderr.contains("warning"), "{out:?}");
    assert!(out.stderr.contains("active again"), "{out:?}");
    let line = out
        .stderr
        .lines()
        .find(|l| l.contains(&kept))
        .unwrap_or_else(|| panic!("{out:?}"));
    for part in ["\"bob's ci\"", "bob", &hint] {
        assert!(line.contains(part), "{part} in {line}");
    }
    assert!(!out.stderr.contains(&revoked), "{out:?}");

    // The same in --json.
    let again = Env::new();
    let json = restore(&again, &file, PASSPHRASE).ok().json();
    assert_eq!(json["backed_up_at"], backed_up_at.as_str());
    assert_eq!(json["active_at_backup"][0]["id"], kept.as_str());
    assert_eq!(json["active_at_backup"][0]["owner"], "bob");
    assert_eq!(json["active_at_backup"].as_array().unwrap().len(), 1);
}

/// The review's reproduction: revocations answered with success while `restore --replace` runs
/// must all hold in the restored store; one that ran into the replaced store is refused with an
/// error saying so (exit 2), never acknowledged and lost.
#[test]
fn every_revocation_acknowledged_during_a_restore_replace_holds_in_the_restored_store() {
    let env = Env::initialised();
    env.add_member("bob");
    let tokens: Vec<(String, String)> = {
        let (mut authority, bob) = open_store_as(&env.db, &env.key, "bob", MEMBER_PASSWORD);
        (0..40)
            .map(|n| {
                let request = latchkey_core::NewToken {
                    name: format!("bob's #{n}"),
                    ..latchkey_core::NewToken::default()
                };
                let issued = authority.create_token(bob, &request).unwrap();
                (issued.secret.expose().to_string(), issued.token.id)
            })
            .collect()
    };
    let file = env.dir.path().join("acme.lkbackup");
    backup(&env, &file, PASSPHRASE).ok();

    let start = |args: &[&str], vars: &[(&str, &str)]| {
        let mut command = env.command();
        command.args(args).stdin(std::process::Stdio::null());
        command
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        for (name, value) in vars {
            command.env(name, value);
        }
        command.spawn().expect("start latchkey")
    };
    let bob = [
        ("LATCHKEY_USER", "bob"),
        ("LATCHKEY_PASSWORD", MEMBER_PASSWORD),
    ];
    let mut revokes = Vec::new();
    let mut restoring = None;
    for (n, (_, id)) in tokens.iter().enumerate() {
        if n == 10 {
            restoring = Some(start(
                &["restore", "--replace", file.to_str().unwrap()],
                &[
                    ("LATCHKEY_USER", ADMIN),
                    ("LATCHKEY_PASSWORD", ADMIN_PASSWORD),
                    ("LATCHKEY_BACKUP_PASSPHRASE", PASSPHRASE),
                ],
            ));
        }
        revokes.push((n, start(&["tokens", "revoke", id], &bob)));
        std::thread::sleep(std::time::Duration::from_millis(15));
    }
    let restored = restoring.unwrap().wait_with_output().unwrap();
    assert!(
        restored.status.success(),
        "{}",
        String::from_utf8_lossy(&restored.stderr)
    );
    let (mut acknowledged, mut refused) = (Vec::new(), 0);
    for (n, child) in revokes {
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        match out.status.code() {
            Some(0) => acknowledged.push(n),
            Some(2) if stderr.contains("replaced by a restore") => refused += 1,
            // Started in the instant the store files were being moved: no store to open.
            Some(2) if stderr.contains("no Latchkey store") => refused += 1,
            code => panic!("revoke #{n} exited {code:?}: {stderr}"),
        }
    }
    for n in &acknowledged {
        assert_eq!(
            verdict(&env, &tokens[*n].0).1,
            "revoked",
            "revoke #{n} of {} answered success but its token works in the restored store \
             ({refused} refused)",
            tokens[*n].1
        );
    }
    eprintln!(
        "{} revocations acknowledged, {refused} refused as the store was replaced",
        acknowledged.len()
    );
}
