//! `/v1/verify?system=SLUG[&action=access|onboard]`: the forward-auth endpoint.
use std::sync::Arc;
use std::time::Instant;

use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use latchkey_core::{VerifyAction, validate};

use super::check::{Checked, check};
use super::{PeerAddr, Shared};
use crate::log;

pub(crate) async fn verify(
    State(shared): State<Arc<Shared>>,
    Extension(PeerAddr(peer)): Extension<PeerAddr>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let started = Instant::now();
    let checked = match parse(query.as_deref().unwrap_or("")) {
        Ok((system, action)) => check(&shared, peer, &headers, system, action).await,
        Err(why) => {
            log::debug(|| format!("bad verification request: {why}"));
            Checked::bad_request()
        }
    };
    shared
        .metrics
        .verification(checked.outcome, started.elapsed());
    checked.into_response()
}

/// The system and action. Other parameters are ignored (proxies may add some); a parameter
/// given twice is refused rather than guessed at.
fn parse(query: &str) -> Result<(String, VerifyAction), &'static str> {
    let mut system = None;
    let mut action = None;
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        let seen = match name.as_ref() {
            "system" => system.replace(value.into_owned()).is_some(),
            "action" => action.replace(value.into_owned()).is_some(),
            _ => false,
        };
        if seen {
            return Err("a parameter is given twice");
        }
    }
    let system = system.ok_or("no system")?;
    validate::slug(&system).map_err(|_| "the system is not a valid slug")?;
    let action = match action.as_deref() {
        None | Some("access") => VerifyAction::Access,
        Some("onboard") => VerifyAction::Onboard,
        Some(_) => return Err("the action is neither access nor onboard"),
    };
    Ok((system, action))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_system_is_required_once_and_valid() {
        assert_eq!(
            parse("system=web"),
            Ok(("web".into(), VerifyAction::Access))
        );
        assert_eq!(
            parse("system=web&action=onboard&x=1"),
            Ok(("web".into(), VerifyAction::Onboard))
        );
        for refused in [
            "",
            "action=access",
            "system=",
            "system=Web",
            "system=%FF",
            "system=a&system=b",
        ] {
            assert!(parse(refused).is_err(), "{refused}");
        }
        assert!(parse("system=web&action=delete").is_err());
        assert!(parse("system=web&action=access&action=onboard").is_err());
    }
}
