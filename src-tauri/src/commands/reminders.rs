//! The Reminders list, muting one's own reminders, and starting at login.
use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_autostart::AutoLaunchManager;

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;
use crate::tray;
use crate::views::ReminderView;

#[tauri::command(async)]
pub async fn list_reminders(state: State<'_, AppState>) -> CommandResult<Vec<ReminderView>> {
    let items = state.as_actor(|a, actor| a.reminder_list(actor))?;
    Ok(items.into_iter().map(ReminderView::from).collect())
}

/// Marks the listed reminders read, and updates the tray's count.
#[tauri::command(async)]
pub async fn mark_reminders_read<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> CommandResult<usize> {
    let marked = state.as_actor(|a, actor| a.mark_reminders_read(actor))?;
    tray::refresh_reminders(&app);
    Ok(marked)
}

#[tauri::command(async)]
pub async fn set_mute_reminders<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    mute: bool,
) -> CommandResult<()> {
    state.as_actor(|a, actor| a.set_mute_reminders(actor, mute))?;
    tray::refresh_reminders(&app);
    Ok(())
}

fn autostart<R: Runtime>(app: &AppHandle<R>) -> CommandResult<State<'_, AutoLaunchManager>> {
    app.try_state::<AutoLaunchManager>()
        .ok_or_else(|| CommandError::new("unavailable", "starting at login is not available here"))
}

/// Whether the app starts (in the tray) when this OS user logs in. Any signed-in account may
/// read it; it is this computer's setting, not the store's.
#[tauri::command(async)]
pub async fn get_autostart<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> CommandResult<bool> {
    state.actor()?;
    autostart(&app)?
        .is_enabled()
        .map_err(|e| CommandError::new("autostart", format!("cannot read the login item: {e}")))
}

#[tauri::command(async)]
pub async fn set_autostart<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    enabled: bool,
) -> CommandResult<bool> {
    state.actor()?;
    let manager = autostart(&app)?;
    let result = if enabled {
        // The login-item library writes ~/.config/autostart/ but creates only the last folder.
        // (On macOS it makes ~/Library/LaunchAgents/, whose parent always exists; on Windows it
        // writes a value under HKCU\...\CurrentVersion\Run: no folder.)
        #[cfg(target_os = "linux")]
        if let Some(home) = std::env::var_os("HOME") {
            let _ = std::fs::create_dir_all(std::path::Path::new(&home).join(".config"));
        }
        manager.enable()
    } else {
        manager.disable()
    };
    result.map_err(|e| {
        CommandError::new("autostart", format!("cannot change the login item: {e}"))
    })?;
    Ok(enabled)
}
