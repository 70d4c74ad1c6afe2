//! The tray icon: Open, Reminders (with the unread count), Lock and Quit. The app lives here when
//! its window is closed.
use tauri::menu::{Menu, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime};

use crate::events::AppEvent;
use crate::notifier::OpenTarget;
use crate::session::EndReason;
use crate::state::AppState;

/// Whether the tray icon exists.
pub struct HasTray(pub bool);

/// The tray menu's Reminders entry, relabelled with the unread count.
struct RemindersItem<R: Runtime>(MenuItem<R>);

pub fn create<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, "open", "Open Latchkey", true, None::<&str>)?;
    let reminders = MenuItem::with_id(app, "reminders", reminders_label(0), true, None::<&str>)?;
    let lock = MenuItem::with_id(app, "lock", "Lock", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &reminders, &lock, &quit])?;
    let mut tray = TrayIconBuilder::with_id("main")
        .menu(&menu)
        .tooltip("Latchkey")
        .on_menu_event(|app, event| menu_action(app, event.id.as_ref()));
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    app.manage(RemindersItem(reminders));
    Ok(())
}

/// What a tray menu entry does.
pub fn menu_action<R: Runtime>(app: &AppHandle<R>, id: &str) {
    match id {
        "open" => show_main_window(app),
        "reminders" => open(app, OpenTarget::Reminders),
        "lock" => lock(app),
        "quit" => app.exit(0),
        _ => {}
    }
}

/// Lock: the session ends as the window's Lock command ends it, and the window is told.
pub fn lock<R: Runtime>(app: &AppHandle<R>) {
    if let Err(error) = app.state::<AppState>().end_session(EndReason::Locked) {
        crate::log::info(&format!("could not lock: {}", error.message));
    }
}

/// The Reminders entry's text.
pub fn reminders_label(unread: usize) -> String {
    match unread {
        0 => "Reminders".into(),
        n => format!("Reminders ({n} unread)"),
    }
}

/// Re-reads the unread count into the tray and tells the window the list changed.
pub fn refresh_reminders<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>();
    let exists = state.store_exists().unwrap_or(false);
    let unread = if exists {
        state.with_store(|a| a.unread_reminder_count()).unwrap_or(0)
    } else {
        0
    };
    if let Some(item) = app.try_state::<RemindersItem<R>>() {
        let _ = item.0.set_text(reminders_label(unread));
    }
    if let Some(tray) = app.tray_by_id("main") {
        let tip = match unread {
            0 => "Latchkey".to_string(),
            n => format!("Latchkey: {n} unread reminders"),
        };
        let _ = tray.set_tooltip(Some(tip));
    }
    let _ = AppEvent::RemindersChanged(unread).emit(app);
}

/// Shows the window on a token with its rotate dialog ready, the Tokens list, or the Reminders.
pub fn open<R: Runtime>(app: &AppHandle<R>, target: OpenTarget) {
    show_main_window(app);
    let _ = match target {
        OpenTarget::Token(id) => AppEvent::OpenToken(id),
        OpenTarget::Tokens => AppEvent::OpenTokens,
        OpenTarget::Reminders => AppEvent::OpenReminders,
    }
    .emit(app);
}

pub fn show_main_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_tray_entry_counts_unread_reminders() {
        assert_eq!(super::reminders_label(0), "Reminders");
        assert_eq!(super::reminders_label(3), "Reminders (3 unread)");
    }
}
