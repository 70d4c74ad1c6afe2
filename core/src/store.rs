//! The one place a store file is opened: path checks, mode 0600, every pragma, migrations, and the
//! write-transaction helper. Nothing else opens the database.
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::clock::Timestamp;
use crate::error::{CoreError, Result};

#[derive(Clone)]
pub(crate) struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// The schema version this build writes.
pub fn latest_schema_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// Whether `open` may create a new file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OpenMode {
    CreateNew,
    Existing,
}

/// Which file a path names: device and inode on Unix (elsewhere nothing is compared). A restore
/// moves another file in under the store's path; a connection opened before keeps the old one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileId {
    #[cfg(unix)]
    dev: u64,
    #[cfg(unix)]
    ino: u64,
}

impl FileId {
    /// `None` when nothing is at `path` (or it cannot be read).
    fn of(path: &Path) -> Option<FileId> {
        let metadata = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Some(FileId {
                dev: metadata.dev(),
                ino: metadata.ino(),
            })
        }
        #[cfg(not(unix))]
        {
            drop(metadata);
            Some(FileId {})
        }
    }
}

/// An open store: its connection (which it derefs to), and the file its path named when it was
/// opened. A write transaction checks, once it holds the write lock, that the path still names
/// that file: a restore (`Authority::replace_with_backup`) that moved another store in since
/// makes it fail with [`CoreError::StoreReplaced`] instead of committing into the file set aside.
pub(crate) struct Store {
    conn: Connection,
    path: PathBuf,
    file: Option<FileId>,
    /// The schema version this open migrated the store from, when it did.
    upgraded_from: Option<i64>,
}

impl Store {
    /// The schema version this open migrated the store from, when it did.
    pub(crate) fn upgraded_from(&self) -> Option<i64> {
        self.upgraded_from
    }
}

impl std::ops::Deref for Store {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.conn
    }
}

impl std::ops::DerefMut for Store {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

impl Store {
    /// Whether the store's path names another file than the one this connection opened (a
    /// restore moved one in since): one `stat`.
    pub(crate) fn replaced(&self) -> bool {
        self.file.is_some() && FileId::of(&self.path) != self.file
    }

    /// `Err(StoreReplaced)` when [`Store::replaced`].
    pub(crate) fn check_not_replaced(&self) -> Result<()> {
        if self.replaced() {
            return Err(CoreError::StoreReplaced);
        }
        Ok(())
    }

    /// `BEGIN IMMEDIATE`, then the check that the store was not replaced meanwhile (rolled back
    /// if it was). Every write transaction starts here: once this holds the write lock, a
    /// restore that moved another store in has already carried forward all this file holds.
    pub(crate) fn begin_write(&mut self) -> Result<rusqlite::Transaction<'_>> {
        let file = self.file;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if file.is_some() && FileId::of(&self.path) != file {
            // Dropping the transaction rolls it back.
            return Err(CoreError::StoreReplaced);
        }
        Ok(tx)
    }
}

/// Opens (or creates) the store file and brings its schema up to date.
pub(crate) fn open(path: &Path, mode: OpenMode) -> Result<Store> {
    // The file is looked up before and after it is opened: the same file both times is the file
    // opened (a restore moves a store to the path once). A restore in between: open again.
    for _ in 0..3 {
        let before = FileId::of(path);
        let (conn, upgraded_from) = open_with(path, mode, MIGRATIONS)?;
        let after = FileId::of(path);
        if before.is_none() || before == after {
            return Ok(Store {
                conn,
                path: path.to_path_buf(),
                file: after,
                upgraded_from,
            });
        }
    }
    Err(CoreError::StoreReplaced)
}

/// The connection, and the version it was migrated from when this open migrated it.
fn open_with(
    path: &Path,
    mode: OpenMode,
    migrations: &[Migration],
) -> Result<(Connection, Option<i64>)> {
    if path.is_dir() {
        return Err(CoreError::StoreIsDirectory(path.to_path_buf()));
    }
    crate::paths::secure_data_folder(path).map_err(|e| {
        CoreError::Store(format!(
            "could not make the data folder of {} private: {e}",
            path.display()
        ))
    })?;
    let exists = path.exists();
    match (mode, exists) {
        (OpenMode::Existing, false) => return Err(CoreError::NotInitialised(path.to_path_buf())),
        (OpenMode::CreateNew, false) => create_file(path)?,
        _ => {}
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    // Read the version before any pragma that could write: a newer store is left untouched.
    let read_version = |conn: Connection| -> rusqlite::Result<(Connection, i64)> {
        let version = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
        Ok((conn, version))
    };
    let opened = Connection::open_with_flags(path, flags).and_then(read_version);
    let (conn, version, read_only) = match opened {
        Ok((conn, version)) => (conn, version, false),
        Err(error) if cannot_open(&error) && !writable(path) => {
            let (conn, version) = open_read_only(path).and_then(read_version)?;
            (conn, version, true)
        }
        Err(error) => return Err(classify(error, path)),
    };
    let latest = migrations.last().map_or(0, |m| m.version);
    if version > latest {
        return Err(CoreError::NewerSchema {
            path: path.to_path_buf(),
            found: version,
            supported: latest,
        });
    }
    if read_only {
        if version < latest {
            return Err(CoreError::ReadOnly);
        }
        set_reading_pragmas(&conn)?;
        return Ok((conn, None));
    }
    set_pragmas(&conn)?;
    if version < latest {
        if version > 0 {
            backup_before_migration(&conn, path, version)?;
        }
        migrate(&conn, version, migrations)?;
        return Ok((conn, Some(version)));
    }
    Ok((conn, None))
}

/// Every pragma of SPEC §7.2, in one place.
fn set_pragmas(conn: &Connection) -> Result<()> {
    set_reading_pragmas(conn)?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(CoreError::Store(format!(
            "could not switch the store to WAL mode (it stays in {mode} mode)"
        )));
    }
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         PRAGMA secure_delete = ON;",
    )?;
    #[cfg(target_os = "macos")]
    conn.execute_batch("PRAGMA fullfsync = ON; PRAGMA checkpoint_fullfsync = ON;")?;
    Ok(())
}

/// The pragmas that also apply to a store opened read-only.
fn set_reading_pragmas(conn: &Connection) -> Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    conn.execute_batch(
        "PRAGMA foreign_keys = ON;
         PRAGMA trusted_schema = OFF;
         PRAGMA cache_size = -65536;",
    )?;
    Ok(())
}

fn cannot_open(error: &rusqlite::Error) -> bool {
    matches!(error, rusqlite::Error::SqliteFailure(e, _) if e.code == rusqlite::ErrorCode::CannotOpen)
}

/// Whether the store file can be opened for writing (a read-only mount or file says no, even to
/// root). Opening for writing without truncating changes nothing.
fn writable(path: &Path) -> bool {
    std::fs::OpenOptions::new().write(true).open(path).is_ok()
}

/// A store on a read-only file system or in a read-only file: SQLite cannot make the WAL's
/// shared-memory file beside it, so the file is opened as immutable (nothing can change it). A
/// leftover write-ahead log would be missed that way, so that case is refused.
fn open_read_only(path: &Path) -> rusqlite::Result<Connection> {
    if std::fs::metadata(sibling(path, "-wal")).is_ok_and(|m| m.len() > 0) {
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_READONLY),
            Some("read-only store with unapplied changes".into()),
        ));
    }
    let uri = format!("file:{}?immutable=1", uri_path(path));
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    Connection::open_with_flags(uri, flags)
}

/// A path as the path part of a `file:` URI: every byte but unreserved ones and `/` escaped.
fn uri_path(path: &Path) -> String {
    #[cfg(unix)]
    let bytes = std::os::unix::ffi::OsStrExt::as_bytes(path.as_os_str()).to_vec();
    #[cfg(not(unix))]
    let bytes = path.to_string_lossy().replace('\\', "/").into_bytes();
    let mut out = String::new();
    for byte in bytes {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

pub(crate) fn create_file(path: &Path) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(parent).map_err(|e| {
            CoreError::Store(format!("could not create folder {}: {e}", parent.display()))
        })?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .map(drop)
        .map_err(|e| CoreError::Store(format!("could not create store {}: {e}", path.display())))
}

/// `<store><suffix>`: a file beside the store (its WAL, a backup copy, a staging file).
pub(crate) fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The files a store is made of: the database, its write-ahead log and shared-memory index.
pub(crate) const STORE_SUFFIXES: [&str; 3] = ["", "-wal", "-shm"];

/// Removes a store's files where they exist (a failed init, a staging copy).
pub(crate) fn remove_store_files(path: &Path) {
    for suffix in STORE_SUFFIXES {
        let _ = std::fs::remove_file(sibling(path, suffix));
    }
}

/// Writes `<store>.v<N>.bak` with SQLite's online backup API before a migration.
fn backup_before_migration(conn: &Connection, path: &Path, version: i64) -> Result<()> {
    let target = sibling(path, &format!(".v{version}.bak"));
    let _ = std::fs::remove_file(&target);
    create_file(&target)?;
    conn.backup(rusqlite::MAIN_DB, &target, None).map_err(|e| {
        CoreError::Store(format!(
            "could not write backup {} before upgrading: {e}",
            target.display()
        ))
    })
}

/// Applies every migration after `from` in one transaction.
fn migrate(conn: &Connection, from: i64, migrations: &[Migration]) -> Result<()> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let result = (|| {
        for migration in migrations.iter().filter(|m| m.version > from) {
            conn.execute_batch(migration.sql)
                .and_then(|()| conn.pragma_update(None, "user_version", migration.version))
                .map_err(|e| match CoreError::from(e) {
                    CoreError::Store(message) => {
                        CoreError::Store(format!("migration {} failed: {message}", migration.name))
                    }
                    other => other,
                })?;
        }
        Ok(())
    })();
    match result {
        Ok(()) => Ok(conn.execute_batch("COMMIT")?),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// Maps SQLite's failures at open to errors that name the store and what to do.
pub(crate) fn classify(error: rusqlite::Error, path: &Path) -> CoreError {
    match CoreError::from(error) {
        CoreError::Store(message) if message.contains("unable to open") => CoreError::Store(
            format!("could not open the store at {}: {message}", path.display()),
        ),
        other => other,
    }
}

/// Runs `body` in a `BEGIN IMMEDIATE` transaction, first advancing the clock watermark, and
/// hands it "now": the later of the clock and the highest time any write has seen.
pub(crate) fn write<T>(
    conn: &mut Store,
    clock_now: Timestamp,
    body: impl FnOnce(&rusqlite::Transaction<'_>, Timestamp) -> Result<T>,
) -> Result<T> {
    let tx = conn.begin_write()?;
    let seen: Timestamp = tx.query_row(
        "SELECT max_seen FROM clock_watermark WHERE id = 1",
        [],
        |r| r.get(0),
    )?;
    let now = seen.max(clock_now);
    if now > seen {
        tx.execute(
            "UPDATE clock_watermark SET max_seen = ?1 WHERE id = 1",
            [now],
        )?;
    }
    let value = body(&tx, now)?;
    tx.commit()?;
    Ok(value)
}

/// A write transaction committed with `PRAGMA synchronous = NORMAL` (then FULL again) that does
/// not advance the clock watermark ("now" is still the later of the two). In WAL mode such a
/// commit survives the process dying but may be lost with the machine's power until the next
/// FULL commit syncs the log, which makes every earlier commit durable too. Only for sign-in
/// bookkeeping, which stamps nothing lasting and whose loss is harmless or followed by a FULL
/// commit before anyone is answered: a sign-in that changes nothing leaves the store as it was
/// (SPEC §8: sign-in costs what argon2id costs).
pub(crate) fn write_relaxed<T>(
    conn: &mut Store,
    clock_now: Timestamp,
    body: impl FnOnce(&rusqlite::Transaction<'_>, Timestamp) -> Result<T>,
) -> Result<T> {
    // The level cannot change inside a transaction, so it is set around one.
    conn.execute_batch("PRAGMA synchronous = NORMAL")?;
    let result = (|| -> Result<T> {
        let tx = conn.begin_write()?;
        let now = watermark(&tx)?.max(clock_now);
        let value = body(&tx, now)?;
        tx.commit()?;
        Ok(value)
    })();
    let restored = conn.execute_batch("PRAGMA synchronous = FULL");
    let value = result?;
    restored?;
    Ok(value)
}

/// The clock watermark outside a write, for reads that need "now".
pub(crate) fn watermark(conn: &Connection) -> Result<Timestamp> {
    Ok(conn.query_row(
        "SELECT max_seen FROM clock_watermark WHERE id = 1",
        [],
        |r| r.get(0),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_numbered_from_one_without_gaps_and_apply_cleanly() {
        for (index, migration) in MIGRATIONS.iter().enumerate() {
            assert_eq!(
                migration.version,
                index as i64 + 1,
                "{} is out of sequence",
                migration.name
            );
        }
        let conn = Connection::open_in_memory().unwrap();
        migrate(&conn, 0, MIGRATIONS).unwrap();
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, latest_schema_version());
        let check: String = conn
            .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
            .unwrap_or_else(|_| "ok".into());
        assert_eq!(check, "ok");
        let integrity: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(integrity, "ok");
    }

    #[test]
    fn a_failing_migration_leaves_nothing_behind() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE meta (x)").unwrap(); // collides with migration 1
        assert!(migrate(&conn, 0, MIGRATIONS).is_err());
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, 0);
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'accounts'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 0);
    }

    #[test]
    fn an_older_store_is_backed_up_then_migrated_in_one_transaction() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let v1 = [Migration {
            version: 1,
            name: "001-a",
            sql: "CREATE TABLE a (x); INSERT INTO a VALUES (42);",
        }];
        drop(open_with(&path, OpenMode::CreateNew, &v1).unwrap());
        let v2 = [
            v1[0].clone(),
            Migration {
                version: 2,
                name: "002-b",
                sql: "CREATE TABLE b (y);",
            },
        ];
        let (conn, _) = open_with(&path, OpenMode::Existing, &v2).unwrap();
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, 2);
        let backup = Connection::open(dir.path().join("s.db.v1.bak")).unwrap();
        let old: i64 = backup
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        let kept: i64 = backup
            .query_row("SELECT x FROM a", [], |r| r.get(0))
            .unwrap();
        assert_eq!((old, kept), (1, 42));
    }

    #[test]
    fn a_store_of_the_first_schema_migrates_to_the_current_one_keeping_its_tokens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let (first, _) = open_with(&path, OpenMode::CreateNew, &MIGRATIONS[..1]).unwrap();
        first
            .execute_batch(
                "INSERT INTO accounts (id, username, username_key, display_name, role, status, password_hash, created_at)
                   VALUES (1, 'root', 'root', 'root', 'admin', 'active', 'x', 0);
                 INSERT INTO tokens (id, public_id, digest, owner_id, name, hint, created_at, expires_at)
                   VALUES (1, 'tok_0000000000000001', x'00', 1, 'kept', 'lk_…abcd', 0, 100);",
            )
            .unwrap();
        drop(first);
        let (conn, _) = open_with(&path, OpenMode::Existing, MIGRATIONS).unwrap();
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, latest_schema_version());
        let name: String = conn
            .query_row("SELECT name FROM tokens WHERE owner_id = 1", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(name, "kept");
        let indexes: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tokens' AND sql IS NOT NULL ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(
            indexes,
            [
                "tokens_by_owner_newest",
                "tokens_by_predecessor",
                "tokens_newest"
            ]
        );
    }

    #[test]
    fn a_migration_that_fails_leaves_the_older_store_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let v1 = [Migration {
            version: 1,
            name: "001-a",
            sql: "CREATE TABLE a (x);",
        }];
        drop(open_with(&path, OpenMode::CreateNew, &v1).unwrap());
        let broken = [
            v1[0].clone(),
            Migration {
                version: 2,
                name: "002-b",
                sql: "CREATE TABLE b (y); SELECT nonsense FROM nowhere;",
            },
        ];
        let error = open_with(&path, OpenMode::Existing, &broken).unwrap_err();
        assert!(error.to_string().contains("002-b"), "{error}");
        let (conn, _) = open_with(&path, OpenMode::Existing, &v1).unwrap();
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'b'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 0);
    }

    #[test]
    fn a_path_becomes_a_uri_path_that_sqlite_reads_back_literally() {
        let path = Path::new("/tmp/a b/what?#100%/store.db");
        assert_eq!(uri_path(path), "/tmp/a%20b/what%3F%23100%25/store.db");
    }

    #[test]
    fn pragmas_are_set_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&dir.path().join("s.db"), OpenMode::CreateNew).unwrap();
        let journal: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        let sync: i64 = conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        let fk: i64 = conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        let busy: i64 = conn
            .query_row("PRAGMA busy_timeout", [], |r| r.get(0))
            .unwrap();
        assert_eq!((journal.as_str(), sync, fk), ("wal", 2, 1));
        assert!(busy >= 5000);
    }
}
