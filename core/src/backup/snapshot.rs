//! Taking a backup: audited first, then one read snapshot of the whole store (writers are neither
//! blocked nor seen half-way), sealed and written to a new private file.
use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;
use rusqlite::backup::{Backup, StepResult};
use serde_json::{Value, json};

use super::file;
use super::summary::BackupSummary;
use crate::Authority;
use crate::audit::AuditAction;
use crate::error::{CoreError, Result};
use crate::model::Actor;
use crate::validate;

impl Authority {
    /// Writes a sealed backup of the whole store and its key to `to` (administrators; audited).
    pub fn backup(&mut self, actor: Actor, passphrase: &str, to: &Path) -> Result<BackupSummary> {
        let admin = self.require_admin(actor)?;
        validate::backup_passphrase(passphrase)?;
        if to.exists() {
            return Err(CoreError::Conflict(format!(
                "{} already exists; choose a new file name for the backup",
                to.display()
            )));
        }
        // Audited first, so the backup holds its own record; a backup that then fails says so.
        let target = to.display().to_string();
        self.audit_backup(&admin.username, AuditAction::StoreBackedUp, &target, None)?;
        match self.write_backup(passphrase, to) {
            Ok(summary) => Ok(summary),
            Err(error) => {
                let why = error.to_string();
                // The failure is what the caller needs to hear, even if this record fails too.
                let _ = self.audit_backup(
                    &admin.username,
                    AuditAction::StoreBackupFailed,
                    &target,
                    Some(&why),
                );
                Err(error)
            }
        }
    }

    fn write_backup(&self, passphrase: &str, to: &Path) -> Result<BackupSummary> {
        let snapshot = snapshot(&self.conn)?;
        let summary = summarise(&snapshot)?;
        let mut database = snapshot.serialize(rusqlite::MAIN_DB)?.to_vec();
        // The copied header still says WAL, which a database read from memory cannot use; the
        // restored file is switched back to WAL when it is opened.
        if database.len() > 19 {
            database[18] = 1;
            database[19] = 1;
        }
        let sealed = file::seal(&self.master, &database, passphrase)?;
        write_new_file(to, &sealed)?;
        Ok(BackupSummary {
            bytes: sealed.len() as u64,
            ..summary
        })
    }

    /// Records a backup, or its failure, as the administrator already checked.
    fn audit_backup(
        &mut self,
        actor: &str,
        action: AuditAction,
        target: &str,
        error: Option<&str>,
    ) -> Result<()> {
        let details = error.map_or(Value::Null, |e| json!({"error": e}));
        self.change_as(actor, |c| c.record(action, target, details))
    }
}

/// The whole database in one backup step: one read snapshot, so writers are neither blocked nor
/// seen half-way.
fn snapshot(source: &Connection) -> Result<Connection> {
    let mut copy = Connection::open_in_memory()?;
    copy_database(source, &mut copy)?;
    Ok(copy)
}

pub(super) fn copy_database(source: &Connection, target: &mut Connection) -> Result<()> {
    let backup = Backup::new(source, target)?;
    for _ in 0..600 {
        match backup.step(-1)? {
            StepResult::Done => return Ok(()),
            StepResult::More | StepResult::Busy | StepResult::Locked => {
                std::thread::sleep(Duration::from_millis(50));
            }
            _ => {}
        }
    }
    Err(CoreError::Store(
        "the store stayed busy for 30 s; the backup was not written".into(),
    ))
}

const ORGANISATION: &str = "SELECT value FROM meta WHERE key = 'organisation'";

pub(super) fn summarise(database: &Connection) -> Result<BackupSummary> {
    let count = |table: &str| -> Result<i64> {
        Ok(database.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?)
    };
    let organisation = database.query_row(ORGANISATION, [], |r| r.get(0))?;
    Ok(BackupSummary {
        organisation,
        tokens: count("tokens")?,
        accounts: count("accounts")?,
        bytes: 0,
        backed_up_at: None,
        carried_forward: None,
        replaced_store: None,
        active_at_backup: None,
    })
}

/// Writes a new file (mode 0600) completely and durably, or leaves none.
/// SPEC §6.8 through `private_file`: a new file, never over another or through a symlink, 0600.
fn write_new_file(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::platform::private_file::write_new(path, bytes).map_err(|e| match e.kind() {
        std::io::ErrorKind::StorageFull => CoreError::DiskFull,
        std::io::ErrorKind::AlreadyExists => CoreError::Conflict(format!(
            "{} already exists; choose a new file name for the backup",
            path.display()
        )),
        _ => CoreError::Invalid(format!("could not write backup {}: {e}", path.display())),
    })
}
