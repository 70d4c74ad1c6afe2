//! The app's integration tests, in one binary so they link once. None of them needs a process of
//! its own: no test sets an environment variable or a global, and each app is built over its own
//! temporary folder.
mod commands;
mod common;
mod declared_commands;
mod hostile_ipc;
mod leak_check;
mod reminder_delivery;
mod security_config;
mod service_accounts;
