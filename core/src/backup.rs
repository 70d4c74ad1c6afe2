//! `latchkey backup` and `latchkey restore`: a consistent snapshot through SQLite's online backup
//! API (writers keep going), sealed with the installation key under a passphrase; a restore checks
//! everything before it writes anything.
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rusqlite::Connection;
use rusqlite::backup::{Backup, StepResult};
use serde::Serialize;

use crate::authority::Authority;
use crate::backup_file;
use crate::clock::Clock;
use crate::error::{CoreError, Result};
use crate::key::{self, KeySource};
use crate::model::Actor;
use crate::store::{STORE_SUFFIXES, remove_store_files, sibling};
use crate::{audit, store, validate};

/// Who restored, in the audit log: no account is signed in while a store is restored, and no
/// username can contain a space.
const RESTORE_ACTOR: &str = "(latchkey restore)";

/// What a backup or restore wrote, for the people who asked for it.
#[derive(Debug, Clone, Serialize)]
pub struct BackupSummary {
    pub organisation: String,
    pub tokens: i64,
    pub accounts: i64,
    pub bytes: u64,
}

/// What to do when a store already exists where a backup is restored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExistingStore {
    /// Refuse (the CLI: a restore never overwrites).
    Refuse,
    /// Keep it beside the restored one as `<store>.before-restore-<unix time>` (the app's
    /// Settings, after the administrator confirmed). The caller must have closed it.
    SetAside,
}

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
        self.audit_backup(&admin.username, "store.backed_up", &target, None)?;
        match self.write_backup(passphrase, to) {
            Ok(summary) => Ok(summary),
            Err(error) => {
                let why = error.to_string();
                // The failure is what the caller needs to hear, even if this record fails too.
                let _ =
                    self.audit_backup(&admin.username, "store.backup_failed", &target, Some(&why));
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
        let sealed = backup_file::seal(&self.master, &database, passphrase)?;
        write_new_file(to, &sealed)?;
        Ok(BackupSummary {
            bytes: sealed.len() as u64,
            ..summary
        })
    }

    fn audit_backup(
        &mut self,
        actor: &str,
        action: &str,
        target: &str,
        error: Option<&str>,
    ) -> Result<()> {
        let details = error.map_or(serde_json::Value::Null, |e| serde_json::json!({"error": e}));
        store::write(&mut self.conn, self.clock.now(), |tx, now| {
            audit::record(tx, now, actor, action, target, details)
        })
    }

    /// Replaces this store with a backup (administrators; the app's Settings). The store is
    /// closed first and kept beside the restored one.
    pub fn replace_with_backup(
        self,
        actor: Actor,
        from: &Path,
        passphrase: &str,
        key_source: &KeySource,
    ) -> Result<BackupSummary> {
        self.require_admin(actor)?;
        let (path, clock) = (self.path().to_path_buf(), Arc::clone(&self.clock));
        drop(self);
        restore(
            from,
            passphrase,
            &path,
            key_source,
            clock,
            ExistingStore::SetAside,
        )
    }
}

/// Restores the backup at `from` into a store at `to`, with its key put in `key_source`.
pub fn restore(
    from: &Path,
    passphrase: &str,
    to: &Path,
    key_source: &KeySource,
    clock: Arc<dyn Clock>,
    existing: ExistingStore,
) -> Result<BackupSummary> {
    if to.is_dir() {
        return Err(CoreError::StoreIsDirectory(to.to_path_buf()));
    }
    if to.exists() && existing == ExistingStore::Refuse {
        return Err(CoreError::Conflict(format!(
            "a store already exists at {}; restore never overwrites one: move it away or pass another --db",
            to.display()
        )));
    }
    let file = std::fs::read(from).map_err(|e| {
        CoreError::Invalid(format!("could not read backup {}: {e}", from.display()))
    })?;
    let opened = backup_file::unseal(&file, passphrase)?;
    let database = deserialize(&opened.database)?;
    let installation_id = check_restorable(&database, &opened.key)?;
    let summary = summarise(&database)?;

    // Everything is checked: write the store beside its place, then the key, then move it in.
    let staging = sibling(to, ".restoring");
    remove_store_files(&staging);
    store::create_file(&staging)?;
    let written = write_store(&database, &staging, key_source);
    let installed = written.and_then(|()| key::install(key_source, &installation_id, &opened.key));
    if let Err(error) = installed {
        remove_store_files(&staging);
        return Err(error);
    }
    if to.exists() {
        let aside = sibling(to, &format!(".before-restore-{}", clock.now()));
        move_store_files(to, &aside)?;
    }
    std::fs::rename(&staging, to).map_err(|e| {
        CoreError::Store(format!(
            "could not move the restored store to {}: {e}",
            to.display()
        ))
    })?;
    // Opening migrates a store from an older version and proves the key.
    let mut restored = Authority::open(to, key_source, clock)?;
    let target = from.display().to_string();
    let clock_now = restored.clock_now();
    store::write(&mut restored.conn, clock_now, |tx, now| {
        audit::record(
            tx,
            now,
            RESTORE_ACTOR,
            "store.restored",
            &target,
            serde_json::Value::Null,
        )
    })?;
    Ok(BackupSummary {
        bytes: file.len() as u64,
        ..summary
    })
}

/// The whole database in one backup step: one read snapshot, so writers are neither blocked nor
/// seen half-way.
fn snapshot(source: &Connection) -> Result<Connection> {
    let mut copy = Connection::open_in_memory()?;
    copy_database(source, &mut copy)?;
    Ok(copy)
}

fn copy_database(source: &Connection, target: &mut Connection) -> Result<()> {
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

fn summarise(database: &Connection) -> Result<BackupSummary> {
    let count = |table: &str| -> Result<i64> {
        Ok(database.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?)
    };
    let organisation = database.query_row(
        "SELECT value FROM meta WHERE key = 'organisation'",
        [],
        |r| r.get(0),
    )?;
    Ok(BackupSummary {
        organisation,
        tokens: count("tokens")?,
        accounts: count("accounts")?,
        bytes: 0,
    })
}

fn deserialize(bytes: &[u8]) -> Result<Connection> {
    let mut database = Connection::open_in_memory()?;
    database
        .deserialize_read_exact(rusqlite::MAIN_DB, bytes, bytes.len(), true)
        .map_err(|_| CoreError::Corrupt)?;
    Ok(database)
}

/// The snapshot is intact, of a schema this code reads, and sealed with its own key.
fn check_restorable(database: &Connection, master: &crate::secret::KeyBytes) -> Result<String> {
    let integrity: String = database
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|_| CoreError::Corrupt)?;
    if integrity != "ok" {
        return Err(CoreError::Corrupt);
    }
    let version: i64 = database.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > store::latest_schema_version() {
        return Err(CoreError::Invalid(format!(
            "this backup has schema version {version}, newer than this latchkey supports ({}); upgrade latchkey",
            store::latest_schema_version()
        )));
    }
    let meta = |name: &str| -> Result<String> {
        database
            .query_row("SELECT value FROM meta WHERE key = ?1", [name], |r| {
                r.get(0)
            })
            .map_err(|_| CoreError::Corrupt)
    };
    if meta("key_verifier")? != key::verifier(master) {
        return Err(CoreError::Corrupt);
    }
    meta("installation_id")
}

/// Copies the snapshot into a new store file and records where its key now lives.
fn write_store(database: &Connection, path: &Path, key_source: &KeySource) -> Result<()> {
    let mut target = Connection::open(path).map_err(|e| store::classify(e, path))?;
    copy_database(database, &mut target)?;
    target.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'key_source'",
        [key_source.kind()],
    )?;
    target
        .close()
        .map_err(|(_, e)| CoreError::from(e))
        .map(drop)
}

fn move_store_files(from: &Path, to: &Path) -> Result<()> {
    for suffix in STORE_SUFFIXES {
        let source = sibling(from, suffix);
        if source.exists() {
            std::fs::rename(&source, sibling(to, suffix)).map_err(|e| {
                CoreError::Store(format!(
                    "could not set the current store aside as {}: {e}",
                    to.display()
                ))
            })?;
        }
    }
    Ok(())
}

/// Writes a new file (mode 0600) completely and durably, or leaves none.
fn write_new_file(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let partial = sibling(path, ".partial");
    let _ = std::fs::remove_file(&partial);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options
        .open(&partial)
        .and_then(|mut file| file.write_all(bytes).and_then(|()| file.sync_all()))
        .and_then(|()| std::fs::rename(&partial, path));
    written.map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        match e.kind() {
            std::io::ErrorKind::StorageFull => CoreError::DiskFull,
            _ => CoreError::Invalid(format!("could not write backup {}: {e}", path.display())),
        }
    })
}
