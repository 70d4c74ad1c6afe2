//! Where the app writes files people asked for (audit exports, backups): the Downloads folder,
//! or home when there is none, under a name stamped with the time.
use std::path::PathBuf;

use tauri::{AppHandle, Manager, Runtime};

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;

pub fn new_file<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
    stem: &str,
    extension: &str,
) -> CommandResult<PathBuf> {
    let folder = match &state.downloads {
        Some(folder) => folder.clone(),
        None => app
            .path()
            .download_dir()
            .or_else(|_| app.path().home_dir())
            .map_err(|e| CommandError::new("export", e.to_string()))?,
    };
    std::fs::create_dir_all(&folder).map_err(|e| {
        CommandError::new(
            "export",
            format!("could not create {}: {e}", folder.display()),
        )
    })?;
    let stamp = latchkey_core::clock::rfc3339(state.clock.now()).replace(':', "-");
    Ok(folder.join(format!("{stem}-{stamp}.{extension}")))
}
