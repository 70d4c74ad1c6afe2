//! `verify`: exit 0 valid, 1 denied (with the reason), 2 usage or store problem. A malformed
//! token is reported before the store or the key is touched.
use latchkey_core::clock::rfc3339;
use latchkey_core::tokens::verify::{TokenSystems, bookkeeping, precheck};
use latchkey_core::{Verification, VerifyAction, VerifyRequest, validate};
use serde_json::json;

use crate::args::ActionArg;
use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::input;
use crate::output::print_json;

pub fn verify(
    context: &mut Context,
    system: Option<&str>,
    action: ActionArg,
    stray: &[String],
) -> CliResult {
    if !stray.is_empty() {
        return Err(CliError::Usage(
            "verify never takes the token as an argument (it would show in shell history and \
             ps); pipe it on standard input or set LATCHKEY_TOKEN"
                .into(),
        ));
    }
    if let Some(slug) = system {
        validate::slug(slug).map_err(|e| CliError::Usage(e.to_string()))?;
    }
    let token = input::token()?;
    let answer = match precheck(&token) {
        Some(malformed) => malformed,
        None => {
            let mut authority = context.open()?;
            let action = match action {
                ActionArg::Access => VerifyAction::Access,
                ActionArg::Onboard => VerifyAction::Onboard,
            };
            let answer = authority.verify(
                &token,
                &VerifyRequest {
                    system,
                    action,
                    list_systems: context.global.json,
                },
            )?;
            // Core batches denials; this process ends here, so its denial is written now (on a
            // read-only store or a full disk the answer is still given, unrecorded).
            bookkeeping(authority.flush_audit())?;
            answer
        }
    };
    report(context, &answer, system)
}

fn report(context: &Context, answer: &Verification, system: Option<&str>) -> CliResult {
    let reason = answer.reason.map(|r| r.as_str());
    if context.global.json {
        let systems = match &answer.systems {
            TokenSystems::All => json!("all"),
            TokenSystems::Listed(slugs) => json!(slugs),
        };
        print_json(&json!({
            "valid": answer.valid, "reason": reason, "token_id": answer.token_id,
            "owner": answer.owner,
            "expires_at": answer.expires_at.map(rfc3339), "systems": systems,
        }));
    } else if answer.valid {
        let owner = answer.owner.as_deref().unwrap_or("?");
        let id = answer.token_id.as_deref().unwrap_or("?");
        let scope = system.map(|s| format!(" for {s}")).unwrap_or_default();
        crate::output::emit(&format!(
            "valid{scope}: token {id} of {owner}, expires {}",
            answer.expires_at.map(rfc3339).unwrap_or_default()
        ));
    }
    match reason {
        None => Ok(()),
        Some(reason) => {
            let id = answer
                .token_id
                .as_deref()
                .map(|id| format!(" (token {id})"))
                .unwrap_or_default();
            Err(CliError::Denied(format!("denied: {reason}{id}")))
        }
    }
}
