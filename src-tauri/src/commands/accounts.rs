//! Accounts (administrators): list and create. Core refuses members, whatever the UI shows.
use latchkey_core::{NewAccount, Role};
use tauri::State;
use zeroize::Zeroizing;

use crate::error::CommandResult;
use crate::state::AppState;
use crate::views::AccountView;

#[tauri::command(async)]
pub async fn list_accounts(state: State<'_, AppState>) -> CommandResult<Vec<AccountView>> {
    state.as_actor(|a, actor| {
        Ok(a.accounts(actor)?
            .into_iter()
            .map(AccountView::from)
            .collect())
    })
}

#[tauri::command(async)]
pub async fn add_account(
    state: State<'_, AppState>,
    username: String,
    display_name: Option<String>,
    admin: bool,
    password: Zeroizing<String>,
) -> CommandResult<AccountView> {
    let new = NewAccount {
        username: &username,
        // No display name is `null`; a blank one is refused by core, as the CLI refuses it.
        display_name: display_name.as_deref(),
        role: if admin { Role::Admin } else { Role::Member },
        password: &password,
    };
    let add = |a: &mut latchkey_core::Authority, actor| a.add_account(actor, &new);
    // Adding an administrator is sensitive: the password again after 5 minutes.
    let added = if admin {
        state.as_confirmed_actor(add)?
    } else {
        state.as_actor(add)?
    };
    Ok(AccountView::from(added))
}

#[tauri::command(async)]
pub async fn set_role(
    state: State<'_, AppState>,
    username: String,
    admin: bool,
) -> CommandResult<()> {
    let role = if admin { Role::Admin } else { Role::Member };
    state.as_confirmed_actor(|a, actor| a.set_role(actor, &username, role))
}

#[tauri::command(async)]
pub async fn set_active(
    state: State<'_, AppState>,
    username: String,
    active: bool,
) -> CommandResult<()> {
    // Sensitive: reactivating an administrator adds one, deactivating ends someone's access.
    state.as_confirmed_actor(|a, actor| {
        if active {
            a.reactivate(actor, &username)
        } else {
            a.deactivate(actor, &username)
        }
    })
}

#[tauri::command(async)]
pub async fn reset_password(
    state: State<'_, AppState>,
    username: String,
    password: Zeroizing<String>,
) -> CommandResult<()> {
    state.as_confirmed_actor(|a, actor| a.reset_password(actor, &username, &password))
}

#[tauri::command(async)]
pub async fn set_access_all(
    state: State<'_, AppState>,
    username: String,
    access_all: bool,
) -> CommandResult<()> {
    // Sensitive: access to every system is the widest grant there is.
    state.as_confirmed_actor(|a, actor| a.set_access_all(actor, &username, access_all))
}
