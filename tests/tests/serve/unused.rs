//! Issue 16: `latchkey serve` applies the automatic-revocation setting as it starts (and every
//! ten minutes after): with the setting on, a token unused for longer is refused from the very
//! first request, audited as revoked by latchkey; with it off (the default), nothing changes.
use latchkey_tests::serve::{Service, http_client};
use latchkey_tests::*;

const DAY: i64 = 86_400;

fn shifted(days: i64) -> String {
    (days * DAY).to_string()
}

#[test]
fn serve_revokes_long_unused_tokens_before_its_first_answer_only_when_the_setting_is_on() {
    let env = Env::initialised();
    env.add_member("alice");
    env.as_admin(&["systems", "onboard", "web"]).ok();
    env.as_admin(&["grant", "alice", "web"]).ok();
    let (idle, idle_id) = env.create_token("alice", MEMBER_PASSWORD, &[]);
    let (busy, _) = env.create_token("alice", MEMBER_PASSWORD, &[]);
    let hundred = shifted(100);
    env.run(
        &["verify", "--system", "web"],
        &[("LATCHKEY_TEST_CLOCK_SHIFT", &hundred)],
        Some(&busy),
    )
    .ok();

    // 150 days later, the setting off: the service revokes nothing.
    let later = shifted(150);
    let clock = ("LATCHKEY_TEST_CLOCK_SHIFT", later.as_str());
    let service = Service::start(&env, &[], &[clock]);
    assert_eq!(
        http_client::verify(service.addr, "web", Some(&busy)).status,
        204
    );
    assert_eq!(service.stop_with("TERM").code, Some(0));
    let admin = [
        ("LATCHKEY_USER", ADMIN),
        ("LATCHKEY_PASSWORD", ADMIN_PASSWORD),
        clock,
    ];
    let revocations = || {
        env.run(
            &["--json", "audit", "--action", "token.revoked"],
            &admin,
            None,
        )
        .ok()
        .json()
    };
    assert_eq!(revocations(), serde_json::json!([]));

    env.run(
        &["settings", "set", "--auto-revoke-unused-days", "120"],
        &admin,
        None,
    )
    .ok();
    let service = Service::start(&env, &[], &[clock]);
    assert_eq!(
        http_client::verify(service.addr, "web", Some(&idle)).status,
        401
    );
    assert_eq!(
        http_client::verify(service.addr, "web", Some(&busy)).status,
        204
    );
    let stopped = service.stop_with("TERM");
    assert!(stopped.log.contains("revoked 1 token(s)"), "{stopped:?}");

    let audit = revocations();
    let events = audit.as_array().unwrap();
    assert_eq!(events.len(), 1, "{audit}");
    assert_eq!(events[0]["target"], idle_id.as_str());
    assert_eq!(events[0]["actor"], "latchkey");
}
