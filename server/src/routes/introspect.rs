//! `POST /v1/introspect` (RFC 7662): form-encoded `token` and `system`; the caller proves itself
//! with its own token, valid for that system. The answer is the introspected token's owner, id,
//! expiry, issue time and systems, or only `{"active": false}` — never why.
use std::sync::Arc;

use axum::body::to_bytes;
use axum::extract::{Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use latchkey_core::tokens::verify::{TokenSystems, precheck};
use latchkey_core::{Authority, VerifyAction, VerifyRequest, validate};
use serde::Serialize;
use serde_json::json;
use zeroize::Zeroizing;

use super::check::check;
use super::{MAX_BODY_BYTES, PeerAddr, Shared};
use crate::log;
use crate::outcome::Outcome;

/// A body that does not arrive within this is cut off, like an idle connection.
const BODY_TIMEOUT: std::time::Duration = crate::listener::IDLE_TIMEOUT;

#[derive(Debug, Serialize)]
struct Active {
    active: bool,
    sub: String,
    client_id: String,
    exp: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    iat: Option<i64>,
    scope: String,
    token_type: &'static str,
}

pub(crate) async fn introspect(
    State(shared): State<Arc<Shared>>,
    Extension(PeerAddr(peer)): Extension<PeerAddr>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    if !is_form(&parts.headers) {
        return StatusCode::UNSUPPORTED_MEDIA_TYPE.into_response();
    }
    let body = match tokio::time::timeout(BODY_TIMEOUT, to_bytes(body, MAX_BODY_BYTES)).await {
        Ok(Ok(body)) => body,
        Ok(Err(error)) if too_large(&error) => {
            return StatusCode::PAYLOAD_TOO_LARGE.into_response();
        }
        Ok(Err(_)) => return StatusCode::BAD_REQUEST.into_response(),
        Err(_) => return StatusCode::REQUEST_TIMEOUT.into_response(),
    };
    let Ok((token, system)) = parse(&body) else {
        log::debug(|| "bad introspection request".into());
        shared.metrics.introspection("bad_request");
        return invalid_request();
    };
    let caller = check(
        &shared,
        peer,
        &parts.headers,
        system.clone(),
        VerifyAction::Access,
    )
    .await;
    if caller.outcome != Outcome::Valid {
        shared.metrics.introspection("refused");
        return caller.into_response();
    }
    let answer = match precheck(&token) {
        Some(_) => Ok(None),
        None => {
            shared
                .pool
                .run(move |authority| introspect_token(authority, &token, &system))
                .await
        }
    };
    let body = match answer {
        Ok(Some(active)) => {
            shared.metrics.introspection("active");
            serde_json::to_value(active).unwrap_or_else(|_| json!({"active": false}))
        }
        Ok(None) => {
            shared.metrics.introspection("inactive");
            json!({"active": false})
        }
        Err(_) => {
            shared.metrics.introspection("unavailable");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let no_store = [(CACHE_CONTROL, HeaderValue::from_static("no-store"))];
    (no_store, Json(body)).into_response()
}

/// The token as the caller's system sees it: active only when valid for that system.
fn introspect_token(
    authority: &mut Authority,
    token: &str,
    system: &str,
) -> latchkey_core::Result<Option<Active>> {
    let request = VerifyRequest {
        system: Some(system),
        action: VerifyAction::Access,
        list_systems: true,
    };
    let verification = authority.verify(token, &request)?;
    let (true, Some(owner), Some(id), Some(exp), Some(actor)) = (
        verification.valid,
        verification.owner,
        verification.token_id,
        verification.expires_at,
        verification.owner_actor,
    ) else {
        return Ok(None);
    };
    let systems = match verification.systems {
        TokenSystems::Listed(slugs) => slugs,
        // Every system: name them (an owner who may reach all systems is an active account).
        TokenSystems::All => authority
            .systems(actor)?
            .into_iter()
            .map(|s| s.slug)
            .collect(),
    };
    Ok(Some(Active {
        active: true,
        iat: verification.issued_at,
        sub: owner,
        client_id: id,
        exp,
        scope: systems.join(" "),
        token_type: "latchkey",
    }))
}

/// `token` and `system`, each once; other parameters (`token_type_hint`) are ignored.
fn parse(body: &[u8]) -> Result<(Zeroizing<String>, String), ()> {
    let mut token = None;
    let mut system = None;
    for (name, value) in form_urlencoded::parse(body) {
        let seen = match name.as_ref() {
            "token" => token.replace(Zeroizing::new(value.into_owned())).is_some(),
            "system" => system.replace(value.into_owned()).is_some(),
            _ => false,
        };
        if seen {
            return Err(());
        }
    }
    let (Some(token), Some(system)) = (token, system) else {
        return Err(());
    };
    validate::slug(&system).map_err(|_| ())?;
    Ok((token, system))
}

fn invalid_request() -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": "invalid_request"})),
    )
        .into_response()
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// The body limit of this handler or of the layer in front of it.
fn too_large(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = source {
        if current.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = current.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_and_a_valid_system_once_each() {
        let (token, system) = parse(b"token=lk_x&system=web&token_type_hint=x").expect("valid");
        assert_eq!((token.as_str(), system.as_str()), ("lk_x", "web"));
        for refused in [
            &b"token=a"[..],
            b"system=web",
            b"token=a&system=Web",
            b"token=a&token=b&system=web",
        ] {
            assert!(parse(refused).is_err());
        }
    }
}
