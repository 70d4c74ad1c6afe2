//! Tauri commands, one module per screen. Each is async and a few lines: it calls core through
//! `AppState` and maps errors to `{code, message}`.
pub mod accounts;
pub mod admin;
pub mod backup;
pub mod clipboard;
mod downloads;
pub mod reminders;
pub mod session;
pub mod setup;
pub mod systems;
pub mod tokens;
