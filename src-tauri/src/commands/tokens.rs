//! My tokens: list, create (revealed once), revoke, rotate, delete, revoke all; usage notes,
//! hand-over and the overview of stale, retiring and expiring-together tokens.
use latchkey_core::{NewToken, RotateGrace, TokenScope};
use tauri::State;

use crate::error::CommandResult;
use crate::leaving_views::TokenOverviewView;
use crate::state::AppState;
use crate::views::{IssuedTokenView, NewTokenRequest, TokenView};

/// The signed-in account's tokens, with `all` (administrators) everyone's, or with `owner` those
/// of that account (an administrator, or a service account the signed-in account manages).
#[tauri::command(async)]
pub async fn list_tokens(
    state: State<'_, AppState>,
    all: bool,
    owner: Option<String>,
) -> CommandResult<Vec<TokenView>> {
    let scope = TokenScope::from_flags(all, owner);
    state.as_actor(|a, actor| {
        Ok(a.list_tokens(actor, &scope)?
            .into_iter()
            .map(TokenView::from)
            .collect())
    })
}

#[tauri::command(async)]
pub async fn create_token(
    state: State<'_, AppState>,
    request: NewTokenRequest,
) -> CommandResult<IssuedTokenView> {
    let new = NewToken {
        name: request.name,
        expires_in_days: request.expires_in_days,
        systems: request.systems,
        usage_note: request.usage_note,
        owner: request.owner,
    };
    state.as_actor(|a, actor| a.create_token(actor, &new).map(IssuedTokenView::from))
}

#[tauri::command(async)]
pub async fn revoke_token(state: State<'_, AppState>, id: String) -> CommandResult<TokenView> {
    state.as_actor(|a, actor| a.revoke_token(actor, &id).map(TokenView::from))
}

/// Rotates a token; `grace_days` keeps the old one up to 7 days (or until the new one is used).
#[tauri::command(async)]
pub async fn rotate_token(
    state: State<'_, AppState>,
    id: String,
    grace_days: Option<i64>,
    until_first_use: bool,
) -> CommandResult<IssuedTokenView> {
    let grace = RotateGrace::from_flags(grace_days, until_first_use);
    state.as_actor(|a, actor| a.rotate_token(actor, &id, grace).map(IssuedTokenView::from))
}

#[tauri::command(async)]
pub async fn delete_token(state: State<'_, AppState>, id: String) -> CommandResult<()> {
    state.as_actor(|a, actor| a.delete_token(actor, &id))
}

/// Revokes all of the signed-in account's tokens, or (administrators) all of `owner`'s.
#[tauri::command(async)]
pub async fn revoke_all_tokens(
    state: State<'_, AppState>,
    owner: Option<String>,
) -> CommandResult<usize> {
    state.as_actor(|a, actor| a.revoke_all_tokens(actor, owner.as_deref()))
}

/// Sets where a token is used; "" clears it.
#[tauri::command(async)]
pub async fn set_usage_note(
    state: State<'_, AppState>,
    id: String,
    note: String,
) -> CommandResult<TokenView> {
    state.as_actor(|a, actor| a.set_usage_note(actor, &id, &note).map(TokenView::from))
}

/// Hands a token over to a service account (administrators): same secret and id, the service
/// account's access from now on.
#[tauri::command(async)]
pub async fn hand_over_token(
    state: State<'_, AppState>,
    id: String,
    to: String,
) -> CommandResult<TokenView> {
    // Sensitive: it makes a secret someone still knows act as a service account.
    state.as_confirmed_actor(|a, actor| a.hand_over_token(actor, &id, &to).map(TokenView::from))
}

/// Stale, retiring and expiring-together tokens among those the signed-in account sees.
#[tauri::command(async)]
pub async fn token_overview(state: State<'_, AppState>) -> CommandResult<TokenOverviewView> {
    state.as_actor(|a, actor| a.token_overview(actor).map(TokenOverviewView::from))
}
