//! Systems: list, on-board (any account), who has access and grants (administrators).
use tauri::State;

use crate::error::CommandResult;
use crate::state::AppState;
use crate::views::{AccessView, SystemView};

#[tauri::command(async)]
pub async fn list_systems(state: State<'_, AppState>) -> CommandResult<Vec<SystemView>> {
    state.as_actor(|a, actor| {
        Ok(a.systems(actor)?
            .into_iter()
            .map(SystemView::from)
            .collect())
    })
}

#[tauri::command(async)]
pub async fn onboard_system(
    state: State<'_, AppState>,
    slug: String,
    display_name: Option<String>,
) -> CommandResult<SystemView> {
    // No display name is `null`; a blank one is refused by core, as the CLI refuses it.
    state.as_actor(|a, actor| {
        a.onboard_system(actor, &slug, display_name.as_deref())
            .map(SystemView::from)
    })
}

/// The systems the signed-in account reaches now: what a new token of theirs inherits.
#[tauri::command(async)]
pub async fn my_systems(state: State<'_, AppState>) -> CommandResult<Vec<String>> {
    state.as_actor(|a, actor| a.my_systems(actor))
}

#[tauri::command(async)]
pub async fn system_access(
    state: State<'_, AppState>,
    slug: String,
) -> CommandResult<Vec<AccessView>> {
    state.as_actor(|a, actor| {
        Ok(a.system_access(actor, &slug)?
            .into_iter()
            .map(|(username, reason)| AccessView { username, reason })
            .collect())
    })
}

#[tauri::command(async)]
pub async fn set_grant(
    state: State<'_, AppState>,
    username: String,
    slug: String,
    granted: bool,
) -> CommandResult<()> {
    state.as_actor(|a, actor| {
        if granted {
            a.grant(actor, &username, &slug)
        } else {
            a.ungrant(actor, &username, &slug)
        }
    })
}
