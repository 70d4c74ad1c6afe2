//! `GET /v1/verify`: every answer of SPEC §5 with its headers, the reason never in it, and the
//! store read afresh on every request.
use latchkey_tests::serve::http_client::{Reply, exchange, get, request, verify};
use latchkey_tests::*;

use super::fixture::Fixture;

const INVALID: &str = "Bearer error=\"invalid_token\"";

fn assert_denied(reply: &Reply, status: u16, challenge: &str) {
    assert_eq!(reply.status, status, "{reply:?}");
    assert_eq!(
        reply.header("www-authenticate"),
        Some(challenge),
        "{reply:?}"
    );
    // Nothing says why, or whose.
    assert!(reply.body.is_empty(), "{reply:?}");
    for name in [
        "x-latchkey-owner",
        "x-latchkey-token-id",
        "x-latchkey-expires-at",
    ] {
        assert!(reply.header(name).is_none(), "{name} in {reply:?}");
    }
}

#[test]
fn a_valid_token_gets_204_with_owner_id_and_expiry() {
    let fixture = Fixture::new();
    let service = fixture.serve(&[]);
    let reply = verify(service.addr, "web", Some(&fixture.valid));
    assert_eq!(reply.status, 204, "{reply:?}");
    assert_eq!(reply.header("x-latchkey-owner"), Some("alice"));
    assert_eq!(
        reply.header("x-latchkey-token-id"),
        Some(fixture.valid_id.as_str())
    );
    let expires = reply.header("x-latchkey-expires-at").expect("expiry");
    let listed = fixture
        .env
        .as_admin(&["--json", "tokens", "list", "--all"])
        .ok()
        .json();
    let token = listed
        .as_array()
        .and_then(|all| all.iter().find(|t| t["id"] == fixture.valid_id.as_str()))
        .expect("the token is listed");
    assert_eq!(
        token["expires_at"], expires,
        "RFC 3339, as --json writes it"
    );
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    // Any method: nginx's auth_request passes the original one on.
    let post = exchange(
        service.addr,
        &request(
            "POST",
            "/v1/verify?system=web",
            Some(&fixture.valid),
            &[],
            b"",
        ),
    );
    assert_eq!(post.status, 204, "{post:?}");
    // Onboarding asks only for a valid token of an active account.
    let onboard = get(
        service.addr,
        "/v1/verify?system=new-thing&action=onboard",
        Some(&fixture.no_access),
    );
    assert_eq!(onboard.status, 204, "{onboard:?}");
}

#[test]
fn every_kind_of_invalid_token_gets_the_same_401_and_no_access_403() {
    let fixture = Fixture::new();
    let service = fixture.serve(&[]);
    let cases = [
        ("missing", None),
        ("malformed", Some(fixture.malformed.as_str())),
        ("unknown", Some(fixture.unknown.as_str())),
        ("revoked", Some(fixture.revoked.as_str())),
        ("expired", Some(fixture.expired.as_str())),
        ("owner_deactivated", Some(fixture.deactivated.as_str())),
    ];
    for (reason, token) in cases {
        let reply = verify(service.addr, "web", token);
        assert_denied(&reply, 401, INVALID);
        let logged = service.logged(&format!("denied ({reason})"));
        assert!(logged, "{reason}: {}", service.log());
    }
    let other_scheme = exchange(
        service.addr,
        &request(
            "GET",
            "/v1/verify?system=web",
            None,
            &["Authorization: Basic YTpi"],
            b"",
        ),
    );
    assert_denied(&other_scheme, 401, INVALID);
    let reply = verify(service.addr, "web", Some(&fixture.no_access));
    assert_denied(&reply, 403, "Bearer error=\"insufficient_scope\"");
    // A system that does not exist is no access, like the CLI says.
    assert_denied(
        &verify(service.addr, "nowhere", Some(&fixture.valid)),
        403,
        "Bearer error=\"insufficient_scope\"",
    );
    // The reasons are in the audit log (written when their batch is due, or at the stop).
    let stopped = service.stop_with("TERM");
    for reason in [
        "unknown",
        "revoked",
        "expired",
        "owner_deactivated",
        "no_access",
    ] {
        assert!(fixture.denials(reason) >= 1, "{reason} not audited");
    }
    assert_eq!(
        leaks(stopped.log.as_bytes(), &fixture.all_tokens()),
        None,
        "a token in the log"
    );
}

#[test]
fn a_missing_or_invalid_system_or_action_is_400() {
    let fixture = Fixture::new();
    let service = fixture.serve(&[]);
    for target in [
        "/v1/verify",
        "/v1/verify?system=",
        "/v1/verify?system=Web",
        "/v1/verify?system=we%20b",
        "/v1/verify?system=web&system=db",
        "/v1/verify?system=web&action=delete",
        "/v1/verify?action=access",
    ] {
        let reply = get(service.addr, target, Some(&fixture.valid));
        assert_eq!(reply.status, 400, "{target}: {reply:?}");
        assert!(reply.header("x-latchkey-owner").is_none());
    }
}

#[test]
fn revoking_deactivating_and_ungranting_with_the_cli_take_effect_on_the_next_request() {
    let fixture = Fixture::new();
    let env = &fixture.env;
    let service = fixture.serve(&[]);
    let (token, id) = env.create_token("alice", MEMBER_PASSWORD, &[]);
    assert_eq!(verify(service.addr, "web", Some(&token)).status, 204);
    env.as_admin(&["ungrant", "alice", "web"]).ok();
    assert_eq!(verify(service.addr, "web", Some(&token)).status, 403);
    env.as_admin(&["grant", "alice", "web"]).ok();
    assert_eq!(verify(service.addr, "web", Some(&token)).status, 204);
    env.as_admin(&["users", "deactivate", "alice"]).ok();
    assert_eq!(verify(service.addr, "web", Some(&token)).status, 401);
    env.as_admin(&["users", "reactivate", "alice"]).ok();
    assert_eq!(verify(service.addr, "web", Some(&token)).status, 204);
    env.as_admin(&["tokens", "revoke", &id]).ok();
    assert_eq!(verify(service.addr, "web", Some(&token)).status, 401);
}

#[test]
fn an_unreadable_store_is_503_and_healthz_says_so_until_it_is_back() {
    let fixture = Fixture::new();
    let service = fixture.serve(&[]);
    assert_eq!(get(service.addr, "/healthz", None).status, 200);
    assert_eq!(get(service.addr, "/healthz", None).text(), "ok\n");
    // The store moved away (as a restore would replace it): nothing to read at its path.
    let aside = fixture.env.dir.path().join("aside.db");
    std::fs::rename(&fixture.env.db, &aside).expect("move the store away");
    let reply = verify(service.addr, "web", Some(&fixture.valid));
    assert_eq!(reply.status, 503, "{reply:?}");
    assert!(reply.header("x-latchkey-owner").is_none());
    assert_eq!(get(service.addr, "/healthz", None).status, 503);
    // A malformed token needs no store: still 401.
    assert_eq!(
        verify(service.addr, "web", Some(&fixture.malformed)).status,
        401
    );
    std::fs::rename(&aside, &fixture.env.db).expect("put the store back");
    assert_eq!(
        verify(service.addr, "web", Some(&fixture.valid)).status,
        204
    );
    assert_eq!(get(service.addr, "/healthz", None).status, 200);
    assert!(
        service.logged("answering 503") && service.logged("answer again"),
        "{}",
        service.log()
    );
}

#[test]
fn metrics_count_outcomes_latency_and_pending_audit_events() {
    let fixture = Fixture::new();
    let service = fixture.serve(&[]);
    verify(service.addr, "web", Some(&fixture.valid));
    verify(service.addr, "web", Some(&fixture.revoked));
    verify(service.addr, "web", Some(&fixture.no_access));
    let reply = get(service.addr, "/metrics", None);
    assert_eq!(reply.status, 200);
    assert!(
        reply
            .header("content-type")
            .is_some_and(|t| t.starts_with("application/openmetrics-text"))
    );
    let text = reply.text();
    for line in [
        "latchkey_verifications_total{outcome=\"valid\"} 1",
        "latchkey_verifications_total{outcome=\"invalid_token\"} 1",
        "latchkey_verifications_total{outcome=\"insufficient_scope\"} 1",
        "latchkey_verification_duration_seconds_count 3",
        "latchkey_audit_pending_events ",
        "latchkey_connections_open ",
    ] {
        assert!(text.contains(line), "{line} missing from {text}");
    }
    // Open to any caller: a denial's reason must not be readable there either.
    for reason in ["revoked", "no_access", "unknown", "expired"] {
        assert!(
            !text.contains(&format!("\"{reason}\"")),
            "{reason} in {text}"
        );
    }
    assert_eq!(get(service.addr, "/nothing-here", None).status, 404);
}

#[test]
fn envoy_ext_authz_gets_200_for_the_system_in_its_prefix_whatever_follows() {
    let fixture = Fixture::new();
    let service = fixture.serve(&[]);
    let valid = Some(fixture.valid.as_str());
    for target in [
        "/v1/ext-authz/web",
        "/v1/ext-authz/web/reports/today?system=db&x=1",
    ] {
        let reply = get(service.addr, target, valid);
        assert_eq!(reply.status, 200, "{target}: {reply:?}");
        assert_eq!(reply.header("x-latchkey-owner"), Some("alice"));
        assert_eq!(
            reply.header("x-latchkey-token-id"),
            Some(fixture.valid_id.as_str())
        );
    }
    // The client's path cannot name another system: `db` here is just a path.
    let reply = get(service.addr, "/v1/ext-authz/db/../web", valid);
    assert_denied(&reply, 403, "Bearer error=\"insufficient_scope\"");
    assert_denied(
        &get(service.addr, "/v1/ext-authz/web/x", Some(&fixture.revoked)),
        401,
        INVALID,
    );
    assert_eq!(get(service.addr, "/v1/ext-authz/Web/x", valid).status, 400);
}
