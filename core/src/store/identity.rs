//! Which file a store's path names: a restore moves another store in under the same path, and a
//! connection opened before must then refuse to write (`CoreError::StoreReplaced`).
use std::path::{Path, PathBuf};

use rusqlite::{Connection, TransactionBehavior};

use crate::error::{CoreError, Result};

/// Which file a path names: device and inode on Unix (elsewhere nothing is compared). A restore
/// moves another file in under the store's path; a connection opened before keeps the old one.
///
/// Windows needs no comparison: SQLite opens the store without `FILE_SHARE_DELETE`, so a restore
/// cannot rename a store file another process holds open — it fails with a sharing violation
/// before anything moved (`move_store_files` starts with the database file) and the store stays
/// as it was. (std's volume serial and file index, the inode's counterpart, are unstable.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct FileId {
    #[cfg(unix)]
    dev: u64,
    #[cfg(unix)]
    ino: u64,
}

impl FileId {
    /// `None` when nothing is at `path` (or it cannot be read).
    pub(super) fn of(path: &Path) -> Option<FileId> {
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
            // Only whether something is there counts.
            let _ = metadata;
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
    /// A store opened on `conn`, whose path named `file` when it was opened.
    pub(super) fn new(
        conn: Connection,
        path: &Path,
        file: Option<FileId>,
        upgraded_from: Option<i64>,
    ) -> Store {
        Store {
            conn,
            path: path.to_path_buf(),
            file,
            upgraded_from,
        }
    }
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
