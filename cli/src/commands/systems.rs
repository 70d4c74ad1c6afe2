//! `systems …`, `grant`, `ungrant` and `groups …`.
use serde_json::json;

use crate::args::{Groups, Systems};
use crate::context::Context;
use crate::error::CliResult;
use crate::input;
use crate::output::{print_json, print_list};
use crate::rows::Access;

pub fn systems(context: &mut Context, command: Systems) -> CliResult {
    let mut authority = context.open()?;
    match command {
        Systems::Onboard {
            slug,
            display_name,
            with_token,
        } => {
            let actor = if with_token {
                let token = input::token()?;
                authority.actor_from_token(&token)?
            } else {
                context.actor(&mut authority)?
            };
            let system = authority.onboard_system(actor, &slug, display_name.as_deref())?;
            if context.global.json {
                print_json(&json!({
                    "slug": system.slug, "display_name": system.display_name,
                    "onboarded_by": system.onboarded_by,
                }));
            } else {
                eprintln!(
                    "On-boarded {} ({}); an administrator grants access to it",
                    system.slug, system.display_name
                );
            }
        }
        Systems::List => {
            let actor = context.actor(&mut authority)?;
            let systems = authority.systems(actor)?;
            print_list(context.global.json, &systems);
        }
        Systems::Access { slug } => {
            let actor = context.actor(&mut authority)?;
            let access = authority.system_access(actor, &slug)?;
            let rows: Vec<Access> = access.into_iter().map(Access::from).collect();
            print_list(context.global.json, &rows);
        }
    }
    Ok(())
}

pub fn grant(context: &mut Context, username: &str, system: &str, granted: bool) -> CliResult {
    let (mut authority, actor) = context.signed_in()?;
    if granted {
        authority.grant(actor, username, system)?;
        eprintln!("{username} may access {system}");
    } else {
        authority.ungrant(actor, username, system)?;
        eprintln!("{username} no longer has a direct grant to {system}");
    }
    Ok(())
}

pub fn groups(context: &mut Context, command: Groups) -> CliResult {
    let (mut authority, actor) = context.signed_in()?;
    match command {
        Groups::Add { name } => {
            authority.add_group(actor, &name)?;
            eprintln!("Created group {}", name.trim());
        }
        Groups::Join { name, username } => {
            authority.set_group_member(actor, &name, &username, true)?;
            eprintln!("{username} is in group {name}");
        }
        Groups::Leave { name, username } => {
            authority.set_group_member(actor, &name, &username, false)?;
            eprintln!("{username} is not in group {name}");
        }
        Groups::Grant { name, system } => {
            authority.set_group_grant(actor, &name, &system, true)?;
            eprintln!("Group {name} may access {system}");
        }
        Groups::Ungrant { name, system } => {
            authority.set_group_grant(actor, &name, &system, false)?;
            eprintln!("Group {name} no longer has access to {system}");
        }
        Groups::List => {
            let groups = authority.groups(actor)?;
            print_list(context.global.json, &groups);
        }
    }
    Ok(())
}
