//! "May the bearer of this request access this system?" — for `/v1/verify` and for the caller
//! of `/v1/introspect` — with flood control applied to denials, and the answer as HTTP.
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::http::header::{CACHE_CONTROL, RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use latchkey_core::clock::rfc3339;
use latchkey_core::tokens::verify::precheck;
use latchkey_core::{DenyReason, Verification, VerifyAction, VerifyRequest};

use super::Shared;
use super::bearer::{Credential, credential};
use crate::client_addr::client_ip;
use crate::flood::{Admission, Audited};
use crate::log;
use crate::outcome::Outcome;

pub(crate) const OWNER: HeaderName = HeaderName::from_static("x-latchkey-owner");
pub(crate) const TOKEN_ID: HeaderName = HeaderName::from_static("x-latchkey-token-id");
pub(crate) const EXPIRES_AT: HeaderName = HeaderName::from_static("x-latchkey-expires-at");

#[derive(Debug)]
pub(crate) struct Checked {
    pub(crate) outcome: Outcome,
    /// Present when the token was found (valid or not).
    pub(crate) verification: Option<Verification>,
    retry_after: Option<u64>,
}

impl Checked {
    pub(crate) fn bad_request() -> Checked {
        Checked {
            outcome: Outcome::BadRequest,
            verification: None,
            retry_after: None,
        }
    }
}

pub(crate) async fn check(
    shared: &Arc<Shared>,
    peer: SocketAddr,
    headers: &HeaderMap,
    system: String,
    action: VerifyAction,
) -> Checked {
    let client = client_ip(peer.ip(), headers, &shared.trusted);
    // A client over its denial rate is verified "in flood": denials of our tokens are still
    // audited (per token and second), unknown tokens' are counted into one event a second
    // (`flusher`). Its valid tokens still pass.
    let limited = shared.flood.is_limited(client, Instant::now());
    let mut audited = Audited::Never;
    let (outcome, verification) = match credential(headers) {
        Credential::Missing => (Outcome::Missing, None),
        Credential::Malformed => (Outcome::Denied(DenyReason::Malformed), None),
        // A malformed token is refused before the store is touched.
        Credential::Token(token) if precheck(&token).is_some() => {
            (Outcome::Denied(DenyReason::Malformed), None)
        }
        Credential::Token(token) => {
            let verified = shared
                .pool
                .run(move |authority| {
                    let request = VerifyRequest {
                        system: Some(&system),
                        action,
                        list_systems: false,
                    };
                    match limited {
                        true => authority.verify_in_flood(&token, &request),
                        false => authority.verify(&token, &request),
                    }
                })
                .await;
            // Only an unknown token's denial in a flood waits for the aggregate event.
            audited = match verified {
                Ok(ref v) if limited && v.token_id.is_none() => Audited::Deferred,
                _ => Audited::OnItsOwn,
            };
            match verified {
                Ok(v) if v.valid => (Outcome::Valid, Some(v)),
                Ok(v) => (
                    Outcome::Denied(v.reason.unwrap_or(DenyReason::Unknown)),
                    Some(v),
                ),
                Err(_) => (Outcome::Unavailable, None),
            }
        }
    };
    let mut checked = Checked {
        outcome,
        verification,
        retry_after: None,
    };
    if outcome.is_denial() {
        let token_id = checked
            .verification
            .as_ref()
            .and_then(|v| v.token_id.clone());
        log::debug(|| {
            let token = token_id
                .map(|id| format!(", token {id}"))
                .unwrap_or_default();
            format!("denied ({}) for client {client}{token}", outcome.as_str())
        });
        if let Admission::Limited { retry_after } =
            shared.flood.denial(client, Instant::now(), audited)
        {
            checked.outcome = Outcome::RateLimited;
            checked.retry_after = Some(retry_after);
        }
    }
    checked
}

/// The answer of `/v1/verify`: the status, and on success who the token belongs to; the reason
/// of a denial is never in it.
impl IntoResponse for Checked {
    fn into_response(self) -> Response {
        let mut headers = HeaderMap::new();
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(challenge) = self.outcome.www_authenticate() {
            headers.insert(WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
        }
        if let Some(seconds) = self.retry_after {
            headers.insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
        if let (Outcome::Valid, Some(v)) = (self.outcome, &self.verification) {
            let values = [
                (OWNER, v.owner.clone()),
                (TOKEN_ID, v.token_id.clone()),
                (EXPIRES_AT, v.expires_at.map(rfc3339)),
            ];
            for (name, value) in values {
                // Usernames hold no control characters; a value that still fails is left out.
                if let Some(value) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
                    headers.insert(name, value);
                }
            }
        }
        (self.outcome.status(), headers).into_response()
    }
}
