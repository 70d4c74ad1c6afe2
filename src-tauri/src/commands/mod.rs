//! Tauri commands, one module per concern. Each is async and a few lines: it calls core through
//! `AppState` and maps errors to `{code, message}`.
pub mod accounts;
pub mod audit;
pub mod backup;
pub mod clipboard;
mod downloads;
pub mod groups;
pub mod leaks;
pub mod reminders;
pub mod service;
pub mod session;
pub mod settings;
pub mod setup;
pub mod systems;
pub mod tokens;
