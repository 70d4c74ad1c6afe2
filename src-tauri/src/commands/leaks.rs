//! Leak check and Look up a token: pasted text and tokens go into Rust and only hints come back.
use std::path::PathBuf;

use latchkey_core::CoreError;
use latchkey_core::leaks::{self, Viewer};
use tauri::State;
use zeroize::Zeroizing;

use crate::error::CommandResult;
use crate::leak_views::{LeakScanView, TokenLookupView};
use crate::state::AppState;
use crate::views::TokenView;

/// Finds the tokens in pasted text and says what each is; the text is wiped once read.
#[tauri::command(async)]
pub async fn scan_text(state: State<'_, AppState>, text: String) -> CommandResult<LeakScanView> {
    let text = Zeroizing::new(text);
    let report = leaks::read_stream(text.as_bytes(), "pasted text")
        .map_err(|e| CoreError::Invalid(format!("cannot read the pasted text: {e}")))?;
    state.as_actor(|a, actor| {
        let findings = a.look_up_sightings(Viewer::Account(actor), &report.sightings)?;
        Ok(LeakScanView::new(&report, findings))
    })
}

/// Finds the tokens in a file or folder dropped on the window (a folder as `latchkey scan` reads
/// one); findings name the file. Only a path the window saw dropped is read, once: the webview
/// cannot make Rust read a path it chose.
#[tauri::command(async)]
pub async fn scan_file(state: State<'_, AppState>, path: String) -> CommandResult<LeakScanView> {
    // Signed in before any file is touched: nothing about the disk answers a stranger.
    state.as_actor(|a, actor| a.whoami(actor).map(drop))?;
    let path = PathBuf::from(path);
    if !state.take_dropped(&path) {
        return Err(CoreError::Invalid(
            "only a file dropped on this window can be checked by name; paste the text or choose \
             the file instead"
                .into(),
        )
        .into());
    }
    // Reading a dropped folder may take a while: off the async workers.
    let report = tauri::async_runtime::spawn_blocking(move || {
        leaks::read_paths(std::slice::from_ref(&path))
    })
    .await
    .map_err(|e| CoreError::Invalid(format!("the check stopped: {e}")))?;
    state.as_actor(|a, actor| {
        let findings = a.look_up_sightings(Viewer::Account(actor), &report.sightings)?;
        Ok(LeakScanView::new(&report, findings))
    })
}

/// Revokes a live token the leak check found, recording where it was found.
#[tauri::command(async)]
pub async fn revoke_leaked_token(
    state: State<'_, AppState>,
    id: String,
    found_in: String,
) -> CommandResult<TokenView> {
    let place = format!("leak check: {found_in}");
    state.as_actor(|a, actor| {
        a.revoke_leaked_token(actor, &id, &place)
            .map(TokenView::from)
    })
}

/// Which token this is, with its whole audit history (administrators: any; members: their own).
#[tauri::command(async)]
pub async fn look_up_token(
    state: State<'_, AppState>,
    token: String,
) -> CommandResult<TokenLookupView> {
    let token = Zeroizing::new(token);
    state.as_actor(|a, actor| a.look_up_token(actor, &token).map(TokenLookupView::from))
}
