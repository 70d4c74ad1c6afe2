//! SPEC §2 "Systems and access".
use crate::common::*;
use latchkey_core::settings::Settings;
use latchkey_core::{CoreError, NewToken};

#[test]
fn every_active_member_may_onboard_a_system() {
    let mut f = Fixture::new();
    let bob = f.member("bob");
    let system = f
        .authority
        .onboard_system(bob, "billing-api", Some("Billing API"))
        .unwrap();
    assert_eq!(
        (system.slug.as_str(), system.onboarded_by.as_str()),
        ("billing-api", "bob")
    );
    assert_eq!(f.authority.systems(bob).unwrap().len(), 1);
}

#[test]
fn onboarding_does_not_grant_access_by_default() {
    let mut f = Fixture::new();
    let bob = f.member("bob");
    f.authority.onboard_system(bob, "web", None).unwrap();
    assert!(!f.authority.may_access("bob", "web").unwrap());
    let token = f.token(bob, "ci");
    assert_eq!(f.reason(&token, Some("web")), Some("no_access"));
}

#[test]
fn the_onboarder_gets_access_when_the_setting_is_on() {
    let mut f = Fixture::new();
    let bob = f.member("bob");
    let mut settings = f.authority.settings().unwrap();
    assert!(!settings.onboarder_gets_access, "off by default");
    settings.onboarder_gets_access = true;
    f.authority.update_settings(f.admin, &settings).unwrap();
    f.authority.onboard_system(bob, "web", None).unwrap();
    assert!(f.authority.may_access("bob", "web").unwrap());
}

#[test]
fn members_cannot_change_settings() {
    let mut f = Fixture::new();
    let bob = f.member("bob");
    let settings = Settings {
        onboarder_gets_access: true,
        ..f.authority.settings().unwrap()
    };
    assert!(matches!(
        f.authority.update_settings(bob, &settings),
        Err(CoreError::Forbidden(_))
    ));
}

#[test]
fn slugs_are_unique_and_checked() {
    let mut f = Fixture::new();
    f.system("web");
    assert!(matches!(
        f.authority.onboard_system(f.admin, "web", None),
        Err(CoreError::Conflict(_))
    ));
    assert!(matches!(
        f.authority.onboard_system(f.admin, "Web App", None),
        Err(CoreError::Invalid(_))
    ));
}

#[test]
fn administrators_and_access_to_all_reach_every_system() {
    let mut f = Fixture::new();
    f.system("web");
    f.member("bob");
    assert!(f.authority.may_access("root", "web").unwrap());
    assert!(!f.authority.may_access("bob", "web").unwrap());
    f.authority.set_access_all(f.admin, "bob", true).unwrap();
    assert!(f.authority.may_access("bob", "web").unwrap());
}

#[test]
fn a_direct_grant_gives_access_and_granting_twice_records_one_event() {
    let mut f = Fixture::new();
    f.system("web");
    f.member("bob");
    f.authority.grant(f.admin, "bob", "web").unwrap();
    f.authority.grant(f.admin, "bob", "web").unwrap();
    assert!(f.authority.may_access("bob", "web").unwrap());
    assert_eq!(
        f.audit_actions()
            .iter()
            .filter(|a| *a == "grant.added")
            .count(),
        1
    );
}

#[test]
fn a_group_grant_gives_its_members_access_and_groups_only_add() {
    let mut f = Fixture::new();
    f.system("web");
    f.system("db");
    f.member("bob");
    f.authority.grant(f.admin, "bob", "db").unwrap();
    f.authority.add_group(f.admin, "deployers").unwrap();
    f.authority
        .set_group_grant(f.admin, "deployers", "web", true)
        .unwrap();
    assert!(!f.authority.may_access("bob", "web").unwrap());
    f.authority
        .set_group_member(f.admin, "deployers", "bob", true)
        .unwrap();
    assert!(f.authority.may_access("bob", "web").unwrap());
    assert!(
        f.authority.may_access("bob", "db").unwrap(),
        "a group never takes a direct grant away"
    );
    f.authority
        .set_group_member(f.admin, "deployers", "bob", false)
        .unwrap();
    assert!(!f.authority.may_access("bob", "web").unwrap());
    let groups = f.authority.groups(f.admin).unwrap();
    assert_eq!(groups[0].systems, ["web"]);
}

#[test]
fn removing_a_grant_denies_that_system_at_the_next_verification() {
    let mut f = Fixture::new();
    f.system("web");
    let bob = f.member("bob");
    f.authority.grant(f.admin, "bob", "web").unwrap();
    let token = f.token(bob, "ci");
    assert!(f.verify(&token, Some("web")).valid);
    f.authority.ungrant(f.admin, "bob", "web").unwrap();
    assert_eq!(f.reason(&token, Some("web")), Some("no_access"));
}

#[test]
fn removing_a_missing_grant_succeeds_and_records_nothing() {
    let mut f = Fixture::new();
    f.system("web");
    f.member("bob");
    let before = f.audit_actions().len();
    f.authority.ungrant(f.admin, "bob", "web").unwrap();
    assert_eq!(f.audit_actions().len(), before);
}

#[test]
fn grants_name_existing_accounts_and_systems() {
    let mut f = Fixture::new();
    f.system("web");
    assert!(matches!(
        f.authority.grant(f.admin, "nobody", "web"),
        Err(CoreError::NotFound(_))
    ));
    f.member("bob");
    assert!(matches!(
        f.authority.grant(f.admin, "bob", "nothing"),
        Err(CoreError::NotFound(_))
    ));
}

#[test]
fn members_cannot_grant() {
    let mut f = Fixture::new();
    f.system("web");
    let bob = f.member("bob");
    assert!(matches!(
        f.authority.grant(bob, "bob", "web"),
        Err(CoreError::Forbidden(_))
    ));
}

#[test]
fn tokens_inherit_access_from_their_owner_at_verification_time() {
    let mut f = Fixture::new();
    f.system("web");
    let bob = f.member("bob");
    let token = f.token(bob, "ci");
    assert_eq!(f.reason(&token, Some("web")), Some("no_access"));
    f.authority.grant(f.admin, "bob", "web").unwrap();
    assert!(
        f.verify(&token, Some("web")).valid,
        "a grant made after creation reaches existing tokens"
    );
}

#[test]
fn a_narrowed_token_never_exceeds_its_owner() {
    let mut f = Fixture::new();
    f.system("web");
    f.system("db");
    let bob = f.member("bob");
    f.authority.grant(f.admin, "bob", "web").unwrap();
    f.authority.grant(f.admin, "bob", "db").unwrap();
    let token = f.token_for(bob, "web only", 30, Some(&["web"]));
    assert!(f.verify(&token, Some("web")).valid);
    assert_eq!(
        f.reason(&token, Some("db")),
        Some("no_access"),
        "narrowed away"
    );
    f.authority.ungrant(f.admin, "bob", "web").unwrap();
    assert_eq!(
        f.reason(&token, Some("web")),
        Some("no_access"),
        "owner lost it"
    );
}

#[test]
fn narrowing_to_a_missing_or_inaccessible_system_is_refused() {
    let mut f = Fixture::new();
    f.system("web");
    let bob = f.member("bob");
    let request = |s: &str| NewToken {
        name: "x".into(),
        expires_in_days: None,
        systems: Some(vec![s.to_string()]),
        ..NewToken::default()
    };
    assert!(matches!(
        f.authority.create_token(bob, &request("web")),
        Err(CoreError::Forbidden(_))
    ));
    assert!(matches!(
        f.authority.create_token(bob, &request("nope")),
        Err(CoreError::NotFound(_))
    ));
    assert!(
        f.authority
            .list_tokens(bob, &latchkey_core::TokenScope::Mine)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn administrators_see_who_has_access_to_a_system() {
    let mut f = Fixture::new();
    f.system("web");
    f.member("bob");
    f.member("carol");
    f.authority.grant(f.admin, "bob", "web").unwrap();
    let access = f.authority.system_access(f.admin, "web").unwrap();
    let names: Vec<_> = access.iter().map(|(u, _)| u.as_str()).collect();
    assert_eq!(names, ["bob", "root"]);
}
