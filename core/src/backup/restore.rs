//! Restoring: where no store exists (warning that what was revoked since is active again), or
//! over an existing store of the same installation, carrying forward what narrowed access since,
//! in two passes around the moment the restored store is moved in.
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension};
use serde_json::json;

use super::carry::{self, CarriedForward};
use super::file;
use super::snapshot::{copy_database, summarise};
use super::summary::{BackupSummary, TokenAtBackup};
use crate::Authority;
use crate::audit::AuditAction;
use crate::clock::{Clock, Timestamp, rfc3339};
use crate::error::{CoreError, Result};
use crate::keys::{self, KeySource, MasterKey};
use crate::model::Actor;
use crate::store::{self, STORE_SUFFIXES, remove_store_files, sibling};

/// When the last backup recorded itself (`store.backed_up`).
const LAST_BACKED_UP: &str = "SELECT max(at) FROM audit_events WHERE action = ?1";

/// Who restored, in the audit log, when no store existed: no account is signed in then, and no
/// username can contain a space.
const RESTORE_ACTOR: &str = "(latchkey restore)";

/// A backup file opened and checked, its store in memory (writable, so a restore over a store
/// can carry things forward into it before anything is written).
struct OpenedBackup {
    bytes: u64,
    key: MasterKey,
    database: Connection,
    installation_id: String,
    schema_version: i64,
    backed_up_at: Timestamp,
}

const INSTALLATION_ID: &str = "SELECT value FROM meta WHERE key = 'installation_id'";

impl Authority {
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
            let carried = carry::carry_forward(&self.conn, &mut opened.database)?;
            let aside = free_name(&to, clock.now());
            let summary = BackupSummary {
                bytes: opened.bytes,
                backed_up_at: Some(opened.backed_up_at),
                carried_forward: Some(carried),
                replaced_store: Some(aside.display().to_string()),
                ..summarise(&opened.database)?
            };
            let details = json!({
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
                "the backup was restored and the replaced store kept as {}, but what was changed \
                    in it during the restore could not be carried forward ({error}): revoke again \
                    anything revoked, deactivated or taken away during the restore",
                aside.display()
            ))),
        }
    }

    /// Carrying things forward (passwords above all: their pepper comes from the installation
    /// key) is only sound between two stores of one installation.
    fn check_same_installation(&self, opened: &OpenedBackup) -> Result<()> {
        let installation_id: Option<String> = self
            .conn
            .query_row(INSTALLATION_ID, [], |r| r.get(0))
            .optional()?;
        if installation_id.as_deref() != Some(opened.installation_id.as_str())
            || !opened.key.same_as(&self.master)
        {
            return Err(CoreError::Conflict(format!(
                "this backup is of another installation, not of the store at {}; --replace only \
                    restores a backup of the same installation (it carries revocations, \
                    deactivations and passwords forward, which needs the same installation key): \
                    restore it where no store exists (another --db) instead; nothing was changed",
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
    let carried = restored.change_as(actor, |c| {
        let carried = carry::carry_into(&replaced, c.tx)?;
        if !carried.is_empty() {
            let details = json!({"carried_forward": carried});
            c.record(AuditAction::StoreRestoreCarriedForward, &target, details)?;
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
            "a store already exists at {}; restore never overwrites one without --replace \
                (administrators; what was revoked, deactivated or taken away since the backup is \
                carried forward): pass --replace, or move it away or pass another --db",
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
    let details = json!({"backed_up_at": rfc3339(opened.backed_up_at)});
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
    let opened = file::unseal(&file, passphrase)?;
    let database = deserialize(&opened.database)?;
    let (installation_id, schema_version) = check_restorable(&database, &opened.key)?;
    // The backup records itself just before its snapshot is taken.
    let backed_up_at: Option<Timestamp> =
        database.query_row(LAST_BACKED_UP, [AuditAction::StoreBackedUp.as_str()], |r| {
            r.get(0)
        })?;
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
        keys::install(key_source, &opened.installation_id, &opened.key)?;
        let mut restored = Authority::open(&staging, key_source, clock)?;
        let target = from.display().to_string();
        restored.change_as(actor, |c| {
            c.record(AuditAction::StoreRestored, &target, details)
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

/// The tokens that work at ?1: not revoked, not expired, of an active account.
const ACTIVE_TOKENS: &str = "
    SELECT t.public_id, t.name, a.username, t.hint, t.expires_at FROM tokens t JOIN accounts a
    ON a.id = t.owner_id WHERE a.status = 'active' AND (t.revoked_at IS NULL OR t.revoked_at >
    ?1) AND t.expires_at > ?1 ORDER BY a.username_key, t.created_at, t.id";

/// The backup's tokens that work at `now`: not revoked, not expired, of an active account.
fn active_tokens(database: &Connection, now: Timestamp) -> Result<Vec<TokenAtBackup>> {
    let mut statement = database.prepare(ACTIVE_TOKENS)?;
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

/// `<store>.before-restore-<time>`, or with `-2`, `-3`… when a restore in the same second left
/// one.
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

fn deserialize(bytes: &[u8]) -> Result<Connection> {
    let mut database = Connection::open_in_memory()?;
    database
        .deserialize_read_exact(rusqlite::MAIN_DB, bytes, bytes.len(), false)
        .map_err(|_| CoreError::Corrupt)?;
    Ok(database)
}

const META: &str = "SELECT value FROM meta WHERE key = ?1";

const INTEGRITY_CHECK: &str = "PRAGMA integrity_check";

const SCHEMA_VERSION: &str = "PRAGMA user_version";

/// The snapshot is intact, of a schema this code reads, and sealed with its own key: its
/// installation id and schema version.
fn check_restorable(database: &Connection, master: &MasterKey) -> Result<(String, i64)> {
    let integrity: String = database
        .query_row(INTEGRITY_CHECK, [], |r| r.get(0))
        .map_err(|_| CoreError::Corrupt)?;
    if integrity != "ok" {
        return Err(CoreError::Corrupt);
    }
    let version: i64 = database.query_row(SCHEMA_VERSION, [], |r| r.get(0))?;
    if version > store::latest_schema_version() {
        return Err(CoreError::Invalid(format!(
            "this backup has schema version {version}, newer than this latchkey supports ({}); \
                upgrade latchkey",
            store::latest_schema_version()
        )));
    }
    let meta = |name: &str| -> Result<String> {
        database
            .query_row(META, [name], |r| r.get(0))
            .map_err(|_| CoreError::Corrupt)
    };
    if meta("key_verifier")? != master.verifier() {
        return Err(CoreError::Corrupt);
    }
    Ok((meta("installation_id")?, version))
}

const SET_KEY_SOURCE: &str = "UPDATE meta SET value = ?1 WHERE key = 'key_source'";

/// Copies the snapshot into a new store file and records where its key now lives.
fn write_store(database: &Connection, path: &Path, key_source: &KeySource) -> Result<()> {
    let mut target = Connection::open(path).map_err(|e| store::classify(e, path))?;
    copy_database(database, &mut target)?;
    target.execute(SET_KEY_SOURCE, [key_source.kind()])?;
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
