//! Issue 5 point 8 in core: a sealed backup restores to a store where every token answers as
//! before; wrong passphrases, tampered files and existing stores are refused without writing.
mod common;

use std::path::Path;
use std::sync::Arc;

use common::*;
use latchkey_core::backup::{ExistingStore, restore};
use latchkey_core::{Authority, CoreError, IssuedToken, KeySource, VerifyRequest};

const PASSPHRASE: &str = "a passphrase kept in the safe";

/// Tokens in every state a verification can report, and what each answers.
fn tokens_in_every_state(f: &mut Fixture) -> Vec<(IssuedToken, Option<&'static str>)> {
    f.system("api");
    let bob = f.member("bob");
    let valid = f.token(f.admin, "valid");
    let revoked = f.token(f.admin, "revoked");
    f.authority
        .revoke_token(f.admin, &revoked.token.id)
        .unwrap();
    let no_access = f.token(bob, "bob's");
    let answers = |f: &mut Fixture, t: &IssuedToken| f.reason(t, Some("api"));
    let mut out = Vec::new();
    for token in [valid, revoked, no_access] {
        let reason = answers(f, &token);
        out.push((token, reason));
    }
    assert_eq!(
        out.iter().map(|(_, r)| *r).collect::<Vec<_>>(),
        [None, Some("revoked"), Some("no_access")]
    );
    out
}

fn reason_in(authority: &mut Authority, token: &IssuedToken) -> Option<&'static str> {
    let request = VerifyRequest {
        system: Some("api"),
        ..VerifyRequest::default()
    };
    authority
        .verify(token.secret.expose(), &request)
        .unwrap()
        .reason
        .map(|r| r.as_str())
}

fn reason_of(authority: &mut Authority, token: &IssuedToken) -> Option<&'static str> {
    authority
        .verify(token.secret.expose(), &VerifyRequest::default())
        .unwrap()
        .reason
        .map(|r| r.as_str())
}

fn restore_into(
    f: &Fixture,
    from: &Path,
    passphrase: &str,
    dir: &Path,
) -> latchkey_core::Result<latchkey_core::backup::BackupSummary> {
    restore(
        from,
        passphrase,
        &dir.join("restored.db"),
        &KeySource::File(dir.join("restored.key")),
        Arc::new(f.clock.clone()),
        ExistingStore::Refuse,
    )
}

#[test]
fn a_restored_store_answers_every_token_exactly_as_before() {
    let mut f = Fixture::new();
    let tokens = tokens_in_every_state(&mut f);
    let file = f.dir.path().join("acme.lkbackup");
    let made = f.authority.backup(f.admin, PASSPHRASE, &file).unwrap();
    assert_eq!((made.tokens, made.accounts), (3, 2));

    let elsewhere = tempfile::tempdir().unwrap();
    let restored = restore_into(&f, &file, PASSPHRASE, elsewhere.path()).unwrap();
    assert_eq!(restored.organisation, "Acme");
    assert_eq!(restored.tokens, 3);

    let mut authority = Authority::open(
        &elsewhere.path().join("restored.db"),
        &KeySource::File(elsewhere.path().join("restored.key")),
        Arc::new(f.clock.clone()),
    )
    .unwrap();
    for (token, before) in &tokens {
        assert_eq!(reason_in(&mut authority, token), *before);
    }
    // The people can still sign in, and the log tells of the backup and the restore.
    let admin = authority.authenticate("root", ADMIN_PASSWORD).unwrap();
    let actions: Vec<_> = authority
        .audit_events(admin, &Default::default())
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(actions.contains(&"store.backed_up".to_string()));
    assert!(actions.contains(&"store.restored".to_string()));
}

#[test]
fn wrong_passphrases_and_changed_files_restore_nothing() {
    let mut f = Fixture::new();
    f.token(f.admin, "ci");
    let file = f.dir.path().join("acme.lkbackup");
    f.authority.backup(f.admin, PASSPHRASE, &file).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();

    let wrong = restore_into(&f, &file, "a passphrase kept in the sofa", elsewhere.path());
    assert!(
        wrong
            .as_ref()
            .err()
            .unwrap()
            .to_string()
            .contains("wrong passphrase"),
        "{wrong:?}"
    );
    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x20;
    let tampered = f.dir.path().join("tampered.lkbackup");
    std::fs::write(&tampered, &bytes).unwrap();
    let changed = restore_into(&f, &tampered, PASSPHRASE, elsewhere.path());
    assert!(
        changed
            .as_ref()
            .err()
            .unwrap()
            .to_string()
            .contains("damaged or was changed"),
        "{changed:?}"
    );
    assert_eq!(
        std::fs::read_dir(elsewhere.path()).unwrap().count(),
        0,
        "neither a store nor a key was written"
    );
}

#[test]
fn a_restore_never_overwrites_a_store_or_a_different_key() {
    let mut f = Fixture::new();
    let file = f.dir.path().join("acme.lkbackup");
    f.authority.backup(f.admin, PASSPHRASE, &file).unwrap();

    let existing = restore(
        &file,
        PASSPHRASE,
        &f.db_path(),
        &f.key_source(),
        Arc::new(f.clock.clone()),
        ExistingStore::Refuse,
    );
    assert!(
        matches!(existing, Err(CoreError::Conflict(_))),
        "{existing:?}"
    );

    let elsewhere = tempfile::tempdir().unwrap();
    let other_key = elsewhere.path().join("restored.key");
    std::fs::write(&other_key, format!("{}\n", "ab".repeat(32))).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&other_key, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let error = restore_into(&f, &file, PASSPHRASE, elsewhere.path()).unwrap_err();
    assert!(
        error.to_string().contains("different installation key"),
        "{error}"
    );
    assert!(!elsewhere.path().join("restored.db").exists());
    assert_eq!(
        std::fs::read_to_string(&other_key).unwrap(),
        format!("{}\n", "ab".repeat(32))
    );
}

#[test]
fn the_app_may_set_the_current_store_aside_and_restore_in_its_place() {
    let mut f = Fixture::new();
    let kept = f.token(f.admin, "kept");
    let file = f.dir.path().join("acme.lkbackup");
    f.authority.backup(f.admin, PASSPHRASE, &file).unwrap();
    let later = f.token(f.admin, "made after the backup");
    assert_eq!(f.reason(&later, None), None);

    let (db, key_source) = (f.db_path(), f.key_source());
    let Fixture {
        dir,
        clock,
        authority,
        ..
    } = f;
    // The app closes the live store before it is set aside.
    drop(authority);
    restore(
        &file,
        PASSPHRASE,
        &db,
        &key_source,
        Arc::new(clock.clone()),
        ExistingStore::SetAside,
    )
    .unwrap();
    let mut authority = Authority::open(&db, &key_source, Arc::new(clock)).unwrap();
    assert_eq!(reason_of(&mut authority, &kept), None);
    assert_eq!(
        reason_of(&mut authority, &later),
        Some("unknown"),
        "the store is the one of the backup"
    );
    let aside: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("store.db.before-restore-"))
        .collect();
    assert_eq!(aside.len(), 1, "the replaced store is kept: {aside:?}");
}

#[test]
fn only_administrators_back_up_with_a_strong_passphrase_to_a_new_file() {
    let mut f = Fixture::new();
    let bob = f.member("bob");
    let file = f.dir.path().join("acme.lkbackup");
    let member = f.authority.backup(bob, PASSPHRASE, &file);
    assert!(matches!(member, Err(CoreError::Forbidden(_))), "{member:?}");
    let short = f.authority.backup(f.admin, "short", &file).unwrap_err();
    assert!(short.to_string().contains("backup passphrase"), "{short}");
    assert!(!file.exists());
    std::fs::write(&file, b"precious").unwrap();
    let exists = f.authority.backup(f.admin, PASSPHRASE, &file).unwrap_err();
    assert!(exists.to_string().contains("already exists"), "{exists}");
    assert_eq!(std::fs::read(&file).unwrap(), b"precious");
}

#[test]
fn a_backup_that_cannot_be_written_is_refused_clearly_and_audited_as_failed() {
    let mut f = Fixture::new();
    let nowhere = f.dir.path().join("no such folder").join("acme.lkbackup");
    let error = f
        .authority
        .backup(f.admin, PASSPHRASE, &nowhere)
        .unwrap_err();
    assert!(
        error.to_string().contains("could not write backup"),
        "{error}"
    );
    let actions = f.audit_actions();
    let attempted = actions.iter().position(|a| a == "store.backed_up");
    let failed = actions.iter().position(|a| a == "store.backup_failed");
    assert!(attempted.is_some() && failed.is_some(), "{actions:?}");
    assert!(!nowhere.exists());
}
