//! Organisation settings.
use latchkey_core::settings::Settings;
use tauri::State;

use crate::error::CommandResult;
use crate::state::AppState;
use crate::views::SettingsView;

#[tauri::command(async)]
pub async fn get_settings(state: State<'_, AppState>) -> CommandResult<SettingsView> {
    state.as_actor(|a, actor| {
        a.whoami(actor)?;
        Ok(a.settings()?.into())
    })
}

#[tauri::command(async)]
pub async fn update_settings(
    state: State<'_, AppState>,
    settings: SettingsView,
) -> CommandResult<SettingsView> {
    let new = Settings {
        reminder_schedule: settings.reminder_schedule,
        max_lifetime_days: settings.max_lifetime_days,
        onboarder_gets_access: settings.onboarder_gets_access,
        idle_lock_minutes: settings.idle_lock_minutes,
        stale_after_days: settings.stale_after_days,
        auto_revoke_unused_days: settings.auto_revoke_unused_days,
    };
    // Sensitive: the password again after 5 minutes.
    state.as_confirmed_actor(|a, actor| a.update_settings(actor, &new).map(SettingsView::from))
}
