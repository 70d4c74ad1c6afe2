//! `users deactivate` when someone leaves: `--preview` shows what would stop working, and the
//! service accounts' secrets the person knows that keep working (changing nothing);
//! `--hand-over-to SERVICE` and `--revoke-tokens` deal with the account's tokens in
//! force in the same transaction as the deactivation.
use latchkey_core::tokens::verify::TokenSystems;
use latchkey_core::{Actor, Authority, LeavingToken, LeavingTokens};
use serde_json::{Value, json};

use super::scan::systems_json;
use crate::error::CliResult;
use crate::output::{Row, count, optional_date, print_json, print_list};

/// One token of the preview: what stops, where it is used, whether it was used lately.
struct Leaving<'a>(&'a LeavingToken);

/// "web-api, docs", "all systems", "no system now".
fn reaches(systems: &TokenSystems) -> String {
    match systems {
        TokenSystems::All => "all systems".into(),
        TokenSystems::Listed(slugs) if slugs.is_empty() => "no system now".into(),
        TokenSystems::Listed(slugs) => slugs.join(", "),
    }
}

impl Row for Leaving<'_> {
    const HEADER: &'static [&'static str] = &[
        "ID",
        "NAME",
        "HINT",
        "REACHES",
        "LAST USED",
        "USED",
        "USED IN",
    ];
    const EMPTY: Option<&'static str> =
        Some("No tokens in force: deactivating the account stops none.");

    fn cells(&self) -> Vec<String> {
        let leaving = self.0;
        let used = match (leaving.used_last_7_days, leaving.used_last_30_days) {
            (true, _) => "in the last 7 days",
            (false, true) => "in the last 30 days",
            (false, false) => "not in 30 days",
        };
        let token = &leaving.token;
        vec![
            token.id.clone(),
            token.name.clone(),
            token.hint.clone(),
            reaches(&leaving.reaches),
            optional_date(token.last_used_at),
            used.into(),
            token.usage_note.clone().unwrap_or_default(),
        ]
    }

    /// The token as `tokens list --json` shows it, with what it reaches and its recent use.
    fn json(&self) -> Value {
        let mut value = self.0.token.json();
        if let Value::Object(fields) = &mut value {
            fields.insert("reaches".into(), systems_json(&self.0.reaches));
            fields.insert("used_last_7_days".into(), self.0.used_last_7_days.into());
            fields.insert("used_last_30_days".into(), self.0.used_last_30_days.into());
        }
        value
    }
}

/// What deactivating `username` would stop; changes nothing.
pub fn preview(json: bool, authority: &Authority, actor: Actor, username: &str) -> CliResult {
    let preview = authority.deactivation_preview(actor, username)?;
    let name = &preview.account.username;
    let rows: Vec<Leaving<'_>> = preview.tokens.iter().map(Leaving).collect();
    if json {
        let tokens: Vec<Value> = rows.iter().map(Leaving::json).collect();
        print_json(&json!({
            "account": name,
            "kind": preview.account.kind.as_str(),
            "status": preview.account.status.as_str(),
            "tokens": tokens,
            "unmanaged_service_accounts": preview.unmanaged_service_accounts,
            "secrets_known": preview.secrets_known.iter().map(Row::json).collect::<Vec<_>>(),
        }));
        return Ok(());
    }
    print_list(false, &rows);
    if !preview.secrets_known.is_empty() {
        crate::output::emit(&format!(
            "still known to {name} (they keep working after {name} leaves; a manager should \
             rotate them):"
        ));
        for token in &preview.secrets_known {
            crate::output::emit(&format!(
                "  {}  {:?}  {}",
                token.id, token.name, token.owner
            ));
        }
    }
    if !preview.unmanaged_service_accounts.is_empty() {
        crate::output::emit(&format!(
            "left with no active manager: {} ({name} is the only active member of the group \
             that manages them; `latchkey groups join GROUP USERNAME` adds another)",
            preview.unmanaged_service_accounts.join(", ")
        ));
    }
    eprintln!(
        "Nothing was changed. `latchkey users deactivate {name}` leaves its tokens failing until \
         it is reactivated; add --hand-over-to SERVICE to keep them working for a service \
         account, or --revoke-tokens to revoke them"
    );
    Ok(())
}

/// Deactivates `username`, first handing over or revoking its tokens in force as asked.
pub fn deactivate(
    json: bool,
    authority: &mut Authority,
    actor: Actor,
    username: &str,
    tokens: &LeavingTokens,
) -> CliResult {
    if *tokens == LeavingTokens::Keep {
        authority.deactivate(actor, username)?;
        eprintln!("Deactivated {username}; its tokens fail verification until it is reactivated");
        return Ok(());
    }
    let done = authority.deactivate_account(actor, username, tokens)?;
    let to = match tokens {
        LeavingTokens::HandOverTo(to) => Some(to.as_str()),
        _ => None,
    };
    if json {
        print_json(&json!({
            "deactivated": username,
            "handed_over_to": to,
            "handed_over": done.handed_over,
            "revoked": done.revoked,
        }));
        return Ok(());
    }
    let ids = |ids: &[String]| match ids.is_empty() {
        true => String::new(),
        false => format!(": {}", ids.join(", ")),
    };
    let n = |ids: &[String]| count(ids.len() as i64, "token", "tokens");
    if let Some(to) = to {
        eprintln!(
            "Handed {} over to {to}{}; they keep their secrets and work with {to}'s access, \
             never more than they reached before",
            n(&done.handed_over),
            ids(&done.handed_over)
        );
    }
    if matches!(tokens, LeavingTokens::Revoke) {
        eprintln!("Revoked {}{}", n(&done.revoked), ids(&done.revoked));
    }
    eprintln!("Deactivated {username}");
    Ok(())
}
