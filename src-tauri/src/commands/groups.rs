//! Groups of accounts and their system grants.
use tauri::State;

use crate::error::CommandResult;
use crate::state::AppState;
use crate::views::GroupView;

#[tauri::command(async)]
pub async fn list_groups(state: State<'_, AppState>) -> CommandResult<Vec<GroupView>> {
    state.as_actor(|a, actor| Ok(a.groups(actor)?.into_iter().map(GroupView::from).collect()))
}

#[tauri::command(async)]
pub async fn add_group(state: State<'_, AppState>, name: String) -> CommandResult<()> {
    state.as_actor(|a, actor| a.add_group(actor, &name))
}

#[tauri::command(async)]
pub async fn set_group_member(
    state: State<'_, AppState>,
    group: String,
    username: String,
    member: bool,
) -> CommandResult<()> {
    state.as_actor(|a, actor| a.set_group_member(actor, &group, &username, member))
}

#[tauri::command(async)]
pub async fn set_group_grant(
    state: State<'_, AppState>,
    group: String,
    slug: String,
    granted: bool,
) -> CommandResult<()> {
    state.as_actor(|a, actor| a.set_group_grant(actor, &group, &slug, granted))
}
