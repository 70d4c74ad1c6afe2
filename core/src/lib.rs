//! latchkey-core: Latchkey's domain and its SQLite store. No GUI, no async runtime; the only
//! crate that speaks SQL. The app and the CLI do everything through [`Authority`].

mod access;
mod accounts;
pub mod audit;
mod audit_batch;
mod audit_chain;
mod authority;
pub mod backup;
mod backup_file;
pub mod clock;
mod clock_reset;
mod doctor;
mod error;
pub mod key;
mod key_file;
pub mod model;
pub mod panic_report;
pub mod password;
pub mod paths;
pub mod private_file;
pub mod process;
mod random;
pub mod reminder_inbox;
pub mod reminder_notices;
pub mod reminders;
mod restore_carry;
pub mod secret;
pub mod settings;
mod store;
pub mod token_format;
mod tokens;
pub mod validate;
pub mod verify;

pub use accounts::{NewAccount, lock_remaining};
pub use authority::{Authority, CLOCK_BEHIND_WARNING_SECONDS, InitRequest};
pub use clock::{Clock, SystemClock, TestClock, Timestamp};
pub use clock_reset::ClockReset;
pub use doctor::{DoctorReport, doctor};
pub use error::{CoreError, Result};
pub use key::KeySource;
pub use model::*;
pub use secret::Secret;
pub use store::latest_schema_version;
pub use tokens::{IssuedToken, NewToken};
pub use verify::{DenyReason, Verification, VerifyAction, VerifyRequest};
