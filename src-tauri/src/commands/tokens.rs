//! My tokens: list, create (revealed once), revoke, rotate, delete, revoke all.
use latchkey_core::{NewToken, RotateGrace, TokenScope};
use tauri::State;

use crate::error::CommandResult;
use crate::state::AppState;
use crate::views::{IssuedTokenView, NewTokenRequest, TokenView};

/// The signed-in account's tokens, or with `all` (administrators) everyone's.
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
        ..NewToken::default()
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
