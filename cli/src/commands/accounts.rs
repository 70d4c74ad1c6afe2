//! `init` and `users …`.
use latchkey_core::{Authority, InitRequest, NewAccount, Role};
use serde_json::json;

use crate::args::{RoleArg, Users};
use crate::context::Context;
use crate::error::CliResult;
use crate::output::{optional_date, print_json, print_table, time};

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
        print_json(
            &json!({"organisation": authority.organisation()?, "admin": admin.trim(), "store": location.path}),
        );
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
    let mut authority = context.open()?;
    let actor = context.actor(&mut authority)?;
    match command {
        Users::Add {
            username,
            admin,
            display_name,
            new_password_stdin,
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
            if context.global.json {
                let rows: Vec<_> = accounts
                    .iter()
                    .map(|a| {
                        json!({"username": a.username, "display_name": a.display_name, "role": a.role.as_str(),
                               "status": a.status.as_str(), "access_all": a.access_all,
                               "created_at": time(Some(a.created_at)), "last_signin_at": time(a.last_signin_at)})
                    })
                    .collect();
                print_json(&rows.into());
            } else {
                let rows: Vec<Vec<String>> = accounts
                    .iter()
                    .map(|a| {
                        vec![
                            a.username.clone(),
                            a.display_name.clone(),
                            a.role.as_str().into(),
                            a.status.as_str().into(),
                            if a.access_all {
                                "all systems".into()
                            } else {
                                String::new()
                            },
                            optional_date(a.last_signin_at),
                        ]
                    })
                    .collect();
                print_table(
                    &[
                        "USERNAME",
                        "NAME",
                        "ROLE",
                        "STATUS",
                        "ACCESS",
                        "LAST SIGN-IN",
                    ],
                    &rows,
                );
            }
        }
        Users::Deactivate { username } => {
            authority.deactivate(actor, &username)?;
            eprintln!(
                "Deactivated {username}; its tokens fail verification until it is reactivated"
            );
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
