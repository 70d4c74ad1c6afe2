//! Sign in, sign out, and who is signed in.
use latchkey_core::{Actor, Authority};
use tauri::State;

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use crate::views::SessionView;

pub(crate) fn session_view(
    authority: &Authority,
    actor: Actor,
) -> latchkey_core::Result<SessionView> {
    let me = authority.whoami(actor)?;
    Ok(SessionView {
        is_admin: me.is_admin(),
        mute_reminders: me.mute_reminders,
        username: me.username,
        display_name: me.display_name,
        organisation: authority.organisation()?,
        clock_behind_seconds: authority.clock_behind_by()?,
    })
}

#[tauri::command(async)]
pub async fn sign_in(
    state: State<'_, AppState>,
    username: String,
    password: String,
) -> CommandResult<SessionView> {
    let mut store = state.store()?;
    let authority = store.as_mut().ok_or_else(CommandError::not_signed_in)?;
    let actor = authority.sign_in(&username, &password)?;
    let view = session_view(authority, actor)?;
    state.set_session(Some(actor))?;
    Ok(view)
}

#[tauri::command(async)]
pub async fn sign_out(state: State<'_, AppState>) -> CommandResult<()> {
    state.set_session(None)
}

/// The signed-in account, or null; a deactivated account is signed out.
#[tauri::command(async)]
pub async fn session(state: State<'_, AppState>) -> CommandResult<Option<SessionView>> {
    if state.actor().is_err() {
        return Ok(None);
    }
    match state.as_actor(|authority, actor| session_view(authority, actor)) {
        Ok(view) => Ok(Some(view)),
        Err(error) if error.code == "forbidden" => {
            state.set_session(None)?;
            Ok(None)
        }
        Err(error) => Err(error),
    }
}
