//! Caddy (`forward_auth`) in front of the service, protecting an upstream.
use latchkey_tests::serve::proxy::{Proxy, Upstream};

use super::fixture::Fixture;
use super::proxy_table;

#[test]
fn caddy_forward_auth_lets_valid_tokens_through_with_their_owner_and_nothing_else() {
    let fixture = Fixture::new();
    let service = fixture.serve(&[]);
    let upstream = Upstream::start();
    let caddy = Proxy::caddy(service.addr, upstream.addr, "web");
    proxy_table::check(&fixture, &caddy, &upstream);
}
