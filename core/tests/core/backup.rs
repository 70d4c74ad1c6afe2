//! Issue 5 point 8 in core: a sealed backup restores to a store where every token answers as
//! before; wrong passphrases, tampered files and existing stores are refused without writing. A
//! restore over a store carries forward from it everything that narrowed access since the backup.
use std::path::Path;
use std::sync::Arc;

use crate::common::*;
use latchkey_core::backup::{
    CarriedForward, RemovedGrant, RemovedGroupGrant, RemovedMembership, restore,
};
use latchkey_core::{
    Actor, Authority, CoreError, IssuedToken, KeySource, NewAccount, Role, TokenScope,
    VerifyRequest,
};

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
fn an_administrator_may_replace_the_store_which_is_kept_beside_the_restored_one() {
    let mut f = Fixture::new();
    let kept = f.token(f.admin, "kept");
    let file = f.dir.path().join("acme.lkbackup");
    f.authority.backup(f.admin, PASSPHRASE, &file).unwrap();
    let later = f.token(f.admin, "made after the backup");
    assert_eq!(f.reason(&later, None), None);

    let (db, key_source, admin) = (f.db_path(), f.key_source(), f.admin);
    let Fixture {
        dir,
        clock,
        authority,
        ..
    } = f;
    let summary = authority
        .replace_with_backup(admin, &file, PASSPHRASE, &key_source)
        .unwrap();
    assert_eq!(summary.carried_forward, Some(CarriedForward::default()));
    assert!(summary.notes().iter().any(|n| n.contains("nothing")));
    let mut authority = Authority::open(&db, &key_source, Arc::new(clock)).unwrap();
    assert_eq!(reason_of(&mut authority, &kept), None);
    assert_eq!(
        reason_of(&mut authority, &later),
        Some("unknown"),
        "the store is the one of the backup"
    );
    let aside = files_starting(dir.path(), "store.db.before-restore-");
    assert_eq!(aside.len(), 1, "the replaced store is kept: {aside:?}");
    assert_eq!(
        summary.replaced_store.as_deref(),
        Some(dir.path().join(&aside[0]).to_str().unwrap())
    );
    assert!(files_starting(dir.path(), "store.db.restoring").is_empty());
}

fn files_starting(dir: &Path, prefix: &str) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(prefix))
        .collect()
}

fn account(f: &mut Fixture, name: &str, role: Role) -> Actor {
    let new = NewAccount {
        username: name,
        display_name: None,
        role,
        password: MEMBER_PASSWORD,
    };
    f.authority.add_account(f.admin, &new).unwrap();
    f.authority.authenticate(name, MEMBER_PASSWORD).unwrap()
}

const NEW_PASSWORD: &str = "carol's new password, set by root";

#[test]
fn a_restore_over_the_store_carries_forward_everything_that_narrowed_access_since_the_backup() {
    let mut f = Fixture::new();
    f.system("api");
    f.system("web");
    let bob = f.member("bob");
    let carol = f.member("carol");
    let dave = f.member("dave");
    let eve = account(&mut f, "eve", Role::Admin);
    f.member("frank");
    let a = &mut f.authority;
    a.grant(f.admin, "carol", "api").unwrap();
    a.grant(f.admin, "dave", "api").unwrap();
    a.add_group(f.admin, "Ops").unwrap();
    a.set_group_member(f.admin, "ops", "dave", true).unwrap();
    a.set_group_grant(f.admin, "ops", "web", true).unwrap();
    a.set_access_all(f.admin, "frank", true).unwrap();
    let settings = a.settings().unwrap();
    a.update_settings(
        f.admin,
        &latchkey_core::settings::Settings {
            onboarder_gets_access: true,
            ..settings
        },
    )
    .unwrap();
    let leaked = f.token(f.admin, "leaked");
    let rotated = f.token(f.admin, "rotated with grace");
    f.authority
        .rotate_token(
            f.admin,
            &rotated.token.id,
            latchkey_core::RotateGrace::Days(7),
        )
        .unwrap();
    let bobs = f.token(bob, "bob's");
    let daves = f.token(dave, "dave's");
    let eves = f.token(eve, "eve's");
    f.token(carol, "carol's");
    let file = f.dir.path().join("acme.lkbackup");
    f.advance_days(1);
    f.authority.backup(f.admin, PASSPHRASE, &file).unwrap();

    // Since the backup: a leak revoked, the rotation's grace cut short, bob deactivated, carol's
    // password reset, dave's grant and group membership taken away, the group's grant too, eve
    // made a member, frank's access to all systems taken away, a shorter maximum lifetime.
    f.advance_days(1);
    let a = &mut f.authority;
    a.revoke_token(f.admin, &leaked.token.id).unwrap();
    a.revoke_token(f.admin, &rotated.token.id).unwrap();
    a.deactivate(f.admin, "bob").unwrap();
    a.reset_password(f.admin, "carol", NEW_PASSWORD).unwrap();
    a.ungrant(f.admin, "dave", "api").unwrap();
    a.set_group_member(f.admin, "ops", "dave", false).unwrap();
    a.set_group_grant(f.admin, "ops", "web", false).unwrap();
    a.set_role(f.admin, "eve", Role::Member).unwrap();
    a.set_access_all(f.admin, "frank", false).unwrap();
    let settings = a.settings().unwrap();
    a.update_settings(
        f.admin,
        &latchkey_core::settings::Settings {
            max_lifetime_days: 90,
            onboarder_gets_access: false,
            ..settings
        },
    )
    .unwrap();
    let revoked_at = f
        .authority
        .list_tokens(f.admin, &TokenScope::All)
        .unwrap()
        .into_iter()
        .find(|t| t.id == leaked.token.id)
        .unwrap()
        .revoked_at;
    let after = f.token(f.admin, "made after the backup");
    f.member("grace"); // an account made after the backup is simply absent

    let (db, key_source, admin) = (f.db_path(), f.key_source(), f.admin);
    let Fixture {
        clock, authority, ..
    } = f;
    let summary = authority
        .replace_with_backup(admin, &file, PASSPHRASE, &key_source)
        .unwrap();
    let mut revocations = vec![leaked.token.id.clone(), rotated.token.id.clone()];
    revocations.sort();
    let mut carried = summary.carried_forward.clone().unwrap();
    carried.revocations.sort();
    assert_eq!(
        carried,
        CarriedForward {
            revocations,
            earlier_expiries: vec![],
            deactivations: vec!["bob".into()],
            password_changes: vec!["carol".into()],
            sign_in_locks: vec![],
            removed_grants: vec![RemovedGrant {
                account: "dave".into(),
                system: "api".into()
            }],
            removed_group_memberships: vec![RemovedMembership {
                group: "Ops".into(),
                account: "dave".into()
            }],
            removed_group_grants: vec![RemovedGroupGrant {
                group: "Ops".into(),
                system: "web".into()
            }],
            demotions: vec!["eve".into()],
            removed_access_to_all_systems: vec!["frank".into()],
            max_lifetime_days: Some(90),
            onboarder_access_removed: true,
            ..CarriedForward::default()
        }
    );
    let described = summary.notes().join("\n");
    for part in [
        "2 revocations (",
        "1 deactivation (bob)",
        "1 password change (carol)",
        "1 removed grant (dave → api)",
        "1 removed group membership (dave in Ops)",
        "1 removed group grant (Ops → web)",
        "1 demotion to member (eve)",
        "maximum token lifetime lowered to 90 days",
        "the replaced store is kept as",
    ] {
        assert!(described.contains(part), "{part} in {described}");
    }

    let mut restored = Authority::open(&db, &key_source, Arc::new(clock)).unwrap();
    assert_eq!(reason_in(&mut restored, &leaked), Some("revoked"));
    assert_eq!(reason_in(&mut restored, &rotated), Some("revoked"));
    assert_eq!(reason_in(&mut restored, &bobs), Some("owner_deactivated"));
    assert_eq!(reason_in(&mut restored, &daves), Some("no_access"));
    let web = VerifyRequest {
        system: Some("web"),
        ..VerifyRequest::default()
    };
    let dave_web = restored.verify(daves.secret.expose(), &web).unwrap();
    assert_eq!(dave_web.reason.map(|r| r.as_str()), Some("no_access"));
    let eve_web = restored.verify(eves.secret.expose(), &web).unwrap();
    assert_eq!(eve_web.reason.map(|r| r.as_str()), Some("no_access"));
    assert_eq!(reason_of(&mut restored, &after), Some("unknown"));
    assert!(!restored.may_access("frank", "api").unwrap());
    assert!(matches!(
        restored.authenticate("carol", MEMBER_PASSWORD),
        Err(CoreError::WrongCredentials)
    ));
    restored.authenticate("carol", NEW_PASSWORD).unwrap();
    assert!(restored.authenticate("grace", MEMBER_PASSWORD).is_err());
    let root = restored.authenticate("root", ADMIN_PASSWORD).unwrap();
    let settings = restored.settings().unwrap();
    assert_eq!(
        (settings.max_lifetime_days, settings.onboarder_gets_access),
        (90, false)
    );
    let info = restored
        .list_tokens(root, &TokenScope::All)
        .unwrap()
        .into_iter()
        .find(|t| t.id == leaked.token.id)
        .unwrap();
    assert_eq!(info.revoked_at, revoked_at, "the same time");
    assert_eq!(info.revoked_by.as_deref(), Some("root"), "the same revoker");
    let restore_event = restored
        .audit_events(root, &Default::default())
        .unwrap()
        .into_iter()
        .rfind(|e| e.action == "store.restored")
        .unwrap();
    assert_eq!(restore_event.actor, "root");
    assert!(
        restore_event.details.contains("carried_forward")
            && restore_event.details.contains(&leaked.token.id),
        "{}",
        restore_event.details
    );
}

#[test]
fn a_backup_of_another_installation_is_refused_and_the_store_is_left_as_it_was() {
    let mut other = Fixture::new();
    let file = other.dir.path().join("other.lkbackup");
    other
        .authority
        .backup(other.admin, PASSPHRASE, &file)
        .unwrap();

    let mut f = Fixture::new();
    let kept = f.token(f.admin, "kept");
    let (db, key_source, admin) = (f.db_path(), f.key_source(), f.admin);
    let Fixture {
        dir,
        clock,
        authority,
        ..
    } = f;
    let error = authority
        .replace_with_backup(admin, &file, PASSPHRASE, &key_source)
        .unwrap_err();
    assert!(matches!(error, CoreError::Conflict(_)), "{error:?}");
    assert!(
        error.to_string().contains("another installation"),
        "{error}"
    );
    let mut authority = Authority::open(&db, &key_source, Arc::new(clock)).unwrap();
    assert_eq!(reason_of(&mut authority, &kept), None);
    assert!(files_starting(dir.path(), "store.db.").is_empty());
}

#[test]
fn a_restore_that_would_leave_no_active_administrator_is_refused_and_changes_nothing() {
    let mut f = Fixture::new();
    let file = f.dir.path().join("acme.lkbackup");
    f.authority.backup(f.admin, PASSPHRASE, &file).unwrap();
    // After the backup, the only administrator of the backup is deactivated by a new one.
    let eve = account(&mut f, "eve", Role::Admin);
    f.authority.deactivate(eve, "root").unwrap();
    let (db, key_source) = (f.db_path(), f.key_source());
    let Fixture {
        dir,
        clock,
        authority,
        ..
    } = f;
    let error = authority
        .replace_with_backup(eve, &file, PASSPHRASE, &key_source)
        .unwrap_err();
    assert!(
        error.to_string().contains("no active administrator"),
        "{error}"
    );
    let mut authority = Authority::open(&db, &key_source, Arc::new(clock)).unwrap();
    let eve = authority.authenticate("eve", MEMBER_PASSWORD).unwrap();
    assert_eq!(authority.whoami(eve).unwrap().role, Role::Admin);
    assert!(files_starting(dir.path(), "store.db.").is_empty());
}

#[test]
fn only_an_administrator_of_the_current_store_may_replace_it() {
    let mut f = Fixture::new();
    let bob = f.member("bob");
    let file = f.dir.path().join("acme.lkbackup");
    f.authority.backup(f.admin, PASSPHRASE, &file).unwrap();
    let key_source = f.key_source();
    let error = f
        .authority
        .replace_with_backup(bob, &file, PASSPHRASE, &key_source)
        .unwrap_err();
    assert!(matches!(error, CoreError::Forbidden(_)), "{error:?}");
}

#[test]
fn a_sign_in_lock_of_the_current_store_is_kept() {
    let mut f = Fixture::new();
    f.member("bob");
    let file = f.dir.path().join("acme.lkbackup");
    f.authority.backup(f.admin, PASSPHRASE, &file).unwrap();
    for _ in 0..5 {
        let _ = f.authority.authenticate("bob", "a wrong password, guessed");
    }
    let (db, key_source, admin) = (f.db_path(), f.key_source(), f.admin);
    let Fixture {
        clock, authority, ..
    } = f;
    let summary = authority
        .replace_with_backup(admin, &file, PASSPHRASE, &key_source)
        .unwrap();
    assert_eq!(
        summary.carried_forward.unwrap().sign_in_locks,
        vec!["bob".to_string()]
    );
    let mut restored = Authority::open(&db, &key_source, Arc::new(clock)).unwrap();
    assert!(matches!(
        restored.authenticate("bob", MEMBER_PASSWORD),
        Err(CoreError::Locked(_))
    ));
}

#[test]
fn a_restore_where_no_store_exists_gives_the_backup_time_and_the_tokens_that_work_again() {
    let mut f = Fixture::new();
    let valid = f.token(f.admin, "valid");
    let revoked = f.token(f.admin, "revoked");
    f.authority
        .revoke_token(f.admin, &revoked.token.id)
        .unwrap();
    let file = f.dir.path().join("acme.lkbackup");
    f.authority.backup(f.admin, PASSPHRASE, &file).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let summary = restore_into(&f, &file, PASSPHRASE, elsewhere.path()).unwrap();
    assert_eq!(summary.backed_up_at, Some(START));
    assert!(summary.carried_forward.is_none());
    let active = summary.active_at_backup.clone().unwrap();
    assert_eq!(active.len(), 1);
    assert_eq!(
        (
            active[0].id.as_str(),
            active[0].name.as_str(),
            active[0].owner.as_str()
        ),
        (valid.token.id.as_str(), "valid", "root")
    );
    assert_eq!(active[0].hint, valid.token.hint);
    let notes = summary.notes();
    assert!(notes[0].contains("2026-01-01T00:00:00Z"), "{notes:?}");
    assert!(notes[0].contains("active again"), "{notes:?}");
    assert!(
        notes.iter().any(|n| n.contains(&valid.token.id)),
        "{notes:?}"
    );
    assert!(
        !notes.iter().any(|n| n.contains(&revoked.token.id)),
        "{notes:?}"
    );
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

/// A store opened before a restore (the app's, another command's) and written to after the
/// restore moved the restored store in: the write fails, unacknowledged, in neither store.
#[test]
fn a_write_through_a_store_opened_before_a_restore_fails_and_is_not_acknowledged() {
    let mut f = Fixture::new();
    let token = f.token(f.admin, "revoked too late");
    let file = f.dir.path().join("acme.lkbackup");
    f.authority.backup(f.admin, PASSPHRASE, &file).unwrap();
    let (db, key_source, admin) = (f.db_path(), f.key_source(), f.admin);
    let mut other = Authority::open(&db, &key_source, Arc::new(f.clock.clone())).unwrap();
    assert!(!other.store_replaced());
    let Fixture {
        dir,
        clock,
        authority,
        ..
    } = f;
    authority
        .replace_with_backup(admin, &file, PASSPHRASE, &key_source)
        .unwrap();

    assert!(other.store_replaced());
    let error = other.revoke_token(admin, &token.token.id).unwrap_err();
    assert!(matches!(error, CoreError::StoreReplaced), "{error}");
    assert_eq!(error.code(), "store_replaced");
    assert!(!error.is_refusal());
    assert!(
        error.to_string().contains("run the command again"),
        "{error}"
    );
    // Nor does it answer a verification from the store set aside.
    assert!(matches!(
        other.verify(token.secret.expose(), &VerifyRequest::default()),
        Err(CoreError::StoreReplaced)
    ));
    drop(other);

    let mut restored = Authority::open(&db, &key_source, Arc::new(clock.clone())).unwrap();
    assert_eq!(reason_of(&mut restored, &token), None);
    let aside = files_starting(dir.path(), "store.db.before-restore-");
    let aside = dir.path().join(
        aside
            .iter()
            .find(|n| n.ends_with(|c: char| c.is_ascii_digit()))
            .unwrap(),
    );
    let mut replaced = Authority::open(&aside, &key_source, Arc::new(clock)).unwrap();
    assert_eq!(
        reason_of(&mut replaced, &token),
        None,
        "nothing was written to the store set aside"
    );
}

/// A revocation committed to the current store after the first carry-forward, just before the
/// store is set aside (another process got the write lock then): carried by the second pass.
#[test]
fn a_revocation_committed_while_the_store_is_being_set_aside_is_carried_forward_too() {
    let mut f = Fixture::new();
    let early = f.token(f.admin, "revoked before the restore");
    let late = f.token(f.admin, "revoked during the restore");
    let kept = f.token(f.admin, "kept");
    let file = f.dir.path().join("acme.lkbackup");
    f.authority.backup(f.admin, PASSPHRASE, &file).unwrap();
    f.authority.revoke_token(f.admin, &early.token.id).unwrap();
    let (db, key_source, admin) = (f.db_path(), f.key_source(), f.admin);
    let mut other = Authority::open(&db, &key_source, Arc::new(f.clock.clone())).unwrap();
    let Fixture {
        clock, authority, ..
    } = f;
    let summary = authority
        .replace_with_backup_then(admin, &file, PASSPHRASE, &key_source, || {
            other.revoke_token(admin, &late.token.id).unwrap();
        })
        .unwrap();
    assert_eq!(
        summary.carried_forward.as_ref().unwrap().revocations,
        [early.token.id.clone(), late.token.id.clone()]
    );
    // Written after the move: refused.
    assert!(matches!(
        other.revoke_token(admin, &kept.token.id),
        Err(CoreError::StoreReplaced)
    ));
    drop(other);

    let mut restored = Authority::open(&db, &key_source, Arc::new(clock)).unwrap();
    assert_eq!(reason_of(&mut restored, &early), Some("revoked"));
    assert_eq!(reason_of(&mut restored, &late), Some("revoked"));
    assert_eq!(reason_of(&mut restored, &kept), None);
    let events = restored.audit_events(admin, &Default::default()).unwrap();
    let second = events
        .iter()
        .find(|e| e.action == "store.restore_carried_forward")
        .expect("the second pass is audited");
    assert!(
        second.details.contains(&late.token.id),
        "{}",
        second.details
    );
    assert!(
        !second.details.contains(&early.token.id),
        "{}",
        second.details
    );
}

#[test]
fn a_restore_keeps_a_managing_group_change_a_hand_over_and_automatic_revocation() {
    let mut f = Fixture::new();
    let alice = f.member("alice");
    let bob = f.member("bob");
    f.system("web");
    f.system("db");
    for group in ["ci", "sec"] {
        f.authority.add_group(f.admin, group).unwrap();
    }
    f.authority
        .set_group_member(f.admin, "ci", "alice", true)
        .unwrap();
    let service = latchkey_core::NewServiceAccount {
        username: "svc-ci",
        display_name: None,
        managed_by: "ci",
    };
    f.authority.add_service_account(f.admin, &service).unwrap();
    for (account, slug) in [
        ("bob", "web"),
        ("bob", "db"),
        ("svc-ci", "web"),
        ("svc-ci", "db"),
    ] {
        f.authority.grant(f.admin, account, slug).unwrap();
    }
    let handed = f.token(bob, "ci deploy");
    let file = f.dir.path().join("acme.lkbackup");
    f.authority.backup(f.admin, PASSPHRASE, &file).unwrap();
    // Since the backup: svc-ci moved to "sec", Bob left handing his token over,
    // and tokens unused for 100 days are revoked automatically.
    f.authority
        .set_managing_group(f.admin, "svc-ci", "sec")
        .unwrap();
    f.authority
        .deactivate_account(
            f.admin,
            "bob",
            &latchkey_core::LeavingTokens::HandOverTo("svc-ci".into()),
        )
        .unwrap();
    let mut settings = f.authority.settings().unwrap();
    settings.auto_revoke_unused_days = Some(100);
    f.authority.update_settings(f.admin, &settings).unwrap();
    let (db, key_source, admin) = (f.db_path(), f.key_source(), f.admin);
    let Fixture {
        clock, authority, ..
    } = f;
    let summary = authority
        .replace_with_backup(admin, &file, PASSPHRASE, &key_source)
        .unwrap();
    let carried = summary.carried_forward.unwrap();
    assert_eq!(carried.managing_groups, ["svc-ci"]);
    assert_eq!(carried.hand_overs, std::slice::from_ref(&handed.token.id));
    assert_eq!(carried.auto_revoke_unused_days, Some(100));
    assert!(
        carried.describe().contains("1 hand-over"),
        "{}",
        carried.describe()
    );
    let mut restored = Authority::open(&db, &key_source, Arc::new(clock)).unwrap();
    let refused = restored.create_token(
        alice,
        &latchkey_core::NewToken {
            name: "x".into(),
            owner: Some("svc-ci".into()),
            ..latchkey_core::NewToken::default()
        },
    );
    assert!(refused.is_err(), "alice's group no longer manages svc-ci");
    let answer = restored
        .verify(handed.secret.expose(), &VerifyRequest::default())
        .unwrap();
    assert!(
        answer.valid,
        "the handed-over token keeps working: {answer:?}"
    );
    assert_eq!(answer.owner.as_deref(), Some("svc-ci"));
}
