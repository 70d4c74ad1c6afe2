//! SPEC §5 `verify` reasons and their order, and the clock rules of §2.
use crate::common::*;
use latchkey_core::clock::DAY;
use latchkey_core::tokens::format as token_format;
use latchkey_core::tokens::verify::{TokenSystems, precheck};
use latchkey_core::{CoreError, DenyReason, VerifyAction, VerifyRequest};

#[test]
fn a_malformed_token_is_refused_before_the_store_is_touched() {
    assert_eq!(
        precheck("lk_short").unwrap().reason,
        Some(DenyReason::Malformed)
    );
    let good = token_format::generate().unwrap();
    assert!(precheck(good.expose()).is_none());
    let mut f = Fixture::new();
    let before = f.audit_actions().len();
    let answer = f
        .authority
        .verify("not a token", &VerifyRequest::default())
        .unwrap();
    assert_eq!(answer.reason, Some(DenyReason::Malformed));
    assert_eq!(
        f.audit_actions().len(),
        before,
        "a malformed token never reaches the store"
    );
}

#[test]
fn a_token_with_a_wrong_checksum_is_malformed() {
    let mut f = Fixture::new();
    let token = f.token(f.admin, "ci");
    let mut typo = token.secret.expose().to_string();
    let last = if typo.ends_with('A') { "B" } else { "A" };
    typo.replace_range(51..52, last);
    assert_eq!(
        f.authority
            .verify(&typo, &VerifyRequest::default())
            .unwrap()
            .reason,
        Some(DenyReason::Malformed)
    );
}

#[test]
fn an_unknown_token_is_denied_and_the_denial_is_audited() {
    let mut f = Fixture::new();
    let stranger = token_format::generate().unwrap();
    let answer = f
        .authority
        .verify(stranger.expose(), &VerifyRequest::default())
        .unwrap();
    assert_eq!(answer.reason, Some(DenyReason::Unknown));
    assert_eq!((answer.token_id, answer.owner), (None, None));
    // Denials are written in batches (SPEC §2); flushing writes this one now.
    f.authority.flush_audit().unwrap();
    let events = f
        .authority
        .audit_events(f.admin, &Default::default())
        .unwrap();
    let denied = events.last().unwrap();
    assert_eq!(denied.action, "verify.denied");
    assert!(denied.details.contains("unknown"));
    assert!(!denied.details.contains(&stranger.expose()[3..19]) && !denied.target.contains("lk_"));
}

#[test]
fn a_valid_token_answers_whose_it_is_and_what_it_may_reach() {
    let mut f = Fixture::new();
    f.system("web");
    f.system("db");
    let bob = f.member("bob");
    f.authority.grant(f.admin, "bob", "web").unwrap();
    let token = f.token(bob, "ci");
    let request = VerifyRequest {
        list_systems: true,
        ..VerifyRequest::default()
    };
    let answer = f.authority.verify(token.secret.expose(), &request).unwrap();
    assert!(answer.valid);
    assert_eq!(answer.owner.as_deref(), Some("bob"));
    assert_eq!(answer.token_id.as_deref(), Some(token.token.id.as_str()));
    assert_eq!(answer.expires_at, Some(token.token.expires_at));
    assert_eq!(answer.systems, TokenSystems::Listed(vec!["web".into()]));
    let admins = f.token(f.admin, "admin's");
    let answer = f
        .authority
        .verify(admins.secret.expose(), &request)
        .unwrap();
    assert_eq!(answer.systems, TokenSystems::All);
    assert_eq!(serde_json::to_value(&answer.systems).unwrap(), "all");
}

#[test]
fn a_deactivated_owners_tokens_are_denied_and_come_back_on_reactivation() {
    let mut f = Fixture::new();
    let bob = f.member("bob");
    let token = f.token(bob, "ci");
    f.authority.deactivate(f.admin, "bob").unwrap();
    assert_eq!(f.reason(&token, None), Some("owner_deactivated"));
    f.authority.reactivate(f.admin, "bob").unwrap();
    assert!(f.verify(&token, None).valid);
}

#[test]
fn reactivation_does_not_revive_a_revoked_or_expired_token() {
    let mut f = Fixture::new();
    let bob = f.member("bob");
    let revoked = f.token(bob, "revoked");
    let short = f.token_for(bob, "short", 1, None);
    f.authority.revoke_token(bob, &revoked.token.id).unwrap();
    f.authority.deactivate(f.admin, "bob").unwrap();
    f.advance_days(2);
    f.authority.reactivate(f.admin, "bob").unwrap();
    assert_eq!(f.reason(&revoked, None), Some("revoked"));
    assert_eq!(f.reason(&short, None), Some("expired"));
}

#[test]
fn where_several_reasons_hold_the_first_in_spec_order_wins() {
    let mut f = Fixture::new();
    f.system("web");
    let bob = f.member("bob");
    let token = f.token_for(bob, "all wrong", 1, None);
    f.authority.deactivate(f.admin, "bob").unwrap();
    assert_eq!(
        f.reason(&token, Some("web")),
        Some("owner_deactivated"),
        "deactivated beats no_access"
    );
    f.advance_days(1);
    assert_eq!(
        f.reason(&token, Some("web")),
        Some("expired"),
        "expired beats deactivated"
    );
    f.authority.revoke_token(f.admin, &token.token.id).unwrap();
    assert_eq!(
        f.reason(&token, Some("web")),
        Some("revoked"),
        "revoked beats expired"
    );
}

#[test]
fn an_unknown_system_is_no_access() {
    let mut f = Fixture::new();
    let token = f.token(f.admin, "ci");
    assert_eq!(f.reason(&token, Some("no-such-system")), Some("no_access"));
}

#[test]
fn any_valid_token_of_an_active_account_may_onboard() {
    let mut f = Fixture::new();
    let bob = f.member("bob");
    let token = f.token(bob, "ci");
    let request = VerifyRequest {
        system: Some("new-thing"),
        action: VerifyAction::Onboard,
        list_systems: false,
    };
    assert!(
        f.authority
            .verify(token.secret.expose(), &request)
            .unwrap()
            .valid
    );
    let actor = f.authority.actor_from_token(token.secret.expose()).unwrap();
    f.authority
        .onboard_system(actor, "new-thing", None)
        .unwrap();
    f.authority.revoke_token(bob, &token.token.id).unwrap();
    assert!(matches!(
        f.authority.actor_from_token(token.secret.expose()),
        Err(CoreError::Forbidden(_))
    ));
}

#[test]
fn setting_the_clock_back_never_revives_an_expired_token() {
    let mut f = Fixture::new();
    let token = f.token_for(f.admin, "short", 1, None);
    f.advance_days(2);
    // The denial is a write: the store saw this time.
    assert_eq!(f.reason(&token, None), Some("expired"));
    f.clock.set(START);
    assert_eq!(f.reason(&token, None), Some("expired"));
    assert_eq!(f.authority.now().unwrap(), START + 2 * DAY);
}

#[test]
fn a_clock_more_than_five_minutes_behind_is_reported_and_an_administrator_can_reset_it() {
    let mut f = Fixture::new();
    f.clock.advance(3600);
    f.token(f.admin, "moves the watermark");
    f.clock.advance(-300);
    assert_eq!(
        f.authority.clock_behind_by().unwrap(),
        None,
        "five minutes is tolerated"
    );
    f.clock.advance(-1);
    assert_eq!(f.authority.clock_behind_by().unwrap(), Some(301));
    let bob = f.member("bob");
    assert!(matches!(
        f.authority.reset_clock_watermark(bob),
        Err(CoreError::Forbidden(_))
    ));
    f.authority.reset_clock_watermark(f.admin).unwrap();
    assert_eq!(f.authority.clock_behind_by().unwrap(), None);
    assert!(f.audit_actions().contains(&"clock.reset".to_string()));
}
