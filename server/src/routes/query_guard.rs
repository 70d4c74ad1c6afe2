//! A token in a URL ends up in proxy logs, browser history and shell history: such a request is
//! refused (400) whatever it asks, and nothing of it is logged.
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::log;

pub(crate) async fn refuse_token_in_query(request: Request, next: Next) -> Response {
    if request.uri().query().is_some_and(holds_token) {
        log::debug(|| "refused a request with a token in its query string".into());
        return StatusCode::BAD_REQUEST.into_response();
    }
    next.run(request).await
}

/// `lk_` anywhere (also percent-encoded), or a parameter named like a token.
fn holds_token(query: &str) -> bool {
    query.contains("lk_")
        || form_urlencoded::parse(query.as_bytes()).any(|(name, value)| {
            matches!(name.as_ref(), "token" | "access_token")
                || name.contains("lk_")
                || value.contains("lk_")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_found_plain_encoded_or_by_name() {
        assert!(holds_token("system=web&t=lk_abc"));
        assert!(holds_token("system=web&t=lk%5Fabc"));
        assert!(holds_token("access_token=abc"));
        assert!(holds_token("token="));
        assert!(!holds_token("system=web&action=access"));
        assert!(!holds_token("system=lk-web"));
    }
}
