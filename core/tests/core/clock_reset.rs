//! A clock reset never revives anything: times stamped while the clock ran ahead are clamped to
//! the reset moment first.
use crate::common::*;
use latchkey_core::clock::DAY;
use latchkey_core::{CoreError, RotateGrace, TokenScope};

const SKEW: i64 = 100 * DAY;

#[test]
fn revocations_expiries_and_lock_outs_made_during_a_skew_survive_the_reset() {
    let mut f = Fixture::new();
    let bob = f.member("bob");
    let leaked = f.token(f.admin, "leaked");
    let short = f.token_for(f.admin, "short", 30, None);
    let bobs = f.token(bob, "bob's");
    f.clock.advance(SKEW);
    f.authority.revoke_token(f.admin, &leaked.token.id).unwrap();
    let future = f.token_for(f.admin, "made in the future", 100, None);
    for _ in 0..6 {
        let _ = f.authority.authenticate("bob", "not bob's password at all");
    }
    f.clock.set(START + DAY);
    assert!(f.authority.clock_behind_by().unwrap().is_some());
    let reset = f.authority.reset_clock_watermark(f.admin).unwrap();
    assert_eq!(reset.to, START + DAY);
    assert!(reset.tokens_clamped >= 3, "{reset:?}");
    assert_eq!(f.authority.now().unwrap(), START + DAY);

    assert_eq!(f.reason(&leaked, None), Some("revoked"));
    assert_eq!(f.reason(&short, None), Some("expired"));
    assert!(
        f.verify(&bobs, None).valid,
        "an unaffected token stays valid"
    );
    let listed = f.authority.list_tokens(f.admin, &TokenScope::Mine).unwrap();
    let made = listed.iter().find(|t| t.id == future.token.id).unwrap();
    assert_eq!(made.created_at, START + DAY);
    assert_eq!(
        made.expires_at,
        START + DAY + 100 * DAY,
        "lifetime counted from the reset"
    );
    assert!(listed.iter().all(|t| t.created_at <= START + DAY));
    assert!(matches!(
        f.authority.authenticate("bob", MEMBER_PASSWORD),
        Err(CoreError::Locked(_))
    ));
    f.clock.advance(15 * 60);
    f.authority.authenticate("bob", MEMBER_PASSWORD).unwrap();
}

#[test]
fn a_grace_period_begun_during_a_skew_keeps_its_length_from_the_reset() {
    let mut f = Fixture::new();
    let old = f.token(f.admin, "deploy");
    f.clock.advance(SKEW);
    f.authority
        .rotate_token(f.admin, &old.token.id, RotateGrace::Days(2))
        .unwrap();
    f.clock.set(START + DAY);
    f.authority.reset_clock_watermark(f.admin).unwrap();
    f.clock.advance(2 * DAY - 1);
    assert!(f.verify(&old, None).valid, "still inside the grace period");
    f.clock.advance(1);
    assert_eq!(f.reason(&old, None), Some("revoked"));
}

#[test]
fn a_reset_with_the_clock_not_behind_changes_no_token() {
    let mut f = Fixture::new();
    let token = f.token(f.admin, "kept");
    let reset = f.authority.reset_clock_watermark(f.admin).unwrap();
    assert_eq!((reset.tokens_clamped, reset.accounts_clamped), (0, 0));
    let listed = f.authority.list_tokens(f.admin, &TokenScope::Mine).unwrap();
    assert_eq!(listed[0].expires_at, token.token.expires_at);
}
