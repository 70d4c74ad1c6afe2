//! `latchkey backup` and `latchkey restore`: a consistent snapshot through SQLite's online backup
//! API (writers keep going), sealed with the installation key under a passphrase; a restore checks
//! everything before it writes anything. A restore over an existing store carries forward from it
//! everything that narrows access (`restore_carry`), so a restore never revives a revoked token.
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use crate::authority::Authority;
use crate::backup_file;
use crate::clock::{Clock, Timestamp, rfc3339};
use crate::error::{CoreError, Result};
use crate::key::{self, KeySource};
use crate::model::Actor;
use crate::restore_carry;
pub use crate::restore_carry::{
    CarriedForward, RemovedGrant, RemovedGroupGrant, RemovedMembership,
};
use crate::secret::KeyBytes;
use crate::store::{STORE_SUFFIXES, remove_store_files, sibling};
use crate::{audit, store, validate};

/// Who restored, in the audit log, when no store existed: no account is signed in then, and no
/// username can contain a space.
const RESTORE_ACTOR: &str = "(latchkey restore)";

/// How many of the tokens active at backup time the notes list one per line.
const LISTED_TOKENS: usize = 50;

/// What a backup or restore wrote, for the people who asked for it.
#[derive(Debug, Clone, Serialize)]
pub struct BackupSummary {
    pub organisation: String,
    pub tokens: i64,
    pub accounts: i64,
    pub bytes: u64,
    /// A restore: when the backup was taken.
    pub backed_up_at: Option<Timestamp>,
    /// A restore over an existing store: what it carried forward from that store.
    pub carried_forward: Option<CarriedForward>,
    /// A restore over an existing store: where that store was kept.
    pub replaced_store: Option<String>,
    /// A restore where no store existed: the tokens of the backup that work again — active at
    /// backup time, not expired since, and of an active account.
    pub active_at_backup: Option<Vec<TokenAtBackup>>,
}

/// A token active at backup time, as a restore where no store existed lists it.
#[derive(Debug, Clone, Serialize)]
pub struct TokenAtBackup {
    pub id: String,
    pub name: String,
    pub owner: String,
    pub hint: String,
    pub expires_at: Timestamp,
}

impl BackupSummary {
    /// What a restore has to tell beyond the counts, one line each, the same words in the CLI
    /// and the app: the backup's time, what was carried forward or the warning that what was
    /// revoked after the backup works again, with the tokens that do.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        match (self.backed_up_at, &self.carried_forward) {
            (Some(at), Some(_)) => notes.push(format!("the backup is from {}", rfc3339(at))),
            (Some(at), None) => notes.push(format!(
                "warning: the backup is from {}; anything revoked, deactivated or taken away after that is active again: revoke what should not work",
                rfc3339(at)
            )),
            _ => {}
        }
        if let Some(carried) = &self.carried_forward {
            notes.push(carried.describe());
        }
        if let Some(path) = &self.replaced_store {
            notes.push(format!("the replaced store is kept as {path}"));
        }
        if let Some(tokens) = &self.active_at_backup {
            if tokens.is_empty() {
                notes.push("no token of the backup is active".into());
            } else {
                notes.push(format!(
                    "{} active at backup time (id, name, owner, hint):",
                    if tokens.len() == 1 {
                        "1 token".to_string()
                    } else {
                        format!("{} tokens", tokens.len())
                    }
                ));
                for token in tokens.iter().take(LISTED_TOKENS) {
                    notes.push(format!(
                        "  {}  {:?}  {}  {}",
                        token.id, token.name, token.owner, token.hint
                    ));
                }
                if tokens.len() > LISTED_TOKENS {
                    notes.push(format!("  … and {} more", tokens.len() - LISTED_TOKENS));
                }
            }
        }
        notes
    }
}

/// A backup file opened and checked, its store in memory (writable, so a restore over a store
/// can carry things forward into it before anything is written).
struct OpenedBackup {
    bytes: u64,
    key: KeyBytes,
    database: Connection,
    installation_id: String,
    schema_version: i64,
    backed_up_at: Timestamp,
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
        self.write(|tx, now| audit::record(tx, now, actor, action, target, details))
    }

    /// Replaces this store with a backup of the same installation (administrators: the app's
    /// Settings and `latchkey restore --replace`). Everything that narrowed access since the
    /// backup — revocations, deactivations, password changes and resets, removed grants and
    /// memberships, demotions, a lowered maximum lifetime — is carried forward from this store
    /// into the restored one. Everything is checked and the new store prepared beside this one
    /// while nothing may write to this one; only then is this store closed, kept beside the
    /// restored one as `<store>.before-restore-<unix time>`, and the restored one moved in. On
    /// any failure before that this store stays as it was.
    ///
    /// Other processes (the app, a CLI command) may hold this store open, and one may write to
    /// it between the first pass and the move. So, once the restored store is in place, the one
    /// set aside is locked for writing (waiting for such a write to commit) and what narrowed
    /// access in it is carried forward again; every later write to it fails its check that the
    /// store was not replaced (`CoreError::StoreReplaced`), unacknowledged.
    pub fn replace_with_backup(
        self,
        actor: Actor,
        from: &Path,
        passphrase: &str,
        key_source: &KeySource,
    ) -> Result<BackupSummary> {
        self.replace_with_backup_then(actor, from, passphrase, key_source, || {})
    }

    /// [`Authority::replace_with_backup`], running `before_move` once this store is closed, right
    /// before it is set aside: tests write to it there, as another process could.
    #[doc(hidden)]
    pub fn replace_with_backup_then(
        self,
        actor: Actor,
        from: &Path,
        passphrase: &str,
        key_source: &KeySource,
        before_move: impl FnOnce(),
    ) -> Result<BackupSummary> {
        let admin = self.require_admin(actor)?;
        let mut opened = open_backup(from, passphrase)?;
        self.check_same_installation(&opened)?;
        let (to, clock) = (self.path().to_path_buf(), Arc::clone(&self.clock));
        // Nothing may change this store unseen (a revocation by another process, say) from the
        // moment it is read until it is closed; what is written after that is carried by the
        // second pass below.
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        let prepared = (|| -> Result<(PathBuf, PathBuf, BackupSummary)> {
            // Another restore may have replaced this store since it was opened.
            self.conn.check_not_replaced()?;
            let carried = restore_carry::carry_forward(&self.conn, &mut opened.database)?;
            let aside = free_name(&to, clock.now());
            let summary = BackupSummary {
                bytes: opened.bytes,
                backed_up_at: Some(opened.backed_up_at),
                carried_forward: Some(carried),
                replaced_store: Some(aside.display().to_string()),
                ..summarise(&opened.database)?
            };
            let details = serde_json::json!({
                "backed_up_at": rfc3339(opened.backed_up_at),
                "carried_forward": summary.carried_forward,
                "replaced_store": summary.replaced_store,
            });
            let staging = prepare(
                &opened,
                &to,
                key_source,
                Arc::clone(&clock),
                &admin.username,
                from,
                details,
            )?;
            Ok((staging, aside, summary))
        })();
        let _ = self.conn.execute_batch("ROLLBACK");
        // Closed before its files are moved.
        drop(self);
        let (staging, aside, mut summary) = prepared?;
        before_move();
        move_store_files(&to, &aside, "could not set the current store aside as")?;
        if let Err(error) = move_store_files(&staging, &to, "could not move the restored store to")
        {
            let _ = move_store_files(&aside, &to, "");
            remove_store_files(&staging);
            return Err(error);
        }
        match carry_forward_again(&aside, &to, key_source, clock, &admin.username, from) {
            Ok(later) => {
                if let Some(carried) = summary.carried_forward.as_mut() {
                    carried.absorb(later);
                }
                Ok(summary)
            }
            Err(error) => Err(CoreError::Store(format!(
                "the backup was restored and the replaced store kept as {}, but what was changed in it during the restore could not be carried forward ({error}): revoke again anything revoked, deactivated or taken away during the restore",
                aside.display()
            ))),
        }
    }

    /// Carrying things forward (passwords above all: their pepper comes from the installation
    /// key) is only sound between two stores of one installation.
    fn check_same_installation(&self, opened: &OpenedBackup) -> Result<()> {
        let installation_id: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'installation_id'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        if installation_id.as_deref() != Some(opened.installation_id.as_str())
            || opened.key.0 != self.master.0
        {
            return Err(CoreError::Conflict(format!(
                "this backup is of another installation, not of the store at {}; --replace only restores a backup of the same installation (it carries revocations, deactivations and passwords forward, which needs the same installation key): restore it where no store exists (another --db) instead; nothing was changed",
                self.path().display()
            )));
        }
        Ok(())
    }
}

/// The second pass of a restore over a store, the restored store in place: takes the write lock
/// of the store set aside at `aside`, which waits for a write to it that began before the move
/// (every later one fails its `StoreReplaced` check), then carries forward from it, into the
/// restored store at `to`, what narrowed access since the first pass (usually nothing; audited
/// when something). Both are released when this returns.
fn carry_forward_again(
    aside: &Path,
    to: &Path,
    key_source: &KeySource,
    clock: Arc<dyn Clock>,
    actor: &str,
    from: &Path,
) -> Result<CarriedForward> {
    let mut replaced = store::open(aside, store::OpenMode::Existing)?;
    let replaced = replaced.begin_write()?;
    let mut restored = Authority::open(to, key_source, clock)?;
    let target = from.display().to_string();
    let carried = restored.write(|tx, now| {
        let carried = restore_carry::carry_into(&replaced, tx)?;
        if !carried.is_empty() {
            audit::record(
                tx,
                now,
                actor,
                "store.restore_carried_forward",
                &target,
                serde_json::json!({"carried_forward": carried}),
            )?;
        }
        Ok(carried)
    })?;
    // Nothing was written to the store set aside: its lock is released unchanged.
    drop(replaced);
    Ok(carried)
}

/// Restores the backup at `from` where no store exists yet, at `to`, with its key put in
/// `key_source`. A store already there is refused: replacing one is
/// [`Authority::replace_with_backup`], which carries forward what narrowed access since.
pub fn restore(
    from: &Path,
    passphrase: &str,
    to: &Path,
    key_source: &KeySource,
    clock: Arc<dyn Clock>,
) -> Result<BackupSummary> {
    if to.is_dir() {
        return Err(CoreError::StoreIsDirectory(to.to_path_buf()));
    }
    let exists = || {
        CoreError::Conflict(format!(
            "a store already exists at {}; restore never overwrites one without --replace (administrators; what was revoked, deactivated or taken away since the backup is carried forward): pass --replace, or move it away or pass another --db",
            to.display()
        ))
    };
    if to.exists() {
        return Err(exists());
    }
    let opened = open_backup(from, passphrase)?;
    let now = clock.now().max(store::watermark(&opened.database)?);
    let summary = BackupSummary {
        bytes: opened.bytes,
        backed_up_at: Some(opened.backed_up_at),
        active_at_backup: Some(active_tokens(&opened.database, now)?),
        ..summarise(&opened.database)?
    };
    let details = serde_json::json!({"backed_up_at": rfc3339(opened.backed_up_at)});
    let staging = prepare(&opened, to, key_source, clock, RESTORE_ACTOR, from, details)?;
    if to.exists() {
        remove_store_files(&staging);
        return Err(exists());
    }
    if let Err(error) = move_store_files(&staging, to, "could not move the restored store to") {
        remove_store_files(&staging);
        return Err(error);
    }
    Ok(summary)
}

/// Reads, unseals and checks a backup file; nothing is written.
fn open_backup(from: &Path, passphrase: &str) -> Result<OpenedBackup> {
    let file = std::fs::read(from).map_err(|e| {
        CoreError::Invalid(format!("could not read backup {}: {e}", from.display()))
    })?;
    let opened = backup_file::unseal(&file, passphrase)?;
    let database = deserialize(&opened.database)?;
    let (installation_id, schema_version) = check_restorable(&database, &opened.key)?;
    // The backup records itself just before its snapshot is taken.
    let backed_up_at: Option<Timestamp> = database.query_row(
        "SELECT max(at) FROM audit_events WHERE action = 'store.backed_up'",
        [],
        |r| r.get(0),
    )?;
    let backed_up_at = match backed_up_at {
        Some(at) => at,
        None => store::watermark(&database)?,
    };
    Ok(OpenedBackup {
        bytes: file.len() as u64,
        key: opened.key,
        database,
        installation_id,
        schema_version,
        backed_up_at,
    })
}

/// Writes the restored store beside its place (`<store>.restoring`), installs its key, opens it
/// (which migrates a backup of an older version and proves the key) and audits the restore in
/// it. Returns the staging path; on failure nothing of it is left (nor a key file it made).
fn prepare(
    opened: &OpenedBackup,
    to: &Path,
    key_source: &KeySource,
    clock: Arc<dyn Clock>,
    actor: &str,
    from: &Path,
    details: serde_json::Value,
) -> Result<PathBuf> {
    let staging = sibling(to, ".restoring");
    remove_store_files(&staging);
    store::create_file(&staging)?;
    let new_key_file = match key_source {
        KeySource::File(path) => (!path.exists()).then(|| path.clone()),
        KeySource::OsStore => None,
    };
    let made = (|| {
        write_store(&opened.database, &staging, key_source)?;
        key::install(key_source, &opened.installation_id, &opened.key)?;
        let mut restored = Authority::open(&staging, key_source, clock)?;
        let target = from.display().to_string();
        let clock_now = restored.clock_now();
        store::write(&mut restored.conn, clock_now, |tx, now| {
            audit::record(tx, now, actor, "store.restored", &target, details)
        })
    })();
    // A backup of an older version was copied aside before it was migrated: not needed here.
    let _ = std::fs::remove_file(sibling(
        &staging,
        &format!(".v{}.bak", opened.schema_version),
    ));
    if let Err(error) = made {
        remove_store_files(&staging);
        if let Some(path) = new_key_file {
            let _ = std::fs::remove_file(path);
        }
        return Err(error);
    }
    Ok(staging)
}

/// The backup's tokens that work at `now`: not revoked, not expired, of an active account.
fn active_tokens(database: &Connection, now: Timestamp) -> Result<Vec<TokenAtBackup>> {
    let mut statement = database.prepare(
        "SELECT t.public_id, t.name, a.username, t.hint, t.expires_at
         FROM tokens t JOIN accounts a ON a.id = t.owner_id
         WHERE a.status = 'active' AND (t.revoked_at IS NULL OR t.revoked_at > ?1) AND t.expires_at > ?1
         ORDER BY a.username_key, t.created_at, t.id",
    )?;
    let rows = statement.query_map([now], |r| {
        Ok(TokenAtBackup {
            id: r.get(0)?,
            name: r.get(1)?,
            owner: r.get(2)?,
            hint: r.get(3)?,
            expires_at: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// `<store>.before-restore-<time>`, or with `-2`, `-3`… when a restore in the same second left one.
fn free_name(to: &Path, now: Timestamp) -> PathBuf {
    let base = format!(".before-restore-{now}");
    let mut name = sibling(to, &base);
    let mut n = 2;
    while STORE_SUFFIXES
        .iter()
        .any(|suffix| sibling(&name, suffix).exists())
    {
        name = sibling(to, &format!("{base}-{n}"));
        n += 1;
    }
    name
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
        backed_up_at: None,
        carried_forward: None,
        replaced_store: None,
        active_at_backup: None,
    })
}

fn deserialize(bytes: &[u8]) -> Result<Connection> {
    let mut database = Connection::open_in_memory()?;
    database
        .deserialize_read_exact(rusqlite::MAIN_DB, bytes, bytes.len(), false)
        .map_err(|_| CoreError::Corrupt)?;
    Ok(database)
}

/// The snapshot is intact, of a schema this code reads, and sealed with its own key: its
/// installation id and schema version.
fn check_restorable(database: &Connection, master: &KeyBytes) -> Result<(String, i64)> {
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
    Ok((meta("installation_id")?, version))
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

/// Moves a store's files (those that exist) to another name; `failure` starts the message.
fn move_store_files(from: &Path, to: &Path, failure: &str) -> Result<()> {
    for suffix in STORE_SUFFIXES {
        let source = sibling(from, suffix);
        if source.exists() {
            let target = sibling(to, suffix);
            std::fs::rename(&source, &target)
                .map_err(|e| CoreError::Store(format!("{failure} {}: {e}", target.display())))?;
        }
    }
    Ok(())
}

/// Writes a new file (mode 0600) completely and durably, or leaves none.
/// SPEC §6.8 through `private_file`: a new file, never over another or through a symlink, 0600.
fn write_new_file(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::private_file::write_new(path, bytes).map_err(|e| match e.kind() {
        std::io::ErrorKind::StorageFull => CoreError::DiskFull,
        std::io::ErrorKind::AlreadyExists => CoreError::Conflict(format!(
            "{} already exists; choose a new file name for the backup",
            path.display()
        )),
        _ => CoreError::Invalid(format!("could not write backup {}: {e}", path.display())),
    })
}
