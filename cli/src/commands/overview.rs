//! `tokens overview` (what needs attention: stale tokens, rotations finishing, tokens expiring
//! together) and `tokens revoke-unused` (the automatic-revocation setting, applied now).
use latchkey_core::tokens::TokenOverview;
use latchkey_core::{Actor, Authority, TokenInfo};
use serde_json::{Value, json};

use crate::error::CliResult;
use crate::output::{Row, count, date, emit, optional_date, print_json};

pub fn overview(json: bool, authority: &Authority, actor: Actor) -> CliResult {
    let overview = authority.token_overview(actor)?;
    if json {
        print_json(&overview_json(&overview));
        return Ok(());
    }
    let days = overview.stale_after_days;
    heading(
        &format!("Stale (unused for {days} days or more)"),
        overview.stale.len(),
        ("token", "tokens"),
    );
    for token in &overview.stale {
        let quiet = match token.last_used_at {
            Some(at) => format!("last used {}", date(at)),
            None => format!("never used (created {})", date(token.created_at)),
        };
        emit(&format!("  {}  {quiet}{}", about(token), used_in(token)));
    }
    heading(
        "Rotations finishing",
        overview.retiring.len(),
        ("old token", "old tokens"),
    );
    for token in &overview.retiring {
        emit(&format!("  {}{}", about(token), used_in(token)));
        emit(&format!("    {}", rotation(token)));
    }
    heading(
        "Expiring together (within a day of each other, next 90 days)",
        overview.expiring_together.len(),
        ("group", "groups"),
    );
    for group in &overview.expiring_together {
        emit(&format!(
            "  {}: {} expire between {} and {}; renew them in one sitting",
            group.owner,
            count(group.tokens.len() as i64, "token", "tokens"),
            date(group.first_expires_at),
            date(group.last_expires_at)
        ));
        for token in &group.tokens {
            emit(&format!(
                "    {}  expires {}{}",
                about(token),
                date(token.expires_at),
                used_in(token)
            ));
        }
    }
    Ok(())
}

/// `tok_…  "name"  owner` at the start of a token's line.
fn about(token: &TokenInfo) -> String {
    format!("{}  {:?}  {}", token.id, token.name, token.owner)
}

fn used_in(token: &TokenInfo) -> String {
    token
        .usage_note
        .as_ref()
        .map(|note| format!("  · used in {note:?}"))
        .unwrap_or_default()
}

/// How a rotation is finishing: the old token's last use, the successor's first use, whether
/// something used the old one after that, and when it retires.
fn rotation(token: &TokenInfo) -> String {
    let successor = token.replaced_by.as_deref().unwrap_or("its successor");
    let mut parts = vec![format!("replaced by {successor}")];
    parts.push(format!(
        "old token last used {}",
        optional_date(token.last_used_at)
    ));
    match token.successor_first_used_at {
        Some(at) => parts.push(format!("successor first used {}", date(at))),
        None => parts.push("successor not used yet".into()),
    }
    match (token.used_after_successor_at, token.successor_first_used_at) {
        (Some(at), _) => parts.push(format!(
            "old token STILL USED at {}: update what still holds it",
            date(at)
        )),
        (None, Some(_)) => parts.push("old token not used since".into()),
        (None, None) => {}
    }
    if let Some(at) = token.revoked_at {
        parts.push(format!("retires {}", date(at)));
    }
    parts.join("; ")
}

/// "Title: none" or "Title: 3 tokens".
fn heading(title: &str, n: usize, (one, many): (&str, &str)) {
    match n {
        0 => emit(&format!("{title}: none")),
        n => emit(&format!("{title}: {}", count(n as i64, one, many))),
    }
}

fn overview_json(overview: &TokenOverview) -> Value {
    let tokens = |tokens: &[TokenInfo]| -> Vec<Value> { tokens.iter().map(Row::json).collect() };
    let groups: Vec<Value> = overview
        .expiring_together
        .iter()
        .map(|group| {
            json!({
                "owner": group.owner,
                "first_expires_at": latchkey_core::clock::rfc3339(group.first_expires_at),
                "last_expires_at": latchkey_core::clock::rfc3339(group.last_expires_at),
                "tokens": tokens(&group.tokens),
            })
        })
        .collect();
    json!({
        "stale_after_days": overview.stale_after_days,
        "stale": tokens(&overview.stale),
        "retiring": tokens(&overview.retiring),
        "expiring_together": groups,
    })
}

/// Applies the automatic-revocation setting now (administrators), saying plainly when it is off.
pub fn revoke_unused(json: bool, authority: &mut Authority, actor: Actor) -> CliResult {
    authority.require_admin(actor)?;
    let days = authority.settings()?.auto_revoke_unused_days;
    let revoked = authority.revoke_unused_tokens()?;
    if json {
        print_json(&json!({"auto_revoke_unused_days": days, "revoked": revoked}));
        return Ok(());
    }
    match days {
        None => eprintln!(
            "Automatic revocation is off, so nothing was revoked; `latchkey settings set \
             --auto-revoke-unused-days N` turns it on"
        ),
        Some(days) if revoked.is_empty() => {
            eprintln!("No active token was unused for {days} days; nothing was revoked")
        }
        Some(days) => {
            for id in &revoked {
                emit(id);
            }
            eprintln!(
                "Revoked {} unused for {days} days (audited as revoked by latchkey)",
                count(revoked.len() as i64, "token", "tokens")
            );
        }
    }
    Ok(())
}
