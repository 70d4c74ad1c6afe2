//! The real `latchkey` binary, black-box: one test binary for every CLI suite (one link instead
//! of nine). Each test has its own store in its own temporary folder and passes everything the
//! CLI reads through the child's environment, so the suites can share a process and run side
//! by side.
#[path = "cli/audit_chain.rs"]
mod audit_chain;
#[path = "cli/backup.rs"]
mod backup;
#[path = "cli/bad_input.rs"]
mod bad_input;
#[path = "cli/clocked.rs"]
mod clocked;
#[path = "cli/exit_codes.rs"]
mod exit_codes;
#[path = "cli/hostile_input.rs"]
mod hostile_input;
#[path = "cli/leaving.rs"]
mod leaving;
#[path = "cli/scan.rs"]
mod scan;
#[path = "cli/secret_scanners.rs"]
mod secret_scanners;
#[path = "cli/secrets.rs"]
mod secrets;
#[path = "cli/service_accounts.rs"]
mod service_accounts;
#[path = "cli/signin_throttling.rs"]
mod signin_throttling;
#[path = "cli/token_use.rs"]
mod token_use;
#[path = "cli/trust.rs"]
mod trust;
#[path = "cli/walkthrough.rs"]
mod walkthrough;
