//! The audit log: pages of it, and exports to the Downloads folder.
use latchkey_core::audit::{AuditFilter, to_csv, to_json};
use tauri::{AppHandle, Runtime, State};

use crate::error::CommandResult;
use crate::state::AppState;
use crate::views::AuditPageView;

/// The audit log, filtered (times in Unix seconds; empty filters match everything), one page
/// newest first: up to `limit` events (200 when null) older than the event `before` (the newest
/// when null).
#[tauri::command(async)]
pub async fn audit_events(
    state: State<'_, AppState>,
    since: Option<i64>,
    until: Option<i64>,
    actor_name: Option<String>,
    action: Option<String>,
    before: Option<i64>,
    limit: Option<u32>,
) -> CommandResult<AuditPageView> {
    let filter = AuditFilter {
        since,
        until,
        actor: actor_name.filter(|s| !s.is_empty()),
        action: action.filter(|s| !s.is_empty()),
    };
    let limit = limit.map_or(AUDIT_PAGE, |n| n as usize);
    state.as_actor(|a, actor| Ok(a.audit_page(actor, &filter, before, limit)?.into()))
}

/// Events on a page of the Audit screen unless it asks for another number.
const AUDIT_PAGE: usize = 200;

/// Saves the whole log as CSV or JSON, with each event's chain value, as a new private file in
/// the Downloads folder (SPEC §6.8) and returns the file's path.
#[tauri::command(async)]
pub async fn export_audit<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    format: String,
) -> CommandResult<String> {
    let (text, extension) = state.as_actor(|a, actor| {
        let events = a.audit_events(actor, &AuditFilter::default())?;
        Ok(if format == "csv" {
            (to_csv(&events), "csv")
        } else {
            (to_json(&events).to_string(), "json")
        })
    })?;
    let path =
        super::downloads::save_new(&app, &state, "latchkey-audit", extension, text.as_bytes())?;
    Ok(path.display().to_string())
}
