//! Where the store lives by default: the per-user data directory, shared by the app and the CLI.
use std::path::PathBuf;

use crate::keys::KeySource;

/// The folder name under the platform's data directory (the desktop app's identifier).
pub const APP_FOLDER: &str = "org.latchkey.desktop";
/// The store's file name in that folder.
pub const STORE_FILE: &str = "latchkey.db";

/// `$XDG_DATA_HOME` or `~/.local/share` on Linux, `~/Library/Application Support` on macOS,
/// `%APPDATA%` on Windows; then `org.latchkey.desktop/latchkey.db`.
pub fn default_store_path() -> Option<PathBuf> {
    let env = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let data = if cfg!(target_os = "windows") {
        env("APPDATA")
    } else if cfg!(target_os = "macos") {
        env("HOME").map(|home| home.join("Library/Application Support"))
    } else {
        env("XDG_DATA_HOME").or_else(|| env("HOME").map(|home| home.join(".local/share")))
    }?;
    Some(data.join(APP_FOLDER).join(STORE_FILE))
}

/// Where a store and its key are, as both programs choose them.
#[derive(Debug, Clone)]
pub struct StoreLocation {
    /// The store file.
    pub path: PathBuf,
    /// Where the installation key is kept.
    pub key: KeySource,
}

impl StoreLocation {
    /// The given store file and key file, or where they are absent the per-user data directory
    /// and the OS credential store. `None` when no data directory is known for this user.
    pub fn choose(db: Option<PathBuf>, key_file: Option<PathBuf>) -> Option<StoreLocation> {
        let path = db.or_else(default_store_path)?;
        let key = key_file.map_or(KeySource::OsStore, KeySource::File);
        Some(StoreLocation { path, key })
    }

    /// From `LATCHKEY_DB` and `LATCHKEY_KEY_FILE` (an empty value counts as unset).
    pub fn from_env() -> Option<StoreLocation> {
        let env = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        StoreLocation::choose(env("LATCHKEY_DB"), env("LATCHKEY_KEY_FILE"))
    }
}

/// Makes the folder holding a store in the per-user data directory private (0700 on Unix), also
/// when something else (the webview, an older version) created it first. A store elsewhere
/// (`--db`) is in a folder the person chose, which is left as it is.
pub fn secure_data_folder(store: &std::path::Path) -> std::io::Result<()> {
    let Some(folder) = store
        .parent()
        .filter(|folder| folder.file_name() == Some(std::ffi::OsStr::new(APP_FOLDER)))
    else {
        return Ok(());
    };
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(folder)?;
    // Windows has no mode bits: the folder lies under %APPDATA% in the person's profile, whose
    // inherited ACL grants only that user, SYSTEM and Administrators — the counterpart of 0700 —
    // and this folder inherits it. (Setting an explicit ACL needs the Win32 security API, FFI
    // this workspace does not write; see docs/PLATFORMS.md.)
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if std::fs::metadata(folder)?.permissions().mode() & 0o777 != 0o700 {
            std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o700))?;
        }
    }
    Ok(())
}
