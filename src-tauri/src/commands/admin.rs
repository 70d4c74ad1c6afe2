//! Administration beyond accounts: groups, the audit log and settings.
use latchkey_core::audit::{AuditFilter, to_csv, to_json};
use latchkey_core::settings::Settings;
use tauri::{AppHandle, Runtime, State};

use crate::error::CommandResult;
use crate::state::AppState;
use crate::views::{AuditPageView, GroupView, SettingsView};

#[tauri::command(async)]
pub async fn list_groups(state: State<'_, AppState>) -> CommandResult<Vec<GroupView>> {
    state.as_actor(|a, actor| Ok(a.groups(actor)?.into_iter().map(GroupView::from).collect()))
}

#[tauri::command(async)]
pub async fn add_group(state: State<'_, AppState>, name: String) -> CommandResult<()> {
    state.as_actor(|a, actor| a.add_group(actor, &name))
}

#[tauri::command(async)]
pub async fn set_group_member(
    state: State<'_, AppState>,
    group: String,
    username: String,
    member: bool,
) -> CommandResult<()> {
    state.as_actor(|a, actor| a.set_group_member(actor, &group, &username, member))
}

#[tauri::command(async)]
pub async fn set_group_grant(
    state: State<'_, AppState>,
    group: String,
    slug: String,
    granted: bool,
) -> CommandResult<()> {
    state.as_actor(|a, actor| a.set_group_grant(actor, &group, &slug, granted))
}

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

#[tauri::command(async)]
pub async fn get_settings(state: State<'_, AppState>) -> CommandResult<SettingsView> {
    state.as_actor(|a, actor| {
        a.whoami(actor)?;
        Ok(a.settings()?.into())
    })
}

#[tauri::command(async)]
pub async fn update_settings(
    state: State<'_, AppState>,
    settings: SettingsView,
) -> CommandResult<SettingsView> {
    let new = Settings {
        reminder_schedule: settings.reminder_schedule,
        max_lifetime_days: settings.max_lifetime_days,
        onboarder_gets_access: settings.onboarder_gets_access,
        idle_lock_minutes: settings.idle_lock_minutes,
    };
    // Sensitive: the password again after 5 minutes.
    state.as_confirmed_actor(|a, actor| a.update_settings(actor, &new).map(SettingsView::from))
}
