//! Issue 16: service accounts managed by a group, and hand-over when someone leaves.
use crate::common::*;
use latchkey_core::{
    CoreError, LeavingTokens, NewServiceAccount, NewToken, RotateGrace, TokenStatus,
};

/// An administrator's service account `svc-ci` managed by group `ci`, whose member is `alice`;
/// `bob` is a member outside the group. System `web` is granted to the service account.
struct Scene {
    f: Fixture,
    alice: latchkey_core::Actor,
    bob: latchkey_core::Actor,
}

fn scene() -> Scene {
    let mut f = Fixture::new();
    let alice = f.member("alice");
    let bob = f.member("bob");
    f.authority.add_group(f.admin, "ci").unwrap();
    f.authority
        .set_group_member(f.admin, "ci", "alice", true)
        .unwrap();
    let new = NewServiceAccount {
        username: "svc-ci",
        display_name: Some("CI pipeline"),
        managed_by: "ci",
    };
    let account = f.authority.add_service_account(f.admin, &new).unwrap();
    assert!(account.is_service());
    assert_eq!(account.managed_by.as_deref(), Some("ci"));
    f.system("web");
    f.authority.grant(f.admin, "svc-ci", "web").unwrap();
    Scene { f, alice, bob }
}

fn for_service(name: &str) -> NewToken {
    NewToken {
        name: name.into(),
        owner: Some("svc-ci".into()),
        ..NewToken::default()
    }
}

#[test]
fn a_member_of_the_managing_group_gets_the_secret_of_a_service_accounts_token() {
    let mut s = scene();
    let issued =
        s.f.authority
            .create_token(s.alice, &for_service("deploy"))
            .unwrap();
    assert_eq!(issued.token.owner, "svc-ci");
    assert_eq!(issued.token.created_by.as_deref(), Some("alice"));
    let answer = s.f.verify(&issued, Some("web"));
    assert!(answer.valid, "{answer:?}");
    assert_eq!(answer.owner.as_deref(), Some("svc-ci"));
    // Alice's own access does not matter: the service account's does.
    assert_eq!(s.f.reason(&issued, None), None);
    let events =
        s.f.authority
            .audit_events(s.f.admin, &Default::default())
            .unwrap();
    let created = events.iter().find(|e| e.action == "token.created").unwrap();
    assert_eq!(created.actor, "alice");
    assert!(created.details.to_string().contains("svc-ci"));
}

#[test]
fn nobody_outside_the_group_obtains_a_service_accounts_secret_administrators_included() {
    let mut s = scene();
    let admin = s.f.admin;
    for actor in [s.bob, admin] {
        let refused = s.f.authority.create_token(actor, &for_service("x"));
        assert!(
            matches!(refused, Err(CoreError::Forbidden(_))),
            "{refused:?}"
        );
    }
    let issued =
        s.f.authority
            .create_token(s.alice, &for_service("deploy"))
            .unwrap();
    for actor in [s.bob, admin] {
        let rotated =
            s.f.authority
                .rotate_token(actor, &issued.token.id, RotateGrace::Immediate);
        assert!(
            rotated.is_err(),
            "{actor:?} rotated a service account's token"
        );
    }
    // Bob cannot even see it; the administrator can revoke it, as any token.
    assert!(s.f.authority.revoke_token(s.bob, &issued.token.id).is_err());
    let revoked = s.f.authority.revoke_token(admin, &issued.token.id).unwrap();
    assert_eq!(revoked.status, TokenStatus::Revoked);
    let created: Vec<_> =
        s.f.audit_actions()
            .into_iter()
            .filter(|a| a == "token.created")
            .collect();
    assert_eq!(created.len(), 1, "the refusals created nothing");
}

#[test]
fn a_member_manages_the_tokens_while_in_the_group_and_not_after() {
    let mut s = scene();
    let issued =
        s.f.authority
            .create_token(s.alice, &for_service("deploy"))
            .unwrap();
    let scope = latchkey_core::TokenScope::Owner("svc-ci".into());
    assert_eq!(s.f.authority.list_tokens(s.alice, &scope).unwrap().len(), 1);
    assert!(s.f.authority.list_tokens(s.bob, &scope).is_err());
    let rotated =
        s.f.authority
            .rotate_token(s.alice, &issued.token.id, RotateGrace::Immediate)
            .unwrap();
    assert_eq!(rotated.token.owner, "svc-ci");
    s.f.authority
        .set_group_member(s.f.admin, "ci", "alice", false)
        .unwrap();
    assert!(s.f.authority.list_tokens(s.alice, &scope).is_err());
    assert!(
        s.f.authority
            .revoke_token(s.alice, &rotated.token.id)
            .is_err()
    );
    assert!(
        s.f.authority
            .create_token(s.alice, &for_service("y"))
            .is_err()
    );
    let names: Vec<String> =
        s.f.authority
            .service_accounts(s.alice)
            .unwrap()
            .into_iter()
            .map(|a| a.username)
            .collect();
    assert!(names.is_empty());
}

#[test]
fn a_service_account_never_signs_in_and_gets_no_password() {
    let mut s = scene();
    // There is no password: every guess fails as a wrong password does.
    let refused = s.f.authority.authenticate("svc-ci", MEMBER_PASSWORD);
    assert!(
        matches!(refused, Err(CoreError::WrongCredentials)),
        "{refused:?}"
    );
    let reset =
        s.f.authority
            .reset_password(s.f.admin, "svc-ci", "a brand new long password");
    assert!(matches!(reset, Err(CoreError::Invalid(_))), "{reset:?}");
    let admin =
        s.f.authority
            .set_role(s.f.admin, "svc-ci", latchkey_core::Role::Admin);
    assert!(admin.is_err());
    assert!(
        s.f.authority
            .add_service_account(
                s.alice,
                &NewServiceAccount {
                    username: "svc-2",
                    display_name: None,
                    managed_by: "ci",
                }
            )
            .is_err(),
        "only administrators create service accounts"
    );
}

#[test]
fn the_group_members_get_the_service_accounts_reminders() {
    let mut s = scene();
    s.f.authority
        .create_token(s.alice, &for_service("deploy"))
        .unwrap();
    s.f.advance_days(340);
    let names = |f: &Fixture, actor| -> Vec<(String, Option<String>)> {
        f.authority
            .reminders_due_for(actor)
            .unwrap()
            .into_iter()
            .map(|r| (r.owner, r.managed_by))
            .collect()
    };
    let expected = [("svc-ci".to_string(), Some("ci".to_string()))];
    assert!(names(&s.f, s.alice).contains(&expected[0]));
    assert!(names(&s.f, s.bob).is_empty());
}

#[test]
fn the_preview_shows_what_stops_and_changes_nothing() {
    let mut s = scene();
    s.f.system("db");
    s.f.authority.grant(s.f.admin, "bob", "db").unwrap();
    let used = s.f.token(s.bob, "used last week");
    let _quiet = s.f.token(s.bob, "quiet");
    s.f.advance_days(20);
    s.f.verify(&used, Some("db"));
    s.f.advance_days(10);
    let before = s.f.audit_actions().len();
    let preview =
        s.f.authority
            .deactivation_preview(s.f.admin, "bob")
            .unwrap();
    assert_eq!(preview.tokens.len(), 2);
    let by_name = |n: &str| preview.tokens.iter().find(|t| t.token.name == n).unwrap();
    let (used_row, quiet_row) = (by_name("used last week"), by_name("quiet"));
    assert!(!used_row.used_last_7_days && used_row.used_last_30_days);
    assert!(!quiet_row.used_last_7_days && !quiet_row.used_last_30_days);
    assert_eq!(
        serde_json::to_value(&used_row.reaches).unwrap(),
        serde_json::json!(["db"])
    );
    assert!(s.f.authority.deactivation_preview(s.bob, "bob").is_err());
    assert_eq!(
        s.f.audit_actions().len(),
        before,
        "a preview records nothing"
    );
    assert!(
        s.f.verify(&used, Some("db")).valid,
        "and deactivates nothing"
    );
    // Alice is the only active member of "ci": svc-ci would be left unmanaged.
    let preview =
        s.f.authority
            .deactivation_preview(s.f.admin, "alice")
            .unwrap();
    assert_eq!(preview.unmanaged_service_accounts, ["svc-ci"]);
}

#[test]
fn a_handed_over_token_keeps_verifying_with_the_service_accounts_access_only() {
    let mut s = scene();
    s.f.system("db");
    s.f.authority.grant(s.f.admin, "bob", "web").unwrap();
    s.f.authority.grant(s.f.admin, "bob", "db").unwrap();
    s.f.authority.grant(s.f.admin, "svc-ci", "db").unwrap();
    s.f.system("billing");
    s.f.authority.grant(s.f.admin, "svc-ci", "billing").unwrap();
    let ci = s.f.token(s.bob, "ci deploy");
    let done =
        s.f.authority
            .deactivate_account(
                s.f.admin,
                "bob",
                &LeavingTokens::HandOverTo("svc-ci".into()),
            )
            .unwrap();
    assert_eq!(done.handed_over, std::slice::from_ref(&ci.token.id));
    assert!(s.f.authority.authenticate("bob", MEMBER_PASSWORD).is_err());
    let answer = s.f.verify(&ci, Some("web"));
    assert!(answer.valid, "{answer:?}");
    assert_eq!(answer.owner.as_deref(), Some("svc-ci"));
    // It reaches no more than it did for Bob, though the service account reaches billing.
    assert_eq!(s.f.reason(&ci, Some("billing")), Some("no_access"));
    // Its access is the service account's: removing that grant stops it.
    s.f.authority.ungrant(s.f.admin, "svc-ci", "web").unwrap();
    assert_eq!(s.f.reason(&ci, Some("web")), Some("no_access"));
    assert!(s.f.verify(&ci, Some("db")).valid);
    assert!(
        s.f.audit_actions()
            .contains(&"token.handed_over".to_string())
    );
}

#[test]
fn deactivation_can_revoke_the_tokens_or_leave_them_failing() {
    let mut s = scene();
    let a = s.f.token(s.bob, "a");
    let done =
        s.f.authority
            .deactivate_account(s.f.admin, "bob", &LeavingTokens::Revoke)
            .unwrap();
    assert_eq!(done.revoked, std::slice::from_ref(&a.token.id));
    assert_eq!(s.f.reason(&a, None), Some("revoked"));
    s.f.authority.reactivate(s.f.admin, "bob").unwrap();
    assert_eq!(
        s.f.reason(&a, None),
        Some("revoked"),
        "reactivation revives nothing revoked"
    );
    let b = s.f.token(s.bob, "b");
    s.f.authority
        .deactivate_account(s.f.admin, "bob", &LeavingTokens::Keep)
        .unwrap();
    assert_eq!(s.f.reason(&b, None), Some("owner_deactivated"));
}

#[test]
fn a_hand_over_goes_only_to_an_active_service_account_and_only_by_an_administrator() {
    let mut s = scene();
    let t = s.f.token(s.bob, "t");
    let admin_own = s.f.token(s.f.admin, "root's own");
    // An active account's tokens are handed over only as it leaves: otherwise a secret its
    // holder keeps (an administrator's own, say) would act as the service account.
    for id in [&t.token.id, &admin_own.token.id] {
        let early = s.f.authority.hand_over_token(s.f.admin, id, "svc-ci");
        assert!(matches!(early, Err(CoreError::Conflict(_))), "{early:?}");
    }
    s.f.authority.deactivate(s.f.admin, "svc-ci").unwrap();
    let refused = s.f.authority.deactivate_account(
        s.f.admin,
        "bob",
        &LeavingTokens::HandOverTo("svc-ci".into()),
    );
    assert!(
        matches!(refused, Err(CoreError::Conflict(_))),
        "{refused:?}"
    );
    assert!(
        s.f.verify(&t, None).valid,
        "a refused deactivation changed nothing"
    );
    s.f.authority.reactivate(s.f.admin, "svc-ci").unwrap();
    s.f.authority.deactivate(s.f.admin, "bob").unwrap();
    let to_person =
        s.f.authority
            .hand_over_token(s.f.admin, &t.token.id, "alice");
    assert!(
        matches!(to_person, Err(CoreError::Invalid(_))),
        "{to_person:?}"
    );
    assert!(
        s.f.authority
            .hand_over_token(s.alice, &t.token.id, "svc-ci")
            .is_err()
    );
    assert!(
        !s.f.audit_actions()
            .contains(&"token.handed_over".to_string())
    );
    // After the fact (CI broke when Bob left): handed over, and Bob named as knowing the secret.
    let handed =
        s.f.authority
            .hand_over_token(s.f.admin, &t.token.id, "svc-ci")
            .unwrap();
    assert_eq!(handed.owner, "svc-ci");
    assert_eq!(handed.created_by.as_deref(), Some("bob"));
    assert!(s.f.verify(&t, None).valid);
}

#[test]
fn the_preview_names_service_account_secrets_the_person_still_knows() {
    let mut s = scene();
    let issued =
        s.f.authority
            .create_token(s.alice, &for_service("deploy"))
            .unwrap();
    let preview =
        s.f.authority
            .deactivation_preview(s.f.admin, "alice")
            .unwrap();
    assert!(preview.tokens.is_empty());
    let known: Vec<&str> = preview
        .secrets_known
        .iter()
        .map(|t| t.id.as_str())
        .collect();
    assert_eq!(known, [issued.token.id.as_str()]);
}
