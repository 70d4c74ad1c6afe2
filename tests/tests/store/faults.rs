//! Issue 5 point 6 (SPEC §7.4): a full disk, a read-only store and a damaged file each give a
//! clear one-line error, lose nothing, and — once the fault is gone — work goes on. The disk is a
//! small tmpfs the test mounts (root: scripts/test and CI run as root). Missing and wrong keys
//! are in cli/bad_input.rs and store/os_credential_store.rs.
use latchkey_tests::tmpfs::Tmpfs;
use latchkey_tests::*;

/// An env whose store and key live on `disk`.
fn on(disk: &Tmpfs, env: &mut Env) {
    env.db = disk.path().join("store.db");
    env.key = disk.path().join("key");
}

fn valid(env: &Env, token: &str) -> bool {
    let out = env.verify(token, &["--json"]);
    out.code == 0 && out.json()["valid"] == true
}

#[test]
#[ignore = "mounts a tmpfs, which needs root or sudo; scripts/test runs it"]
fn a_full_disk_refuses_clearly_keeps_every_acknowledged_token_and_work_resumes_once_freed() {
    let mut env = Env::new();
    let disk = Tmpfs::mount(env.dir.path(), "disk", 4096);
    on(&disk, &mut env);
    env.init().ok();
    let (first, _) = env.create_token(ADMIN, ADMIN_PASSWORD, &["--name", "before"]);
    let filler = disk.fill_leaving(160);

    // Create until the disk is full: each success was acknowledged, the failure is clear.
    let mut made = Vec::new();
    let refusal = loop {
        let name = format!("t{}", made.len());
        let out = env.as_admin(&["--json", "tokens", "create", "--name", &name]);
        if out.code != 0 {
            break out;
        }
        made.push(out.json()["token"].as_str().unwrap().to_string());
        assert!(made.len() < 1000, "the disk never filled");
    };
    assert_eq!(refusal.code, 2, "{refusal:?}");
    assert!(
        refusal
            .one_line_error()
            .contains("disk holding the store is full"),
        "{refusal:?}"
    );
    assert!(
        refusal.stdout.is_empty(),
        "no token is shown for a create that failed"
    );
    // Still full: reads and verification answer.
    assert!(valid(&env, &first));
    env.as_admin(&["tokens", "list"]).ok();

    std::fs::remove_file(filler).unwrap();
    let doctor = env.run(&["--json", "doctor"], &[], None).ok().json();
    assert_eq!(doctor["integrity"], "ok");
    assert_eq!(doctor["foreign_key_problems"], 0);
    for token in made.iter().chain([&first]) {
        assert!(valid(&env, token), "an acknowledged token was lost");
    }
    let listed = env.as_admin(&["--json", "tokens", "list"]).ok().json();
    assert_eq!(
        listed.as_array().unwrap().len(),
        made.len() + 1,
        "the failed create left no token"
    );
    let (after, _) = env.create_token(ADMIN, ADMIN_PASSWORD, &["--name", "after"]);
    assert!(valid(&env, &after));
    eprintln!(
        "full disk: {} tokens made before the disk was full",
        made.len()
    );
}

#[test]
#[ignore = "mounts a tmpfs, which needs root or sudo; scripts/test runs it"]
fn a_read_only_store_answers_reads_and_verifications_and_refuses_writes_clearly() {
    let mut env = Env::new();
    let disk = Tmpfs::mount(env.dir.path(), "disk", 4096);
    on(&disk, &mut env);
    env.init().ok();
    let (token, token_id) = env.create_token(ADMIN, ADMIN_PASSWORD, &["--name", "kept"]);
    let (revoked, revoked_id) = env.create_token(ADMIN, ADMIN_PASSWORD, &["--name", "gone"]);
    env.as_admin(&["tokens", "revoke", &revoked_id]).ok();

    disk.set_read_only(true);
    let before = env.store_files();
    let listed = env.as_admin(&["--json", "tokens", "list"]).ok().json();
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert!(valid(&env, &token));
    let denied = env.verify(&revoked, &["--json"]);
    assert_eq!(
        (denied.code, denied.json()["reason"].as_str()),
        (1, Some("revoked"))
    );
    for args in [
        vec!["tokens", "create", "--name", "new"],
        vec!["tokens", "revoke", &token_id],
        vec!["systems", "onboard", "web"],
    ] {
        let out = env.as_admin(&args);
        assert_eq!(out.code, 2, "{args:?}: {out:?}");
        assert!(
            out.one_line_error().contains("read-only"),
            "{args:?}: {out:?}"
        );
        assert!(out.stdout.is_empty());
    }
    assert!(env.store_files() == before, "a read-only store was changed");

    assert!(valid(&env, &token), "the refused revoke did not happen");

    disk.set_read_only(false);
    env.create_token(ADMIN, ADMIN_PASSWORD, &["--name", "writable again"]);
}

#[test]
fn a_store_with_damaged_pages_is_a_clear_error_naming_doctor_never_a_panic() {
    let env = Env::initialised();
    for i in 0..40 {
        env.create_token(ADMIN, ADMIN_PASSWORD, &["--name", &format!("t{i}")]);
    }
    let mut bytes = std::fs::read(&env.db).unwrap();
    assert!(bytes.len() > 6 * 4096);
    // Pages 2 to 4 (the schema's first tables) become noise; the header stays intact.
    for (i, byte) in bytes[4096..4 * 4096].iter_mut().enumerate() {
        *byte = (i as u8).wrapping_mul(151) ^ 0x5A;
    }
    std::fs::write(&env.db, &bytes).unwrap();

    for args in [
        vec!["tokens", "list"],
        vec!["tokens", "create", "--name", "x"],
        vec!["audit"],
    ] {
        let out = env.as_admin(&args);
        assert_eq!(out.code, 2, "{args:?}: {out:?}");
        assert!(
            out.one_line_error().contains("latchkey doctor"),
            "{args:?}: {out:?}"
        );
        assert!(!out.stderr.contains("panicked"), "{out:?}");
    }
    let doctor = env.run(&["doctor"], &[], None);
    assert_eq!(doctor.code, 2, "{doctor:?}");
    assert!(!doctor.stdout.contains("integrity: ok"), "{doctor:?}");
    assert!(!doctor.stderr.contains("panicked"), "{doctor:?}");
    assert_eq!(
        std::fs::read(&env.db).unwrap(),
        bytes,
        "nothing tried to write over it"
    );
}
