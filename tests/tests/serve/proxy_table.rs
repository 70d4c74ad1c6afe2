//! What a reverse proxy in front of the service must do, whichever proxy it is: the valid token
//! reaches the upstream with its owner; every refusal stops at the proxy with 401 or 403; a
//! revoke made with the CLI is refused on the next request.
use std::net::SocketAddr;

use latchkey_tests::serve::http_client::{exchange, get, request};
use latchkey_tests::serve::proxy::{Proxy, Upstream, header};
use latchkey_tests::*;

use super::fixture::Fixture;

pub fn check(fixture: &Fixture, proxy: &Proxy, upstream: &Upstream) {
    let front: SocketAddr = proxy.addr;
    let reply = get(front, "/reports/today", Some(&fixture.valid));
    assert_eq!(reply.status, 200, "{reply:?}\n{}", proxy.read("error.log"));
    assert_eq!(reply.text(), "upstream ok", "{reply:?}");
    let seen = upstream.last().expect("the request reached the upstream");
    assert_eq!(header(&seen, "x-latchkey-owner"), Some("alice"), "{seen:?}");
    assert_eq!(
        header(&seen, "authorization"),
        None,
        "the token reached the upstream"
    );
    // A client cannot name itself: the proxy sets the owner from the service's answer.
    let spoof = ["X-Latchkey-Owner: root"];
    let reply = exchange(
        front,
        &request("GET", "/", Some(&fixture.valid), &spoof, b""),
    );
    assert_eq!(reply.status, 200);
    let seen = upstream.last().expect("reached");
    assert_eq!(header(&seen, "x-latchkey-owner"), Some("alice"), "{seen:?}");

    let reached = upstream.requests();
    let cases = [
        ("revoked", Some(fixture.revoked.as_str()), 401),
        ("expired", Some(fixture.expired.as_str()), 401),
        ("unknown", Some(fixture.unknown.as_str()), 401),
        ("malformed", Some(fixture.malformed.as_str()), 401),
        ("owner deactivated", Some(fixture.deactivated.as_str()), 401),
        ("missing", None, 401),
        ("no access", Some(fixture.no_access.as_str()), 403),
    ];
    for (case, token, status) in cases {
        let reply = get(front, "/reports/today", token);
        assert_eq!(reply.status, status, "{case}: {reply:?}");
        assert!(!reply.text().contains("upstream ok"), "{case}");
    }
    // A spoofed owner without a token gets nowhere either.
    let reply = exchange(front, &request("GET", "/", None, &spoof, b""));
    assert_eq!(reply.status, 401);
    assert_eq!(
        upstream.requests(),
        reached,
        "a refused request reached the upstream"
    );

    let (token, id) = fixture.env.create_token("alice", MEMBER_PASSWORD, &[]);
    assert_eq!(get(front, "/", Some(&token)).status, 200);
    fixture
        .env
        .as_user("alice", MEMBER_PASSWORD, &["tokens", "revoke", &id])
        .ok();
    assert_eq!(
        get(front, "/", Some(&token)).status,
        401,
        "the revoke took effect at once"
    );
}
