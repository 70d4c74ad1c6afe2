//! Copying a token: to the clipboard, and off it again after 30 s if it is still there.
use std::time::Duration;

use tauri::{AppHandle, Runtime, State};
use tauri_plugin_clipboard_manager::ClipboardExt;

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;

pub const CLEAR_AFTER: Duration = Duration::from_secs(30);

#[tauri::command(async)]
pub async fn copy_secret<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    secret: String,
) -> CommandResult<()> {
    state.actor()?;
    if !latchkey_core::token_format::is_well_formed(&secret) {
        return Err(CommandError::new(
            "invalid_input",
            "only a Latchkey token can be copied here",
        ));
    }
    app.clipboard().write_text(secret.clone()).map_err(|e| {
        CommandError::new("clipboard", format!("could not copy to the clipboard: {e}"))
    })?;
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(CLEAR_AFTER).await;
        let clipboard = app.clipboard();
        if clipboard.read_text().is_ok_and(|text| text == secret) {
            let _ = clipboard.write_text(String::new());
        }
    });
    Ok(())
}
