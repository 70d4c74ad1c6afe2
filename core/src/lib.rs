//! latchkey-core: Latchkey's domain and its SQLite store. No GUI, no async runtime; the only
//! crate that speaks SQL. The app and the CLI do everything through [`Authority`].
//!
//! Each folder owns its rows, its SQL and the `impl Authority` block of its concern; no two
//! top-level modules import each other (`tests/core/module_cycles.rs`):
//!
//! - `authority/`: creating a store (`init`) and opening one with its key (`open`).
//! - `accounts/`: rows, who is acting and the one change-and-audit path (`acting`), sign-in and
//!   its throttle, passwords, what administrators do to accounts, session epochs.
//! - `access/`: systems, direct grants, groups, and "may this account access this system now?".
//! - `tokens/`: the format, the keyed digest, create, list, revoke and delete, rotate, verify.
//! - `reminders/`: the schedule, due reminders and their delivery, the in-app list, notices.
//! - `audit/`: the actions and their wire names, recording, the chain and its check, batched
//!   denials, reading and exporting.
//! - `leaks/`: the leak check: finding tokens in text, files and folders, what each found token
//!   is, looking one token up with its history.
//! - `backup/`: snapshot, the sealed file, restore and what it carries forward.
//! - `store/`: opening, pragmas, migrations, write transactions, the clock watermark, `meta`,
//!   whether a restore replaced the store.
//! - `keys/`: the installation key (OS credential store or key file), sub-keys, the OS random
//!   source, secret wrappers.
//! - `platform/`: the default store location, files written for a person, process hardening,
//!   crash reports.
//! - `settings`, `clock_reset`, `doctor`: organisation settings, resetting the clock watermark,
//!   the integrity check; `model`, `validate`, `clock`, `error`: values, input rules, time, errors.
#![warn(missing_docs)]

mod access;
pub mod accounts;
pub mod audit;
mod authority;
pub mod backup;
pub mod clock;
mod clock_reset;
mod doctor;
mod error;
pub mod keys;
pub mod leaks;
pub mod model;
pub mod platform;
pub mod reminders;
pub mod settings;
mod store;
pub mod tokens;
pub mod validate;

use std::path::PathBuf;
use std::sync::Arc;

pub use access::NewServiceAccount;
pub use accounts::{NewAccount, lock_remaining};
pub use authority::InitRequest;
pub use clock::{Clock, SystemClock, TestClock, Timestamp};
pub use clock_reset::ClockReset;
pub use doctor::{DoctorReport, doctor};
pub use error::{CoreError, Result};
pub use keys::{KeySource, Secret};
pub use model::*;
pub use store::{CLOCK_BEHIND_WARNING_SECONDS, latest_schema_version};
pub use tokens::verify::{Verification, VerifyAction, VerifyRequest};
pub use tokens::{
    Deactivated, DeactivationPreview, IssuedToken, LeavingToken, LeavingTokens, NewToken,
};

/// An open store with its key and a clock: every operation of the app and the CLI is a method on
/// it, in the folder of its concern (`Authority::init` and `Authority::open` in `authority/`).
///
/// It is defined here, above every folder, because each folder adds methods to it and it holds
/// each folder's key: a folder's key type keeps its bytes private to that folder, so what this
/// struct holds is opaque to every other one.
pub struct Authority {
    /// The open store (`store/`).
    conn: store::Store,
    clock: Arc<dyn Clock>,
    /// The token digests' sub-key (`tokens/key.rs`).
    token_key: tokens::TokenKey,
    /// The password pepper (`accounts/password.rs`).
    pepper: accounts::Pepper,
    /// Keys the per-name failure counters of unknown usernames, so the typed text is never stored
    /// (`accounts/throttle.rs`).
    signin_key: accounts::SigninKey,
    /// Kept only to seal backups and to tell a backup of this installation (`backup/`);
    /// everything else uses sub-keys derived from it.
    master: keys::MasterKey,
    /// The audit chain's key (also attached to `conn`) and the denials waiting to be written
    /// (`audit/`).
    audit: audit::AuditWriter,
    path: PathBuf,
}

impl std::fmt::Debug for Authority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authority")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}
