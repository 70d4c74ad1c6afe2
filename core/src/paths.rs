//! Where the store lives by default: the per-user data directory, shared by the app and the CLI.
use std::path::PathBuf;

/// The folder name under the platform's data directory (the desktop app's identifier).
pub const APP_FOLDER: &str = "org.latchkey.desktop";
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
