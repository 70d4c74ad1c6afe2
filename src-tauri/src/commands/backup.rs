//! Settings → Backup and restore, and restore at first run.
use std::path::PathBuf;

use tauri::{AppHandle, Runtime, State};
use zeroize::Zeroizing;

use crate::error::CommandResult;
use crate::state::AppState;
use crate::views::BackupView;

/// Seals the store and its key under `passphrase` into a new file in Downloads (administrators,
/// who entered their password in the last 5 minutes).
#[tauri::command(async)]
pub async fn backup_store<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    passphrase: Zeroizing<String>,
) -> CommandResult<BackupView> {
    // Refused before anything is made in Downloads; core checks the role.
    state.as_confirmed_actor(|_, _| Ok(()))?;
    let path = super::downloads::new_file(&app, &state, "latchkey-backup", "lkbackup")?;
    let summary = state.as_confirmed_actor(|a, actor| a.backup(actor, &passphrase, &path))?;
    Ok(BackupView::new(&path, summary))
}

/// Restores a backup: at first run into the empty place, or (administrators) over the current
/// store, which is kept beside it; everyone signs in again afterwards.
#[tauri::command(async)]
pub async fn restore_store(
    state: State<'_, AppState>,
    path: String,
    passphrase: Zeroizing<String>,
) -> CommandResult<BackupView> {
    let from = PathBuf::from(path);
    let summary = state.restore_backup(&from, &passphrase)?;
    Ok(BackupView::new(&from, summary))
}
