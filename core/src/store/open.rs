//! Opening a store: path checks, mode 0600, every pragma of SPEC §7.2, a newer schema refused
//! before anything is written, a read-only file opened immutable, migrations.
use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::files::{create_file, sibling};
use super::identity::{FileId, Store};
use super::migrate::{MIGRATIONS, Migration, backup_before_migration, migrate};
use crate::error::{CoreError, Result};

/// Whether `open` may create a new file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OpenMode {
    CreateNew,
    Existing,
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
            return Ok(Store::new(conn, path, after, upgraded_from));
        }
    }
    Err(CoreError::StoreReplaced)
}

const SCHEMA_VERSION: &str = "PRAGMA user_version";

/// The connection, and the version it was migrated from when this open migrated it.
pub(super) fn open_with(
    path: &Path,
    mode: OpenMode,
    migrations: &[Migration],
) -> Result<(Connection, Option<i64>)> {
    if path.is_dir() {
        return Err(CoreError::StoreIsDirectory(path.to_path_buf()));
    }
    crate::platform::paths::secure_data_folder(path).map_err(|e| {
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
        let version = conn.query_row(SCHEMA_VERSION, [], |row| row.get(0))?;
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

const JOURNAL_MODE_WAL: &str = "PRAGMA journal_mode = WAL";

/// Every commit synced (writes are rare; each acknowledged one survives power loss), and
/// deleted content overwritten.
const DURABLE: &str = "PRAGMA synchronous = FULL; PRAGMA secure_delete = ON;";

#[cfg(target_os = "macos")]
const FULLFSYNC: &str = "PRAGMA fullfsync = ON; PRAGMA checkpoint_fullfsync = ON;";

/// Every pragma of SPEC §7.2, in one place.
fn set_pragmas(conn: &Connection) -> Result<()> {
    set_reading_pragmas(conn)?;
    let mode: String = conn.query_row(JOURNAL_MODE_WAL, [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(CoreError::Store(format!(
            "could not switch the store to WAL mode (it stays in {mode} mode)"
        )));
    }
    conn.execute_batch(DURABLE)?;
    #[cfg(target_os = "macos")]
    conn.execute_batch(FULLFSYNC)?;
    Ok(())
}

/// What a read-only open needs too.
const READING: &str = "
    PRAGMA foreign_keys = ON; PRAGMA trusted_schema = OFF; PRAGMA cache_size = -65536;";

/// The pragmas that also apply to a store opened read-only.
fn set_reading_pragmas(conn: &Connection) -> Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    conn.execute_batch(READING)?;
    Ok(())
}

fn cannot_open(error: &rusqlite::Error) -> bool {
    let code = match error {
        rusqlite::Error::SqliteFailure(e, _) => Some(e.code),
        _ => None,
    };
    code == Some(rusqlite::ErrorCode::CannotOpen)
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

/// Maps SQLite's failures at open to errors that name the store and what to do.
pub(crate) fn classify(error: rusqlite::Error, path: &Path) -> CoreError {
    match CoreError::from(error) {
        CoreError::Store(message) if message.contains("unable to open") => CoreError::Store(
            format!("could not open the store at {}: {message}", path.display()),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        // F_FULLFSYNC on macOS (its fsync does not flush the drive's cache): checked by the
        // hosted macOS job; elsewhere SQLite's default (off; fsync and FlushFileBuffers flush).
        let fullfsync = |pragma: &str| -> i64 {
            conn.query_row(&format!("PRAGMA {pragma}"), [], |r| r.get(0))
                .unwrap()
        };
        let expected = i64::from(cfg!(target_os = "macos"));
        assert_eq!(
            (fullfsync("fullfsync"), fullfsync("checkpoint_fullfsync")),
            (expected, expected)
        );
    }
}
