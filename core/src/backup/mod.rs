//! `latchkey backup` and `latchkey restore` (SPEC §2 "Backup and restore"): a consistent snapshot
//! through SQLite's online backup API (writers keep going), sealed with the installation key
//! under a passphrase (`file.rs`); a restore checks everything before it writes anything, and a
//! restore over an existing store carries forward from it everything that narrows access
//! (`carry.rs`), so a restore never revives a revoked token.
mod carry;
mod file;
mod restore;
mod snapshot;
mod summary;

pub use carry::{CarriedForward, RemovedGrant, RemovedGroupGrant, RemovedMembership};
pub use restore::restore;
pub use summary::{BackupSummary, TokenAtBackup};
