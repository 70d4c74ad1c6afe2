//! `POST /v1/introspect` (RFC 7662): the caller proves itself with its own token for the
//! system; the answer describes the token or says only `{"active": false}`.
use latchkey_tests::serve::http_client::{exchange, post_form, request};
use latchkey_tests::*;
use serde_json::json;

use super::fixture::Fixture;

#[test]
fn an_active_token_is_described_and_any_other_is_only_inactive() {
    let fixture = Fixture::new();
    let service = fixture.serve(&[]);
    let caller = Some(fixture.valid.as_str());
    let form = format!(
        "token={}&system=web&token_type_hint=access_token",
        fixture.valid
    );
    let reply = post_form(service.addr, "/v1/introspect", caller, &form);
    assert_eq!(reply.status, 200, "{reply:?}");
    assert!(
        reply
            .header("content-type")
            .is_some_and(|t| t.starts_with("application/json"))
    );
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let body = reply.json();
    assert_eq!(body["active"], true);
    assert_eq!(body["sub"], "alice");
    assert_eq!(body["client_id"], fixture.valid_id.as_str());
    assert_eq!(body["scope"], "web");
    assert_eq!(body["token_type"], "latchkey");
    let (exp, iat) = (
        body["exp"].as_i64().expect("exp"),
        body["iat"].as_i64().expect("iat"),
    );
    assert!(exp > iat && exp - iat <= 366 * 86_400, "{body}");
    // An administrator's token reaches every system: all of them, by name.
    let (admin, _) = fixture.env.create_token(ADMIN, ADMIN_PASSWORD, &[]);
    let form = format!("token={admin}&system=web");
    let body = post_form(service.addr, "/v1/introspect", caller, &form).json();
    assert_eq!(body["scope"], "db web", "{body}");
    for token in [
        &fixture.revoked,
        &fixture.expired,
        &fixture.deactivated,
        &fixture.unknown,
        &fixture.malformed,
        // Valid, but not for the caller's system.
        &fixture.no_access,
    ] {
        let form = format!("token={token}&system=web");
        let reply = post_form(service.addr, "/v1/introspect", caller, &form);
        assert_eq!(reply.status, 200);
        assert_eq!(reply.json(), json!({"active": false}), "{token}");
    }
}

#[test]
fn the_caller_must_hold_a_token_valid_for_the_system() {
    let fixture = Fixture::new();
    let service = fixture.serve(&[]);
    let form = format!("token={}&system=web", fixture.valid);
    for caller in [
        None,
        Some(fixture.revoked.as_str()),
        Some(fixture.unknown.as_str()),
    ] {
        let reply = post_form(service.addr, "/v1/introspect", caller, &form);
        assert_eq!(reply.status, 401, "{reply:?}");
        assert_eq!(
            reply.header("www-authenticate"),
            Some("Bearer error=\"invalid_token\"")
        );
        assert!(!reply.text().contains("alice"), "{reply:?}");
    }
    let reply = post_form(
        service.addr,
        "/v1/introspect",
        Some(&fixture.no_access),
        &form,
    );
    assert_eq!(reply.status, 403, "{reply:?}");
    assert_eq!(
        reply.header("www-authenticate"),
        Some("Bearer error=\"insufficient_scope\"")
    );
}

#[test]
fn malformed_requests_are_refused() {
    let fixture = Fixture::new();
    let service = fixture.serve(&[]);
    let caller = Some(fixture.valid.as_str());
    for form in [
        "system=web",
        "token=x",
        "token=x&system=Web",
        "token=a&token=b&system=web",
    ] {
        let reply = post_form(service.addr, "/v1/introspect", caller, form);
        assert_eq!(reply.status, 400, "{form}: {reply:?}");
        assert_eq!(reply.json(), json!({"error": "invalid_request"}));
    }
    let json_body = format!("{{\"token\":\"{}\",\"system\":\"web\"}}", fixture.valid);
    let as_json = exchange(
        service.addr,
        &request(
            "POST",
            "/v1/introspect",
            caller,
            &["Content-Type: application/json"],
            json_body.as_bytes(),
        ),
    );
    assert_eq!(as_json.status, 415, "{as_json:?}");
    let get = exchange(
        service.addr,
        &request("GET", "/v1/introspect", caller, &[], b""),
    );
    assert_eq!(get.status, 405, "{get:?}");
}
