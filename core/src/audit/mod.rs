//! The append-only audit log (SPEC §2 "Audit log"): who did what to what, when; never a secret.
//! Each event carries its chain value (`chain.rs`, checked by `chain_check.rs`); denied
//! verifications wait in a batch (`batch.rs`); administrators read and export it (`query.rs`,
//! `export.rs`).
mod action;
mod batch;
mod chain;
mod chain_check;
mod export;
mod query;
mod record;
mod writer;

pub use action::AuditAction;
pub use chain_check::{ChainProblem, ChainReport, ProblemKind};
pub use export::{to_csv, to_json};
pub use query::{AuditEvent, AuditFilter, AuditPage, MAX_PAGE_SIZE};
pub(crate) use record::Change;
pub use writer::AuditStats;
pub(crate) use writer::AuditWriter;

/// The name recorded when the installation itself acts (reminders, verification by a tool).
pub const SYSTEM_ACTOR: &str = "latchkey";
