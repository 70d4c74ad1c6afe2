//! `latchkey doctor`: is the store intact, current, and opened by its key?
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

use crate::Authority;
use crate::clock::Clock;
use crate::error::Result;
use crate::keys::KeySource;

/// What `latchkey doctor` found.
#[derive(Debug, Clone, Serialize)]
pub struct DoctorReport {
    /// `ok`, or what SQLite's integrity check found.
    pub integrity: String,
    /// Rows whose foreign keys do not hold.
    pub foreign_key_problems: i64,
    /// The schema version of the store.
    pub schema_version: i64,
    /// `ok`, or why the key did not open the store.
    pub key: String,
    /// The audit chain (SPEC §2): "intact: N events", or the first event changed, removed or
    /// inserted.
    pub audit_chain: String,
    /// Whether the audit chain holds.
    pub audit_chain_intact: bool,
}

impl DoctorReport {
    /// Whether every check passed.
    pub fn healthy(&self) -> bool {
        self.integrity == "ok"
            && self.foreign_key_problems == 0
            && self.key == "ok"
            && self.audit_chain_intact
    }
}

/// Runs SQLite's integrity and foreign-key checks and checks the key against the store.
pub fn doctor(path: &Path, key_source: &KeySource, clock: Arc<dyn Clock>) -> Result<DoctorReport> {
    let authority = Authority::open(path, key_source, clock);
    let (authority, key) = match authority {
        Ok(a) => (a, "ok".to_string()),
        Err(crate::CoreError::Key(message)) => {
            // The key is wrong or missing, but the file itself can still be checked.
            let conn = crate::store::open(path, crate::store::OpenMode::Existing)?;
            return report(
                &conn,
                message,
                "not checked: it needs the key".into(),
                false,
            );
        }
        Err(crate::CoreError::Corrupt) => {
            return Ok(DoctorReport {
                integrity:
                    "damaged: the file is not a readable SQLite database; restore it from a backup"
                        .into(),
                foreign_key_problems: 0,
                schema_version: 0,
                key: "not checked".into(),
                audit_chain: "not checked".into(),
                audit_chain_intact: false,
            });
        }
        Err(e) => return Err(e),
    };
    let (audit_chain, audit_chain_intact) = match authority.verify_audit_chain() {
        Ok(chain) if chain.intact() => (format!("intact: {} events", chain.events), true),
        Ok(chain) => (chain.summary(), false),
        Err(e) => (format!("could not be checked: {e}"), false),
    };
    report(&authority.conn, key, audit_chain, audit_chain_intact)
}

fn report(
    conn: &rusqlite::Connection,
    key: String,
    audit_chain: String,
    audit_chain_intact: bool,
) -> Result<DoctorReport> {
    let mut statement = conn.prepare("PRAGMA integrity_check")?;
    let integrity = statement
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .join("; ");
    let foreign_key_problems = conn
        .prepare("PRAGMA foreign_key_check")?
        .query_map([], |_| Ok(()))?
        .count() as i64;
    let schema_version = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    Ok(DoctorReport {
        integrity,
        foreign_key_problems,
        schema_version,
        key,
        audit_chain,
        audit_chain_intact,
    })
}
