//! Sign in, sign out, who is signed in, Lock, the window's input reports, and entering the
//! password again for a sensitive action.
use latchkey_core::{Actor, Authority};
use tauri::State;
use zeroize::Zeroizing;

use crate::error::{CommandError, CommandResult};
use crate::session::EndReason;
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
        now: authority.now()?,
    })
}

#[tauri::command(async)]
pub async fn sign_in(
    state: State<'_, AppState>,
    // Zeroized too: people type passwords into the username field.
    username: Zeroizing<String>,
    password: Zeroizing<String>,
) -> CommandResult<SessionView> {
    let mut store = state.store()?;
    let authority = store.as_mut().ok_or_else(CommandError::not_signed_in)?;
    let actor = authority.sign_in(&username, &password)?;
    let view = session_view(authority, actor)?;
    state.start_session(authority, actor)?;
    Ok(view)
}

#[tauri::command(async)]
pub async fn sign_out(state: State<'_, AppState>) -> CommandResult<()> {
    state.sign_out()
}

/// The signed-in account, or null: also when the session locked or ended meanwhile, or the
/// account was deactivated.
#[tauri::command(async)]
pub async fn session(state: State<'_, AppState>) -> CommandResult<Option<SessionView>> {
    match state.as_actor(|authority, actor| session_view(authority, actor)) {
        Ok(view) => Ok(Some(view)),
        Err(error)
            if ["not_signed_in", "locked", "session_ended"].contains(&error.code.as_str()) =>
        {
            Ok(None)
        }
        Err(error) if error.code == "forbidden" => {
            state.sign_out()?;
            Ok(None)
        }
        Err(error) => Err(error),
    }
}

/// "Lock" (the window's keyboard shortcut; the tray's item does the same): signed out, the
/// next action asks for the password.
#[tauri::command(async)]
pub async fn lock(state: State<'_, AppState>) -> CommandResult<()> {
    state.end_session(EndReason::Locked)?;
    Ok(())
}

/// The window saw input (it reports at most every 20 s): the idle lock starts counting again.
/// Refused like any command once the session has locked.
#[tauri::command(async)]
pub async fn report_activity(state: State<'_, AppState>) -> CommandResult<()> {
    state.report_activity()
}

/// The password entered again before a sensitive action; good for the next 5 minutes. A wrong
/// one counts towards the sign-in backoff like any other.
#[tauri::command(async)]
pub async fn confirm_password(
    state: State<'_, AppState>,
    password: Zeroizing<String>,
) -> CommandResult<()> {
    state.confirm_password(&password)
}
