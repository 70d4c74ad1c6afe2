//! Accounts (administrators): list and create, service accounts, deactivation with its
//! preview. Core refuses members, whatever the UI shows.
use latchkey_core::{NewAccount, NewServiceAccount, Role};
use tauri::State;
use zeroize::Zeroizing;

use crate::error::CommandResult;
use crate::leaving_views::{DeactivatedView, DeactivationPreviewView, LeavingTokensRequest};
use crate::state::AppState;
use crate::views::{AccountView, ServiceAccountView};

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

/// A service account (a pipeline or a service): it never signs in; the members of `managed_by`
/// manage its tokens. Not sensitive as adding an administrator is: it can never be one.
#[tauri::command(async)]
pub async fn add_service_account(
    state: State<'_, AppState>,
    username: String,
    display_name: Option<String>,
    managed_by: String,
) -> CommandResult<AccountView> {
    let new = NewServiceAccount {
        username: &username,
        display_name: display_name.as_deref(),
        managed_by: &managed_by,
    };
    state.as_actor(|a, actor| a.add_service_account(actor, &new).map(AccountView::from))
}

/// Sensitive: the new group's members may take the service account's tokens' secrets.
#[tauri::command(async)]
pub async fn set_managing_group(
    state: State<'_, AppState>,
    username: String,
    group: String,
) -> CommandResult<()> {
    state.as_confirmed_actor(|a, actor| a.set_managing_group(actor, &username, &group))
}

/// The service accounts the signed-in account manages (an administrator: all).
#[tauri::command(async)]
pub async fn service_accounts(
    state: State<'_, AppState>,
) -> CommandResult<Vec<ServiceAccountView>> {
    state.as_actor(|a, actor| {
        Ok(a.service_accounts_managed(actor)?
            .into_iter()
            .map(ServiceAccountView::from)
            .collect())
    })
}

/// What deactivating `username` would stop; changes nothing.
#[tauri::command(async)]
pub async fn deactivation_preview(
    state: State<'_, AppState>,
    username: String,
) -> CommandResult<DeactivationPreviewView> {
    state.as_actor(|a, actor| {
        a.deactivation_preview(actor, &username)
            .map(DeactivationPreviewView::from)
    })
}

/// Deactivates `username`, keeping, handing over or revoking its tokens in one transaction.
/// Sensitive, as `set_active` is.
#[tauri::command(async)]
pub async fn deactivate_account(
    state: State<'_, AppState>,
    username: String,
    tokens: LeavingTokensRequest,
) -> CommandResult<DeactivatedView> {
    let leaving = tokens.into();
    state.as_confirmed_actor(|a, actor| {
        a.deactivate_account(actor, &username, &leaving)
            .map(DeactivatedView::from)
    })
}
