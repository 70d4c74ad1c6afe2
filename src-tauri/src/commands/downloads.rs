//! Where the app writes files people asked for (audit exports, backups): the Downloads folder,
//! or home when there is none, under a name stamped with the time. Such a file is always new,
//! never written over another or through a symlink, and private (SPEC §6.8, core's
//! `private_file`).
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

/// How many names `save_new` tries (`<stem>-<time>.<ext>`, then `…-2.<ext>` and on) before it
/// gives up: something else keeps taking them.
const NAME_TRIES: u32 = 100;

/// Writes `bytes` to a new private file in the Downloads folder (see [`new_file`]) and returns
/// its path. A name already taken — by a file, a folder or a symlink — is left alone and the next
/// one is tried.
pub fn save_new<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
    stem: &str,
    extension: &str,
    bytes: &[u8],
) -> CommandResult<PathBuf> {
    let first = new_file(app, state, stem, extension)?;
    for attempt in 1..=NAME_TRIES {
        let path = match attempt {
            1 => first.clone(),
            n => first.with_extension(format!("{n}.{extension}")),
        };
        match latchkey_core::platform::private_file::write_new(&path, bytes) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(CommandError::new(
                    "export",
                    format!("could not write {}: {e}", path.display()),
                ));
            }
        }
    }
    Err(CommandError::new(
        "export",
        format!(
            "could not find a free name for {} in its folder",
            first.display()
        ),
    ))
}
