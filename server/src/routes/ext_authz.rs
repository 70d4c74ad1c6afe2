//! `/v1/ext-authz/SLUG/…`: `/v1/verify` for Envoy's HTTP `ext_authz`, which allows a request
//! only on `200 OK` (a 204 counts as a denial there) and appends the original request's path
//! to a fixed prefix. The system is the prefix's last segment, so nothing the client sends after
//! it (path or query) can change which system is checked. Any other answer is as `/v1/verify`.
use std::sync::Arc;
use std::time::Instant;

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use latchkey_core::{VerifyAction, validate};

use super::check::{Checked, check};
use super::{PeerAddr, Shared};
use crate::outcome::Outcome;

pub(crate) async fn ext_authz(
    State(shared): State<Arc<Shared>>,
    Extension(PeerAddr(peer)): Extension<PeerAddr>,
    Path(segments): Path<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    let started = Instant::now();
    let system = segments
        .into_iter()
        .find(|(name, _)| name == "system")
        .map(|(_, value)| value)
        .filter(|system| validate::slug(system).is_ok());
    let checked = match system {
        Some(system) => check(&shared, peer, &headers, system, VerifyAction::Access).await,
        None => Checked::bad_request(),
    };
    shared
        .metrics
        .verification(checked.outcome, started.elapsed());
    let valid = checked.outcome == Outcome::Valid;
    let mut response = checked.into_response();
    if valid {
        *response.status_mut() = StatusCode::OK;
    }
    response
}
