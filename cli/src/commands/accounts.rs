//! `init` and `users …`.
use latchkey_core::{Authority, InitRequest, LeavingTokens, NewAccount, NewServiceAccount, Role};
use serde_json::json;

use super::leaving;
use crate::args::{RoleArg, Users};
use crate::context::Context;
use crate::error::CliResult;
use crate::output::{print_json, print_list};
use crate::rows::Managed;

pub fn init(
    context: &mut Context,
    org: &str,
    admin: &str,
    display_name: Option<&str>,
) -> CliResult {
    let location = context.location()?;
    let password = context
        .stdin
        .first_password(context.global.password_stdin)?;
    let request = InitRequest {
        organisation: org,
        admin_username: admin,
        admin_display_name: display_name,
        admin_password: &password,
    };
    let authority = Authority::init(&location.path, &location.key, context.clock(), &request)?;
    if context.global.json {
        print_json(&json!({
            "organisation": authority.organisation()?, "admin": admin.trim(),
            "store": location.path,
        }));
    } else {
        eprintln!(
            "Created organisation {:?} with administrator {} in {}",
            authority.organisation()?,
            admin.trim(),
            location.path.display()
        );
    }
    Ok(())
}

fn role(arg: RoleArg) -> Role {
    match arg {
        RoleArg::Admin => Role::Admin,
        RoleArg::Member => Role::Member,
    }
}

pub fn users(context: &mut Context, command: Users) -> CliResult {
    let (mut authority, actor) = context.signed_in()?;
    match command {
        Users::Add {
            username,
            display_name,
            managed_by: Some(group),
            ..
        } => {
            let new = NewServiceAccount {
                username: &username,
                display_name: display_name.as_deref(),
                managed_by: &group,
            };
            let account = authority.add_service_account(actor, &new)?;
            let group = account.managed_by.as_deref().unwrap_or(&group);
            eprintln!(
                "Added service account {} managed by {group}; it never signs in. Members of \
                 {group} create its tokens with `latchkey tokens create --owner {} --name NAME`",
                account.username, account.username
            );
        }
        Users::Add {
            username,
            admin,
            display_name,
            new_password_stdin,
            ..
        } => {
            let password = context.stdin.new_password(new_password_stdin)?;
            let new = NewAccount {
                username: &username,
                display_name: display_name.as_deref(),
                role: if admin { Role::Admin } else { Role::Member },
                password: &password,
            };
            let account = authority.add_account(actor, &new)?;
            eprintln!("Added {} ({})", account.username, account.role.as_str());
        }
        Users::List => {
            let accounts = authority.accounts(actor)?;
            print_list(context.global.json, &accounts);
        }
        Users::Managed => {
            let managed: Vec<Managed> = authority
                .service_accounts(actor)?
                .into_iter()
                .map(Managed)
                .collect();
            print_list(context.global.json, &managed);
        }
        Users::SetManagedBy { username, group } => {
            authority.set_managing_group(actor, &username, &group)?;
            eprintln!("{username} is now managed by {group}");
        }
        Users::Deactivate {
            username,
            preview,
            hand_over_to,
            revoke_tokens,
        } => {
            let leaving = match (preview, hand_over_to, revoke_tokens) {
                (true, _, _) => None,
                (_, Some(to), _) => Some(LeavingTokens::HandOverTo(to)),
                (_, None, true) => Some(LeavingTokens::Revoke),
                (_, None, false) => Some(LeavingTokens::Keep),
            };
            let json = context.global.json;
            match leaving {
                None => leaving::preview(json, &authority, actor, &username)?,
                Some(tokens) => {
                    leaving::deactivate(json, &mut authority, actor, &username, &tokens)?
                }
            }
        }
        Users::Reactivate { username } => {
            authority.reactivate(actor, &username)?;
            eprintln!("Reactivated {username}");
        }
        Users::ResetPassword {
            username,
            new_password_stdin,
        } => {
            let password = context.stdin.new_password(new_password_stdin)?;
            authority.reset_password(actor, &username, &password)?;
            eprintln!("Set a new password for {username}");
        }
        Users::SetPassword { new_password_stdin } => {
            let password = context.stdin.new_password(new_password_stdin)?;
            authority.set_own_password(actor, &password)?;
            eprintln!("Changed your password");
        }
        Users::SetRole {
            username,
            role: new_role,
        } => {
            authority.set_role(actor, &username, role(new_role))?;
            eprintln!("{username} is now {}", role(new_role).as_str());
        }
        Users::SetAccessAll { username, enabled } => {
            authority.set_access_all(actor, &username, enabled)?;
            eprintln!(
                "{username} {} access to all systems",
                if enabled { "now has" } else { "no longer has" }
            );
        }
    }
    Ok(())
}
