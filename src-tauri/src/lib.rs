//! Latchkey's desktop shell: wires plugins, state, the tray and the commands. The logic lives in
//! latchkey-core; commands (in `commands/`) are a few lines each.
pub mod bindings;
pub mod commands;
pub mod error;
mod log;
pub mod notifier;
pub mod reminder_loop;
pub mod state;
#[cfg(debug_assertions)]
mod test_clock;
mod tray;
pub mod views;

use std::sync::Arc;

use tauri::{Manager, Runtime};

use crate::state::AppState;

/// The command handler, shared by the app and the mock-runtime tests.
pub fn handler<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    let commands = commands();
    move |invoke| {
        // The command's name only: arguments may hold passwords.
        log::debug(|| format!("command {}", invoke.message.command()));
        commands(invoke)
    }
}

fn commands<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        commands::setup::setup_status,
        commands::setup::setup,
        commands::session::sign_in,
        commands::session::sign_out,
        commands::session::session,
        commands::tokens::list_tokens,
        commands::tokens::create_token,
        commands::tokens::revoke_token,
        commands::tokens::rotate_token,
        commands::tokens::delete_token,
        commands::tokens::revoke_all_tokens,
        commands::clipboard::copy_secret,
        commands::accounts::list_accounts,
        commands::accounts::add_account,
        commands::systems::list_systems,
        commands::systems::onboard_system,
        commands::systems::my_systems,
        commands::systems::system_access,
        commands::systems::set_grant,
        commands::accounts::set_role,
        commands::accounts::set_active,
        commands::accounts::reset_password,
        commands::accounts::set_access_all,
        commands::admin::list_groups,
        commands::admin::add_group,
        commands::admin::set_group_member,
        commands::admin::set_group_grant,
        commands::admin::audit_events,
        commands::admin::export_audit,
        commands::backup::backup_store,
        commands::backup::restore_store,
        commands::admin::get_settings,
        commands::admin::update_settings,
        commands::reminders::list_reminders,
        commands::reminders::mark_reminders_read,
        commands::reminders::set_mute_reminders,
        commands::reminders::get_autostart,
        commands::reminders::set_autostart,
    ]
}

/// The argument the login item starts the app with.
const START_HIDDEN: &str = "--hidden";

pub fn run() {
    latchkey_core::panic_report::install("latchkey-app");
    log::started();
    let result = tauri::Builder::default()
        // First, so a second launch only focuses the running window.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            tray::show_main_window(app)
        }))
        .plugin(tauri_plugin_clipboard_manager::init())
        // Off until the user turns on "Start at login"; a login start stays in the tray.
        .plugin(
            tauri_plugin_autostart::Builder::new()
                .arg(START_HIDDEN)
                .build(),
        )
        .manage(AppState::from_env())
        .setup(|app| {
            // Without a tray (some desktops have none) closing the window quits, so the app
            // never lingers where nobody can reach it.
            let has_tray = match tray::create(app.handle()) {
                Ok(()) => true,
                Err(error) => {
                    eprintln!("latchkey-app: no tray icon ({error}); closing the window will quit");
                    false
                }
            };
            app.manage(tray::HasTray(has_tray));
            // The window starts hidden (tauri.conf.json) and is shown unless this is a login
            // start with a tray to live in.
            let hidden = has_tray && std::env::args().any(|a| a == START_HIDDEN);
            if !hidden {
                tray::show_main_window(app.handle());
            }
            reminder_loop::spawn(app.handle().clone(), Arc::new(notifier::DesktopNotifier));
            Ok(())
        })
        .on_window_event(|window, event| {
            // Closing the window keeps the app in the tray, so reminders still arrive.
            if let tauri::WindowEvent::CloseRequested { api, .. } = event
                && window.try_state::<tray::HasTray>().is_some_and(|t| t.0)
            {
                api.prevent_close();
                let _ = window.hide();
            }
        })
        .invoke_handler(handler())
        .run(tauri::generate_context!());
    if let Err(error) = result {
        eprintln!("latchkey-app: {error}");
        std::process::exit(1);
    }
}

/// The state a window reads; exposed for tests.
pub fn app_state<R: Runtime>(app: &tauri::AppHandle<R>) -> tauri::State<'_, AppState> {
    app.state::<AppState>()
}
