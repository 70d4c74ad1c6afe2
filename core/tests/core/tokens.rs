//! SPEC §2 "Tokens" and §3 "Token format and storage".
use crate::common::*;
use latchkey_core::clock::DAY;
use latchkey_core::settings::Settings;
use latchkey_core::tokens::format as token_format;
use latchkey_core::{CoreError, NewToken, RotateGrace, TokenScope, TokenStatus};

fn create(f: &mut Fixture, name: &str) -> Result<latchkey_core::IssuedToken, CoreError> {
    let admin = f.admin;
    f.authority.create_token(
        admin,
        &NewToken {
            name: name.into(),
            ..NewToken::default()
        },
    )
}

#[test]
fn a_new_token_has_the_lk_format_and_a_valid_checksum() {
    let mut f = Fixture::new();
    let token = f.token(f.admin, "ci");
    let secret = token.secret.expose();
    assert_eq!(secret.len(), 52);
    assert!(secret.starts_with("lk_") && secret[3..].bytes().all(|b| b.is_ascii_alphanumeric()));
    assert!(token_format::is_well_formed(secret));
}

#[test]
fn the_secret_is_never_stored_only_its_keyed_digest() {
    let mut f = Fixture::new();
    let token = f.token(f.admin, "ci");
    let secret = token.secret.expose().to_string();
    let Fixture { dir, authority, .. } = f;
    drop(authority); // closes the store, as a process exit would
    let db = dir.path().join("store.db");
    for suffix in ["", "-wal", "-shm"] {
        let mut path = db.clone().into_os_string();
        path.push(suffix);
        if let Ok(bytes) = std::fs::read(&path) {
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains(&secret[..16]) && !text.contains(&secret[36..]),
                "secret piece in {path:?}"
            );
        }
    }
    let conn = rusqlite::Connection::open(&db).unwrap();
    let digest: Vec<u8> = conn
        .query_row("SELECT digest FROM tokens", [], |r| r.get(0))
        .unwrap();
    assert_eq!(digest.len(), 32);
}

#[test]
fn the_digest_needs_the_installation_key() {
    // The same token under another installation's key is unknown there.
    let mut a = Fixture::new();
    let mut b = Fixture::new();
    let token = a.token(a.admin, "ci");
    assert!(a.verify(&token, None).valid);
    assert_eq!(b.reason(&token, None), Some("unknown"));
}

#[test]
fn lists_show_a_hint_and_a_public_id_never_the_secret() {
    let mut f = Fixture::new();
    let token = f.token(f.admin, "ci");
    let listed = f.authority.list_tokens(f.admin, &TokenScope::Mine).unwrap();
    assert_eq!(listed.len(), 1);
    let secret = token.secret.expose();
    assert_eq!(listed[0].hint, format!("lk_…{}", &secret[48..]));
    assert!(listed[0].id.starts_with("tok_"));
    assert!(!secret.contains(&listed[0].id[4..]));
    let shown = format!("{:?}", listed[0]);
    assert!(!shown.contains(&secret[3..19]));
}

#[test]
fn debug_of_an_issued_token_is_redacted() {
    let mut f = Fixture::new();
    let token = f.token(f.admin, "ci");
    let shown = format!("{token:?}");
    assert!(shown.contains("<redacted>"));
    assert!(!shown.contains(&token.secret.expose()[3..19]));
}

#[test]
fn a_listed_token_never_carries_its_secret() {
    // IssuedToken has no serialisation at all: each door writes the secret into its one
    // create/rotate response itself. What lists serialise must not hold it.
    let mut f = Fixture::new();
    let token = f.token(f.admin, "ci");
    let listed =
        serde_json::to_string(&f.authority.list_tokens(f.admin, &TokenScope::Mine).unwrap())
            .unwrap();
    assert!(!listed.contains(token.secret.expose()));
}

#[test]
fn token_names_are_required_bounded_and_free_of_control_and_bidi_characters() {
    let mut f = Fixture::new();
    for bad in [
        "",
        "   ",
        &"n".repeat(101),
        "tab\there",
        "new\nline",
        "rtl\u{202E}override",
        "iso\u{2067}late",
    ] {
        assert!(
            matches!(create(&mut f, bad), Err(CoreError::Invalid(_))),
            "{bad:?}"
        );
    }
    assert!(
        f.authority
            .list_tokens(f.admin, &TokenScope::Mine)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn token_names_with_quotes_sql_or_emoji_are_stored_literally() {
    let mut f = Fixture::new();
    let names = [
        "Robert'); DROP TABLE tokens;--",
        "say \"hi\"",
        "deploy 🚀",
        "  trimmed  ",
    ];
    for name in names {
        create(&mut f, name).unwrap();
    }
    let mut listed: Vec<String> = f
        .authority
        .list_tokens(f.admin, &TokenScope::Mine)
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    listed.sort();
    let mut expected: Vec<String> = names.iter().map(|n| n.trim().to_string()).collect();
    expected.sort();
    assert_eq!(listed, expected);
}

#[test]
fn tokens_expire_365_days_after_creation_by_default() {
    let mut f = Fixture::new();
    let token = f.token(f.admin, "ci");
    assert_eq!(token.token.expires_at - token.token.created_at, 365 * DAY);
}

#[test]
fn a_token_is_valid_at_364_days_and_expired_at_365() {
    let mut f = Fixture::new();
    let token = f.token(f.admin, "ci");
    f.advance_days(364);
    assert!(f.verify(&token, None).valid);
    f.advance_days(1);
    assert_eq!(f.reason(&token, None), Some("expired"));
    let listed = f.authority.list_tokens(f.admin, &TokenScope::Mine).unwrap();
    assert_eq!(listed[0].status, TokenStatus::Expired);
}

#[test]
fn an_earlier_expiry_may_be_chosen_but_never_a_later_one() {
    let mut f = Fixture::new();
    let token = f.token_for(f.admin, "short", 10, None);
    assert_eq!(token.token.expires_at - token.token.created_at, 10 * DAY);
    for days in [0, -1, 366] {
        let request = NewToken {
            name: "x".into(),
            expires_in_days: Some(days),
            systems: None,
            ..NewToken::default()
        };
        assert!(
            matches!(
                f.authority.create_token(f.admin, &request),
                Err(CoreError::Invalid(_))
            ),
            "{days}"
        );
    }
}

#[test]
fn an_administrator_may_lower_the_maximum_lifetime() {
    let mut f = Fixture::new();
    let settings = Settings {
        max_lifetime_days: 90,
        ..f.authority.settings().unwrap()
    };
    f.authority.update_settings(f.admin, &settings).unwrap();
    let token = f.token(f.admin, "default now 90");
    assert_eq!(token.token.expires_at - token.token.created_at, 90 * DAY);
    let request = NewToken {
        name: "x".into(),
        expires_in_days: Some(91),
        systems: None,
        ..NewToken::default()
    };
    assert!(matches!(
        f.authority.create_token(f.admin, &request),
        Err(CoreError::Invalid(_))
    ));
    let too_long = Settings {
        max_lifetime_days: 366,
        ..settings
    };
    assert!(matches!(
        f.authority.update_settings(f.admin, &too_long),
        Err(CoreError::Invalid(_))
    ));
}

#[test]
fn revoking_takes_effect_at_the_next_verification() {
    let mut f = Fixture::new();
    let token = f.token(f.admin, "ci");
    assert!(f.verify(&token, None).valid);
    f.authority.revoke_token(f.admin, &token.token.id).unwrap();
    assert_eq!(f.reason(&token, None), Some("revoked"));
    let listed = f.authority.list_tokens(f.admin, &TokenScope::Mine).unwrap();
    assert_eq!(listed[0].status, TokenStatus::Revoked);
    assert_eq!(listed[0].revoked_at, Some(START));
}

#[test]
fn revoking_a_revoked_token_succeeds_and_records_nothing_new() {
    let mut f = Fixture::new();
    let token = f.token(f.admin, "ci");
    f.authority.revoke_token(f.admin, &token.token.id).unwrap();
    let before = f.audit_actions().len();
    f.clock.advance(60);
    f.authority.revoke_token(f.admin, &token.token.id).unwrap();
    assert_eq!(f.audit_actions().len(), before);
    let listed = f.authority.list_tokens(f.admin, &TokenScope::Mine).unwrap();
    assert_eq!(
        listed[0].revoked_at,
        Some(START),
        "the first revocation time stays"
    );
}

#[test]
fn a_member_revokes_their_own_tokens_but_not_anothers() {
    let mut f = Fixture::new();
    let bob = f.member("bob");
    let carol = f.member("carol");
    let bobs = f.token(bob, "bob's");
    assert!(matches!(
        f.authority.revoke_token(carol, &bobs.token.id),
        Err(CoreError::NotFound(_))
    ));
    assert!(f.verify(&bobs, None).valid);
    f.authority.revoke_token(bob, &bobs.token.id).unwrap();
    assert_eq!(f.reason(&bobs, None), Some("revoked"));
}

#[test]
fn an_administrator_revokes_any_token_and_the_list_says_who_and_when() {
    let mut f = Fixture::new();
    let bob = f.member("bob");
    let bobs = f.token(bob, "bob's");
    f.clock.advance(90);
    let revoked = f.authority.revoke_token(f.admin, &bobs.token.id).unwrap();
    assert_eq!(f.reason(&bobs, None), Some("revoked"));
    assert_eq!(
        (revoked.revoked_by.as_deref(), revoked.revoked_at),
        (Some("root"), Some(START + 90))
    );
    let listed = f.authority.list_tokens(bob, &TokenScope::Mine).unwrap();
    assert_eq!(listed[0].revoked_by.as_deref(), Some("root"));
}

#[test]
fn members_see_only_their_own_tokens_and_administrators_all() {
    let mut f = Fixture::new();
    let bob = f.member("bob");
    f.token(bob, "bob's");
    f.token(f.admin, "root's");
    assert_eq!(
        f.authority
            .list_tokens(bob, &TokenScope::Mine)
            .unwrap()
            .len(),
        1
    );
    assert!(matches!(
        f.authority.list_tokens(bob, &TokenScope::All),
        Err(CoreError::Forbidden(_))
    ));
    assert!(matches!(
        f.authority
            .list_tokens(bob, &TokenScope::Owner("root".into())),
        Err(CoreError::Forbidden(_))
    ));
    assert_eq!(
        f.authority
            .list_tokens(f.admin, &TokenScope::All)
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        f.authority
            .list_tokens(f.admin, &TokenScope::Owner("bob".into()))
            .unwrap()[0]
            .name,
        "bob's"
    );
}

#[test]
fn revoke_all_of_mine_and_an_administrators_revoke_all_of_an_account() {
    let mut f = Fixture::new();
    let bob = f.member("bob");
    let carol = f.member("carol");
    let b1 = f.token(bob, "b1");
    let b2 = f.token(bob, "b2");
    let c1 = f.token(carol, "c1");
    assert!(matches!(
        f.authority.revoke_all_tokens(carol, Some("bob")),
        Err(CoreError::Forbidden(_))
    ));
    assert_eq!(f.authority.revoke_all_tokens(bob, None).unwrap(), 2);
    assert_eq!(
        (f.reason(&b1, None), f.reason(&b2, None)),
        (Some("revoked"), Some("revoked"))
    );
    assert!(f.verify(&c1, None).valid);
    assert_eq!(
        f.authority
            .revoke_all_tokens(f.admin, Some("carol"))
            .unwrap(),
        1
    );
    assert_eq!(f.reason(&c1, None), Some("revoked"));
    assert_eq!(
        f.authority
            .revoke_all_tokens(f.admin, Some("carol"))
            .unwrap(),
        0,
        "idempotent"
    );
}

#[test]
fn rotating_creates_a_successor_with_the_same_name_systems_and_lifetime_and_revokes_at_once() {
    let mut f = Fixture::new();
    f.system("web");
    let old = f.token_for(f.admin, "deploy", 30, Some(&["web"]));
    f.advance_days(10);
    let new = f
        .authority
        .rotate_token(f.admin, &old.token.id, RotateGrace::Immediate)
        .unwrap();
    assert_eq!(new.token.name, "deploy");
    assert_eq!(new.token.systems.as_deref(), Some(&["web".to_string()][..]));
    assert_eq!(new.token.expires_at - new.token.created_at, 30 * DAY);
    assert_eq!(new.token.replaces.as_deref(), Some(old.token.id.as_str()));
    assert_ne!(new.secret.expose(), old.secret.expose());
    assert_eq!(f.reason(&old, None), Some("revoked"));
    assert!(f.verify(&new, Some("web")).valid);
}

#[test]
fn a_rotated_tokens_grace_period_ends_on_time() {
    let mut f = Fixture::new();
    let old = f.token(f.admin, "deploy");
    let _new = f
        .authority
        .rotate_token(f.admin, &old.token.id, RotateGrace::Days(2))
        .unwrap();
    f.clock.advance(2 * DAY - 1);
    assert!(f.verify(&old, None).valid, "still inside the grace period");
    f.clock.advance(1);
    assert_eq!(f.reason(&old, None), Some("revoked"));
}

#[test]
fn a_rotated_tokens_grace_period_ends_at_the_successors_first_use() {
    let mut f = Fixture::new();
    let old = f.token(f.admin, "deploy");
    let new = f
        .authority
        .rotate_token(f.admin, &old.token.id, RotateGrace::UntilFirstUse)
        .unwrap();
    f.clock.advance(3600);
    assert!(f.verify(&old, None).valid);
    assert!(f.verify(&new, None).valid);
    assert_eq!(f.reason(&old, None), Some("revoked"));
}

#[test]
fn until_first_use_ends_after_seven_days_at_the_latest() {
    let mut f = Fixture::new();
    let old = f.token(f.admin, "deploy");
    f.authority
        .rotate_token(f.admin, &old.token.id, RotateGrace::UntilFirstUse)
        .unwrap();
    f.advance_days(7);
    assert_eq!(f.reason(&old, None), Some("revoked"));
}

#[test]
fn grace_periods_over_seven_days_are_refused() {
    let mut f = Fixture::new();
    let old = f.token(f.admin, "deploy");
    for days in [0, 8, -1] {
        assert!(matches!(
            f.authority
                .rotate_token(f.admin, &old.token.id, RotateGrace::Days(days)),
            Err(CoreError::Invalid(_))
        ));
    }
    assert_eq!(
        f.authority
            .list_tokens(f.admin, &TokenScope::Mine)
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn only_active_tokens_can_be_rotated() {
    let mut f = Fixture::new();
    let old = f.token(f.admin, "deploy");
    f.authority.revoke_token(f.admin, &old.token.id).unwrap();
    assert!(matches!(
        f.authority
            .rotate_token(f.admin, &old.token.id, RotateGrace::Immediate),
        Err(CoreError::Conflict(_))
    ));
}

#[test]
fn expired_and_revoked_tokens_stay_listed_until_deleted_and_keep_their_history() {
    let mut f = Fixture::new();
    let active = f.token(f.admin, "active");
    let revoked = f.token(f.admin, "revoked");
    f.authority
        .revoke_token(f.admin, &revoked.token.id)
        .unwrap();
    assert_eq!(
        f.authority
            .list_tokens(f.admin, &TokenScope::Mine)
            .unwrap()
            .len(),
        2
    );
    assert!(matches!(
        f.authority.delete_token(f.admin, &active.token.id),
        Err(CoreError::Conflict(_))
    ));
    f.authority
        .delete_token(f.admin, &revoked.token.id)
        .unwrap();
    let listed = f.authority.list_tokens(f.admin, &TokenScope::Mine).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "active");
    let history: Vec<_> = f
        .authority
        .audit_events(f.admin, &Default::default())
        .unwrap()
        .into_iter()
        .filter(|e| e.target == revoked.token.id)
        .map(|e| e.action)
        .collect();
    assert_eq!(history, ["token.created", "token.revoked", "token.deleted"]);
    assert_eq!(
        f.reason(&revoked, None),
        Some("revoked"),
        "a deleted token still fails"
    );
}

#[test]
fn last_used_is_recorded_at_most_once_a_minute() {
    let mut f = Fixture::new();
    let token = f.token(f.admin, "ci");
    let last_used =
        |f: &Fixture| f.authority.list_tokens(f.admin, &TokenScope::Mine).unwrap()[0].last_used_at;
    assert_eq!(last_used(&f), None);
    f.verify(&token, None);
    assert_eq!(last_used(&f), Some(START));
    f.clock.advance(59);
    f.verify(&token, None);
    assert_eq!(
        last_used(&f),
        Some(START),
        "not rewritten within the minute"
    );
    f.clock.advance(1);
    f.verify(&token, None);
    assert_eq!(last_used(&f), Some(START + 60));
}

#[test]
fn ids_that_are_not_token_ids_are_refused_without_echoing_a_secret() {
    let mut f = Fixture::new();
    let token = f.token(f.admin, "ci");
    let error = f
        .authority
        .revoke_token(f.admin, token.secret.expose())
        .unwrap_err();
    assert!(matches!(error, CoreError::Invalid(_)));
    assert!(
        !error.to_string().contains(&token.secret.expose()[3..19]),
        "{error}"
    );
    assert!(matches!(
        f.authority.revoke_token(f.admin, "tok_0000000000000000"),
        Err(CoreError::NotFound(_))
    ));
}

#[test]
fn a_page_of_tokens_is_a_slice_of_the_newest_first_list() {
    let mut f = Fixture::new();
    for i in 0..7 {
        f.token(f.admin, &format!("t{i}"));
        f.clock.advance(1);
    }
    let names = |offset, limit| -> Vec<String> {
        f.authority
            .list_tokens_page(f.admin, &TokenScope::Mine, offset, limit)
            .unwrap()
            .into_iter()
            .map(|t| t.name)
            .collect()
    };
    assert_eq!(names(0, None), ["t6", "t5", "t4", "t3", "t2", "t1", "t0"]);
    assert_eq!(names(0, Some(3)), ["t6", "t5", "t4"]);
    assert_eq!(names(5, Some(3)), ["t1", "t0"]);
    assert!(names(7, Some(3)).is_empty());
}

#[test]
fn only_the_owner_can_rotate_a_token_not_even_an_administrator() {
    let mut f = Fixture::new();
    let bob = f.member("bob");
    let token = f.token(bob, "bob's");
    assert!(matches!(
        f.authority
            .rotate_token(f.admin, &token.token.id, RotateGrace::UntilFirstUse),
        Err(CoreError::Forbidden(_))
    ));
    assert!(f.verify(&token, None).valid, "bob's token is untouched");
    assert_eq!(
        f.authority
            .list_tokens(f.admin, &TokenScope::All)
            .unwrap()
            .len(),
        1,
        "no successor"
    );
    f.authority
        .rotate_token(bob, &token.token.id, RotateGrace::Immediate)
        .unwrap();
}

#[test]
fn a_rotated_successor_is_capped_by_a_lowered_maximum_lifetime() {
    let mut f = Fixture::new();
    let old = f.token(f.admin, "year");
    let mut settings = f.authority.settings().unwrap();
    settings.max_lifetime_days = 30;
    f.authority.update_settings(f.admin, &settings).unwrap();
    let new = f
        .authority
        .rotate_token(f.admin, &old.token.id, RotateGrace::Immediate)
        .unwrap();
    assert_eq!(new.token.expires_at - new.token.created_at, 30 * DAY);
}
