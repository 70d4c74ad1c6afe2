//! Latchkey's desktop shell: wires plugins, state, the tray and the commands. The logic lives in
//! latchkey-core; commands (in `commands/`) are a few lines each.
pub mod bindings;
pub mod commands;
pub mod error;
pub mod events;
pub mod leak_views;
pub mod leaving_views;
mod log;
pub mod notifier;
pub mod reminder_loop;
pub mod session;
mod session_watch;
pub mod state;
#[cfg(debug_assertions)]
mod test_clock;
pub mod tray;
pub mod views;

use std::sync::Arc;

use tauri::{AppHandle, Manager, Runtime};

use crate::events::AppEvent;
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

/// Every `#[tauri::command]` in `commands/`, listed by build.rs.
fn commands<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    include!(concat!(env!("OUT_DIR"), "/handler.rs"))
}

/// The argument the login item starts the app with.
const START_HIDDEN: &str = "--hidden";

pub fn run() {
    // First: no core dumps of a process that holds the key, passwords and fresh tokens.
    for failed in latchkey_core::platform::process::harden() {
        log::debug(|| format!("could not turn core dumps off: {failed} failed"));
    }
    latchkey_core::platform::panic_report::install("latchkey-app");
    log::started();
    let built = tauri::Builder::default()
        // First, so a second launch only focuses the running window.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            tray::show_main_window(app)
        }))
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
            // A session that locks or ends on its own turns the window to the sign-in screen.
            let handle = app.handle().clone();
            app.state::<AppState>()
                .on_session_end(Box::new(move |refusal| {
                    let _ = AppEvent::SessionEnded(refusal.clone()).emit(&handle);
                }));
            session_watch::spawn(app.handle().clone());
            quit_on_signals(app.handle().clone());
            Ok(())
        })
        .on_window_event(|window, event| {
            // The Leak check reads by path only what was really dropped on the window.
            if let tauri::WindowEvent::DragDrop(tauri::DragDropEvent::Drop { paths, .. }) = event
                && let Some(state) = window.try_state::<AppState>()
            {
                state.remember_dropped(paths);
            }
            // Closing the window keeps the app in the tray, so reminders still arrive.
            if let tauri::WindowEvent::CloseRequested { api, .. } = event
                && window.try_state::<tray::HasTray>().is_some_and(|t| t.0)
            {
                api.prevent_close();
                let _ = window.hide();
            }
        })
        .invoke_handler(handler())
        .build(tauri::generate_context!());
    let app = match built {
        Ok(app) => app,
        Err(error) => {
            eprintln!("latchkey-app: {error}");
            std::process::exit(1);
        }
    };
    app.run(|_, event| {
        // Every way of quitting ends here (tray Quit, closing the window without a tray, a
        // termination signal): a copied token still on the clipboard goes with the app.
        if let tauri::RunEvent::Exit = event {
            commands::clipboard::token_clipboard().clear_at_exit();
        }
    });
}

/// A termination signal (logout, `kill`) quits as the tray's Quit does, so what quitting cleans
/// up (the clipboard) is cleaned up then too.
fn quit_on_signals<R: Runtime>(app: AppHandle<R>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        for kind in [
            SignalKind::terminate(),
            SignalKind::interrupt(),
            SignalKind::hangup(),
        ] {
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                match signal(kind) {
                    Ok(mut stream) => {
                        if stream.recv().await.is_some() {
                            log::debug(|| "quitting on a termination signal".into());
                            app.exit(0);
                        }
                    }
                    Err(error) => log::info(&format!("cannot watch signal {kind:?}: {error}")),
                }
            });
        }
    }
    // Windows sends a GUI process no console signals; at logoff and shutdown the clipboard's
    // content goes with the session, and a copied token was kept out of history and cloud sync.
    #[cfg(not(unix))]
    let _ = app;
}

/// The state a window reads; exposed for tests.
pub fn app_state<R: Runtime>(app: &tauri::AppHandle<R>) -> tauri::State<'_, AppState> {
    app.state::<AppState>()
}
