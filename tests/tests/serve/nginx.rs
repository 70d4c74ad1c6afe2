//! nginx (`auth_request`) in front of the service, protecting an upstream.
use latchkey_tests::serve::proxy::{Proxy, Upstream};

use super::fixture::Fixture;
use super::proxy_table;

#[test]
fn nginx_auth_request_lets_valid_tokens_through_with_their_owner_and_nothing_else() {
    let fixture = Fixture::new();
    let service = fixture.serve(&[]);
    let upstream = Upstream::start();
    let nginx = Proxy::nginx(service.addr, upstream.addr, "web");
    proxy_table::check(&fixture, &nginx, &upstream);
}
