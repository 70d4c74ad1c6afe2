//! `tokens …`: the secret goes to standard output alone, once; everything else to standard error.
use latchkey_core::clock::rfc3339;
use latchkey_core::{IssuedToken, NewToken, RotateGrace, TokenScope};
use serde_json::json;

use super::overview;
use crate::args::Tokens;
use crate::context::Context;
use crate::error::CliResult;
use crate::output::{Row, print_json, print_list};

fn print_issued(context: &Context, issued: &IssuedToken, what: &str) {
    let token = &issued.token;
    if context.global.json {
        print_json(&json!({
            "token": issued.secret.expose(), "id": token.id, "name": token.name,
            "expires_at": rfc3339(token.expires_at), "owner": token.owner,
            "usage_note": token.usage_note,
        }));
    } else {
        crate::output::emit(issued.secret.expose());
        eprintln!(
            "{what} token {} {:?} for {}, expires {}. It is shown only this once: store it now.",
            token.id,
            token.name,
            token.owner,
            rfc3339(token.expires_at)
        );
        if let Some(note) = &token.usage_note {
            eprintln!("Used in: {note}");
        }
    }
}

pub fn tokens(context: &mut Context, command: Tokens) -> CliResult {
    let (mut authority, actor) = context.signed_in()?;
    match command {
        Tokens::Create {
            name,
            expires_in_days,
            systems,
            usage_note,
            owner,
        } => {
            let issued = authority.create_token(
                actor,
                &NewToken {
                    name,
                    expires_in_days,
                    systems,
                    usage_note,
                    owner,
                },
            )?;
            print_issued(context, &issued, "Created");
        }
        Tokens::List { all, owner, stale } => {
            let scope = TokenScope::from_flags(all, owner);
            let tokens = match stale {
                true => authority.stale_tokens(actor, &scope)?,
                false => authority.list_tokens(actor, &scope)?,
            };
            if stale && tokens.is_empty() && !context.global.json {
                let days = authority.settings()?.stale_after_days;
                eprintln!("No stale tokens: none is unused for {days} days or more.");
            } else {
                print_list(context.global.json, &tokens);
            }
        }
        Tokens::Overview => overview::overview(context.global.json, &authority, actor)?,
        Tokens::RevokeUnused => {
            overview::revoke_unused(context.global.json, &mut authority, actor)?
        }
        Tokens::Note { id, text } => {
            let token = authority.set_usage_note(actor, &id, &text)?;
            if context.global.json {
                print_json(&token.json());
            } else {
                match &token.usage_note {
                    Some(note) => eprintln!("Token {} is used in: {note}", token.id),
                    None => eprintln!("Cleared where token {} is used", token.id),
                }
            }
        }
        Tokens::HandOver { id, to } => {
            let token = authority.hand_over_token(actor, &id, &to)?;
            if context.global.json {
                print_json(&token.json());
            } else {
                eprintln!(
                    "Token {} {:?} now belongs to {}: it keeps its secret and works with {}'s \
                     access, never more than it reached before",
                    token.id, token.name, token.owner, token.owner
                );
            }
        }
        Tokens::Revoke { id } => {
            let token = authority.revoke_token(actor, &id)?;
            if context.global.json {
                print_json(&token.json());
            } else {
                eprintln!(
                    "Revoked token {} {:?}; it fails verification from now on",
                    token.id, token.name
                );
            }
        }
        Tokens::RevokeAll { owner } => {
            let count = authority.revoke_all_tokens(actor, owner.as_deref())?;
            if context.global.json {
                print_json(&json!({"revoked": count}));
            } else {
                eprintln!("Revoked {count} token(s)");
            }
        }
        Tokens::Delete { id } => {
            authority.delete_token(actor, &id)?;
            eprintln!("Deleted token {id} from the list; its audit history stays");
        }
        Tokens::Rotate {
            id,
            grace_days,
            until_first_use,
        } => {
            let grace = RotateGrace::from_flags(grace_days, until_first_use);
            let issued = authority.rotate_token(actor, &id, grace)?;
            print_issued(context, &issued, "Rotated; new");
        }
    }
    Ok(())
}
