//! `tokens …`: the secret goes to standard output alone, once; everything else to standard error.
use latchkey_core::clock::rfc3339;
use latchkey_core::{IssuedToken, NewToken, RotateGrace, TokenScope};
use serde_json::json;

use crate::args::Tokens;
use crate::context::Context;
use crate::error::CliResult;
use crate::output::{Row, print_json, print_list};

fn print_issued(context: &Context, issued: &IssuedToken, what: &str) {
    let token = &issued.token;
    if context.global.json {
        print_json(&json!({
            "token": issued.secret.expose(), "id": token.id, "name": token.name,
            "expires_at": rfc3339(token.expires_at),
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
    }
}

pub fn tokens(context: &mut Context, command: Tokens) -> CliResult {
    let (mut authority, actor) = context.signed_in()?;
    match command {
        Tokens::Create {
            name,
            expires_in_days,
            systems,
        } => {
            let issued = authority.create_token(
                actor,
                &NewToken {
                    name,
                    expires_in_days,
                    systems,
                    ..NewToken::default()
                },
            )?;
            print_issued(context, &issued, "Created");
        }
        Tokens::List { all, owner } => {
            let scope = TokenScope::from_flags(all, owner);
            let tokens = authority.list_tokens(actor, &scope)?;
            print_list(context.global.json, &tokens);
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
