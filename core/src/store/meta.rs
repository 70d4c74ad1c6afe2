//! The `meta` table: the organisation, the installation id, where the key is and its verifier,
//! the audit chain's anchor.
use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use crate::Authority;
use crate::error::Result;

const META: &str = "SELECT value FROM meta WHERE key = ?1";

/// A value of the `meta` table.
pub(crate) fn meta(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(META)?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

const INSERT_META: &str = "INSERT INTO meta (key, value) VALUES (?1, ?2)";

/// Adds a value to the `meta` table (inside the caller's transaction).
pub(crate) fn insert_meta(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(INSERT_META, params![key, value])?;
    Ok(())
}

impl Authority {
    /// The store file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether a restore has moved another store in at this store's path since it was opened
    /// (one `stat`): this one then refuses every write with `StoreReplaced` and should be
    /// dropped and the store opened again (the app's long-lived authority does so).
    pub fn store_replaced(&self) -> bool {
        self.conn.replaced()
    }

    /// The organisation's name.
    pub fn organisation(&self) -> Result<String> {
        Ok(meta(&self.conn, "organisation")?.unwrap_or_default())
    }
}
