//! First-run setup.
use latchkey_core::{Authority, InitRequest};
use tauri::State;
use zeroize::Zeroizing;

use crate::error::CommandResult;
use crate::state::AppState;
use crate::views::{SessionView, SetupStatus};

#[tauri::command(async)]
pub async fn setup_status(state: State<'_, AppState>) -> CommandResult<SetupStatus> {
    let config = state.config()?;
    let needs_setup = !state.store_exists()?;
    let store_error = if needs_setup {
        None
    } else {
        state.store().err()
    };
    crate::log::answered_first_call();
    Ok(SetupStatus {
        needs_setup,
        store_path: config.path.display().to_string(),
        store_error,
    })
}

/// Creates the organisation and its first administrator, and signs them in.
#[tauri::command(async)]
pub async fn setup(
    state: State<'_, AppState>,
    organisation: String,
    username: String,
    display_name: Option<String>,
    password: Zeroizing<String>,
) -> CommandResult<SessionView> {
    let config = state.config()?;
    let request = InitRequest {
        organisation: &organisation,
        admin_username: &username,
        admin_display_name: display_name.as_deref().filter(|n| !n.trim().is_empty()),
        admin_password: &password,
    };
    let mut authority = Authority::init(&config.path, &config.key, state.clock.clone(), &request)?;
    let actor = authority.sign_in(&username, &password)?;
    let view = crate::commands::session::session_view(&authority, actor)?;
    state.start_session(&authority, actor)?;
    state.set_store(authority)?;
    Ok(view)
}
