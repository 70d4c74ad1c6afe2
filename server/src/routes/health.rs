//! `GET /healthz` (200 when the store and its key answer) and `GET /metrics`.
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};

use super::Shared;
use crate::metrics::CONTENT_TYPE as METRICS_TYPE;

pub(crate) async fn healthz(State(shared): State<Arc<Shared>>) -> Response {
    // The file at the store's path is the one open (not moved away or replaced by a restore),
    // and it answers a read (its clock watermark) through an authority holding the key.
    let answered = shared
        .pool
        .run(|authority| match authority.store_replaced() {
            true => Err(latchkey_core::CoreError::StoreReplaced),
            false => authority.now(),
        })
        .await;
    match answered {
        Ok(_) => (StatusCode::OK, "ok\n").into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable\n").into_response(),
    }
}

pub(crate) async fn metrics(State(shared): State<Arc<Shared>>) -> Response {
    let text = shared.metrics.render(shared.pool.pending_events());
    ([(CONTENT_TYPE, METRICS_TYPE)], text).into_response()
}
