//! Copying a token: to the clipboard marked so clipboard managers and the OS history do not keep
//! it, and off it again after 30 s, and when the app quits, if it is still there.
//!
//! Written with arboard rather than the Tauri clipboard plugin: only arboard's
//! `exclude_from_history` adds the marks (`x-kde-passwordManagerHint: secret` on X11 and
//! Wayland, `org.nspasteboard.ConcealedType` on macOS, Windows'
//! `ExcludeClipboardContentFromMonitorProcessing`), and nothing else needs the plugin: the window
//! never touches the clipboard itself.
use std::sync::Mutex;
use std::sync::mpsc;
use std::time::Duration;

use tauri::State;
use zeroize::Zeroizing;

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;

pub const CLEAR_AFTER: Duration = Duration::from_secs(30);
/// How long quitting waits for the clipboard to answer.
const CLEAR_AT_EXIT_WAIT: Duration = Duration::from_secs(2);

/// The app's clipboard, and the token it last put there (so it only ever clears its own).
#[derive(Default)]
pub struct TokenClipboard {
    clipboard: Mutex<Option<arboard::Clipboard>>,
    copied: Mutex<Option<Zeroizing<String>>>,
}

fn clipboard_error(error: impl std::fmt::Display) -> CommandError {
    CommandError::new(
        "clipboard",
        format!("could not copy to the clipboard: {error}"),
    )
}

impl TokenClipboard {
    fn with<T>(
        &self,
        body: impl FnOnce(&mut arboard::Clipboard) -> Result<T, arboard::Error>,
    ) -> CommandResult<T> {
        let mut guard = self
            .clipboard
            .lock()
            .map_err(|_| clipboard_error("the clipboard lock was poisoned"))?;
        if guard.is_none() {
            *guard = Some(arboard::Clipboard::new().map_err(clipboard_error)?);
        }
        let clipboard = guard
            .as_mut()
            .ok_or_else(|| clipboard_error("no clipboard"))?;
        body(clipboard).map_err(clipboard_error)
    }

    /// Puts `secret` on the clipboard, marked to stay out of clipboard histories.
    pub fn copy(&self, secret: &str) -> CommandResult<()> {
        self.with(|clipboard| {
            let set = clipboard.set();
            #[cfg(all(
                unix,
                not(any(target_os = "macos", target_os = "android", target_os = "emscripten"))
            ))]
            let set = arboard::SetExtLinux::exclude_from_history(set);
            #[cfg(target_os = "macos")]
            let set = arboard::SetExtApple::exclude_from_history(set);
            // ExcludeClipboardContentFromMonitorProcessing (SPEC §6.7): kept out of the clipboard
            // history, the cloud clipboard and every other clipboard monitor, where
            // `exclude_from_history` only sets CanIncludeInClipboardHistory.
            #[cfg(windows)]
            let set = arboard::SetExtWindows::exclude_from_monitoring(set);
            set.text(secret)
        })?;
        if let Ok(mut copied) = self.copied.lock() {
            *copied = Some(Zeroizing::new(secret.to_string()));
        }
        Ok(())
    }

    /// Empties the clipboard if it still holds `secret`; true when it did.
    pub fn clear_if_still(&self, secret: &str) -> bool {
        let still = self
            .with(|clipboard| clipboard.get_text())
            .is_ok_and(|text| Zeroizing::new(text).as_str() == secret);
        if still {
            let _ = self.with(|clipboard| clipboard.clear());
        }
        // Either way the app has no reason left to keep the token.
        if let Ok(mut copied) = self.copied.lock()
            && copied.as_deref().is_some_and(|c| c.as_str() == secret)
        {
            *copied = None;
        }
        still
    }

    /// At quit: empties the clipboard if it still holds the last token copied, then lets the
    /// clipboard go. Runs on a helper thread with a time limit, since reading the clipboard can
    /// need the GUI thread (when the webview owns it) and quitting must never hang.
    pub fn clear_at_exit(&'static self) {
        let Some(secret) = self.copied.lock().ok().and_then(|mut c| c.take()) else {
            self.release();
            return;
        };
        let (done, wait) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("clipboard-clear".into())
            .spawn(move || {
                self.clear_if_still(&secret);
                self.release();
                let _ = done.send(());
            });
        if spawned.is_ok() {
            let _ = wait.recv_timeout(CLEAR_AT_EXIT_WAIT);
        }
    }

    fn release(&self) {
        if let Ok(mut clipboard) = self.clipboard.lock() {
            clipboard.take();
        }
    }
}

/// The app-wide clipboard (one per process, as the OS clipboard is).
pub fn token_clipboard() -> &'static TokenClipboard {
    static CLIPBOARD: std::sync::OnceLock<TokenClipboard> = std::sync::OnceLock::new();
    CLIPBOARD.get_or_init(TokenClipboard::default)
}

#[tauri::command(async)]
pub async fn copy_secret(
    state: State<'_, AppState>,
    secret: Zeroizing<String>,
) -> CommandResult<()> {
    state.actor()?;
    if !latchkey_core::tokens::format::is_well_formed(&secret) {
        return Err(CommandError::new(
            "invalid_input",
            "only a Latchkey token can be copied here",
        ));
    }
    let clipboard = token_clipboard();
    clipboard.copy(&secret)?;
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(CLEAR_AFTER).await;
        let _ =
            tauri::async_runtime::spawn_blocking(move || clipboard.clear_if_still(&secret)).await;
    });
    Ok(())
}
