//! How a request to `/v1/verify` ended: its status, its `WWW-Authenticate`, and its metric label.
use axum::http::StatusCode;
use latchkey_core::DenyReason;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Valid,
    /// No usable `Authorization: Bearer` header.
    Missing,
    Denied(DenyReason),
    RateLimited,
    BadRequest,
    /// The store or key could not be read.
    Unavailable,
}

impl Outcome {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Outcome::Valid => "valid",
            Outcome::Missing => "missing",
            Outcome::Denied(reason) => reason.as_str(),
            Outcome::RateLimited => "rate_limited",
            Outcome::BadRequest => "bad_request",
            Outcome::Unavailable => "unavailable",
        }
    }

    /// The metric label: what the answer already says (its status and challenge), never the
    /// reason of a denial, since `/metrics` is open to whoever reaches the service.
    pub(crate) fn metric_label(self) -> &'static str {
        match self.status() {
            StatusCode::NO_CONTENT => "valid",
            StatusCode::UNAUTHORIZED => "invalid_token",
            StatusCode::FORBIDDEN => "insufficient_scope",
            StatusCode::TOO_MANY_REQUESTS => "rate_limited",
            StatusCode::BAD_REQUEST => "bad_request",
            _ => "unavailable",
        }
    }

    pub(crate) fn status(self) -> StatusCode {
        match self {
            Outcome::Valid => StatusCode::NO_CONTENT,
            Outcome::Denied(DenyReason::NoAccess) => StatusCode::FORBIDDEN,
            Outcome::Missing | Outcome::Denied(_) => StatusCode::UNAUTHORIZED,
            Outcome::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Outcome::BadRequest => StatusCode::BAD_REQUEST,
            Outcome::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// RFC 6750 §3: the same words for every reason, so the caller learns only "no".
    pub(crate) fn www_authenticate(self) -> Option<&'static str> {
        match self.status() {
            StatusCode::UNAUTHORIZED => Some("Bearer error=\"invalid_token\""),
            StatusCode::FORBIDDEN => Some("Bearer error=\"insufficient_scope\""),
            _ => None,
        }
    }

    /// A denial counts towards flood control.
    pub(crate) fn is_denial(self) -> bool {
        matches!(self, Outcome::Missing | Outcome::Denied(_))
    }
}
