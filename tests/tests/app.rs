//! The real desktop app window, through tauri-driver and WebKitWebDriver: one test binary for
//! every WebDriver suite. The tests share one display, its X clipboard and the windows on it:
//! each holds `latchkey_tests::desktop` while it uses them (an `AppSession`, a clipboard
//! manager, dunst), so at most one runs at a time whichever file it comes from; anything else a
//! test needs (store, D-Bus session, tauri-driver ports) is its own.
#[path = "app/accessibility.rs"]
mod accessibility;
#[path = "app/audit.rs"]
mod audit;
#[path = "app/backup.rs"]
mod backup;
#[path = "app/clipboard.rs"]
mod clipboard;
#[path = "app/data_folder.rs"]
mod data_folder;
#[path = "app/keyboard.rs"]
mod keyboard;
#[path = "app/leak_check.rs"]
mod leak_check;
#[path = "app/many_tokens.rs"]
mod many_tokens;
#[path = "app/reminders.rs"]
mod reminders;
#[path = "app/run_script.rs"]
mod run_script;
#[path = "app/secrets_everywhere.rs"]
mod secrets_everywhere;
#[path = "app/service_accounts.rs"]
mod service_accounts;
#[path = "app/session_lock.rs"]
mod session_lock;
#[path = "app/small_window.rs"]
mod small_window;
#[path = "app/window.rs"]
mod window;
