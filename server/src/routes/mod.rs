//! The HTTP interface of SPEC §5: `/v1/verify`, `/v1/introspect`, `/healthz`, `/metrics`, and
//! `/v1/ext-authz/SLUG/…` for Envoy.
mod bearer;
mod check;
mod ext_authz;
mod health;
mod introspect;
mod query_guard;
mod verify;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::routing::{any, get, post};
use tower_http::limit::RequestBodyLimitLayer;

use crate::client_addr::TrustedProxies;
use crate::flood::FloodGuard;
use crate::metrics::Metrics;
use crate::pool::Pool;

/// Bodies over this are answered 413 (SPEC §5: 16 KiB).
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// What every request handler shares.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) pool: Arc<Pool>,
    pub(crate) flood: Arc<FloodGuard>,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) trusted: TrustedProxies,
}

/// The address of the connection's other end, set by the listener on each request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PeerAddr(pub(crate) SocketAddr);

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        // Any method: nginx's auth_request and Envoy pass on the original request's method.
        .route("/v1/verify", any(verify::verify))
        .route("/v1/ext-authz/{system}", any(ext_authz::ext_authz))
        .route("/v1/ext-authz/{system}/{*rest}", any(ext_authz::ext_authz))
        .route("/v1/introspect", post(introspect::introspect))
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(health::metrics))
        .layer(axum::middleware::from_fn(
            query_guard::refuse_token_in_query,
        ))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .with_state(shared)
}
