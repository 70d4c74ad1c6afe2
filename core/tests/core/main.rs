//! Core's integration tests, one binary: each module one concern, each test against a temporary
//! store with a `TestClock` (`common`). Nothing here relies on process isolation: no test sets an
//! environment variable or a global; the crash-report test runs itself again as a child process.
mod common;

mod access;
mod accounts;
mod audit;
mod backup;
mod clock_reset;
mod leaks;
mod migrations;
mod module_cycles;
mod panic_report;
mod redaction;
mod reminder_inbox;
mod reminders;
mod service_accounts;
mod settings;
mod store;
mod token_use;
mod tokens;
mod verify;
