//! Opening a store: its key is read and checked against the stored verifier before anything can
//! be upgraded, so a wrong or missing key fails closed here, with a message that says what to do.
use std::path::Path;
use std::sync::Arc;

use rusqlite::Connection;

use crate::Authority;
use crate::accounts::{Pepper, SigninKey};
use crate::audit::{self, AuditWriter};
use crate::clock::Clock;
use crate::error::{CoreError, Result};
use crate::keys::{self, KeySource, MasterKey};
use crate::store::{self, OpenMode, meta};
use crate::tokens::TokenKey;

/// The schema that brought the audit chain (migration 004).
const AUDIT_CHAIN_SCHEMA: i64 = 4;

const SCHEMA_VERSION: &str = "PRAGMA user_version";

impl Authority {
    /// Opens an initialised store and checks its key; a wrong or missing key fails closed here.
    pub fn open(path: &Path, key_source: &KeySource, clock: Arc<dyn Clock>) -> Result<Authority> {
        // The key is checked before an upgrade can happen, so the open that upgrades a store is
        // always one that holds the right key and can chain its old audit events.
        let early = Self::key_before_opening(path, key_source)?;
        let mut conn = store::open(path, OpenMode::Existing)?;
        let master = match early {
            Some(master) => {
                Self::check_verifier(&conn, path, key_source, &master)?;
                master
            }
            None => Self::load_key(&conn, path, key_source)?,
        };
        // Only the open that upgraded a store to the audit chain chains its old events: nothing
        // in the file (which anyone holding it can write) can ask for that later.
        let upgraded = conn
            .upgraded_from()
            .is_some_and(|from| from < AUDIT_CHAIN_SCHEMA);
        let audit = audit::AuditWriter::attach(&mut conn, &master, upgraded)?;
        Ok(Authority::assemble(conn, clock, master, audit, path))
    }

    /// For a store about to be upgraded: the key, read and checked through a plain look at the
    /// file before it is opened (which upgrades it). None when no upgrade is due or that look
    /// cannot read the store's key facts; the normal open then checks the key or reports what is
    /// wrong. The look writes nothing, and as the last connection to close it leaves the files
    /// as they were.
    fn key_before_opening(path: &Path, key_source: &KeySource) -> Result<Option<MasterKey>> {
        if !path.is_file() {
            return Ok(None);
        }
        let flags =
            rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let Ok(plain) = Connection::open_with_flags(path, flags) else {
            return Ok(None);
        };
        let facts = (|| -> Result<bool> {
            let version: i64 = plain.query_row(SCHEMA_VERSION, [], |r| r.get(0))?;
            if version >= store::latest_schema_version() {
                return Ok(false);
            }
            Ok(meta(&plain, "installation_id")?.is_some()
                && meta(&plain, "key_source")?.is_some()
                && meta(&plain, "key_verifier")?.is_some())
        })();
        match facts {
            Ok(true) => Self::load_key(&plain, path, key_source).map(Some),
            _ => Ok(None),
        }
    }

    /// Checks a key read earlier against the opened store's verifier (no second keyring read).
    fn check_verifier(
        conn: &Connection,
        path: &Path,
        key_source: &KeySource,
        master: &MasterKey,
    ) -> Result<()> {
        let verifier = meta(conn, "key_verifier")?
            .ok_or_else(|| CoreError::NotInitialised(path.to_path_buf()))?;
        Self::compare_verifier(key_source, master, &verifier)
    }

    fn compare_verifier(key_source: &KeySource, master: &MasterKey, verifier: &str) -> Result<()> {
        let expected = master.verifier();
        let same = keys::constant_time_eq(expected.as_bytes(), verifier.as_bytes());
        if !same {
            let from = match key_source {
                KeySource::File(p) => format!("key file {}", p.display()),
                KeySource::OsStore => "the OS credential store".into(),
            };
            return Err(CoreError::Key(format!(
                "the installation key from {from} does not belong to this store; use the key it \
                    was created with"
            )));
        }
        Ok(())
    }

    fn load_key(conn: &Connection, path: &Path, key_source: &KeySource) -> Result<MasterKey> {
        let (Some(installation_id), Some(kind), Some(verifier)) = (
            meta(conn, "installation_id")?,
            meta(conn, "key_source")?,
            meta(conn, "key_verifier")?,
        ) else {
            return Err(CoreError::NotInitialised(path.to_path_buf()));
        };
        match (kind.as_str(), key_source) {
            ("file", KeySource::OsStore) => {
                return Err(CoreError::Key(
                    "this store's installation key is in a key file; pass --key-file PATH or set \
                        LATCHKEY_KEY_FILE"
                        .into(),
                ));
            }
            ("os", KeySource::File(_)) => {
                return Err(CoreError::Key(
                    "this store's installation key is in the OS credential store; do not pass \
                        --key-file"
                        .into(),
                ));
            }
            _ => {}
        }
        let master = keys::load(key_source, &installation_id)?;
        Self::compare_verifier(key_source, &master, &verifier)?;
        Ok(master)
    }

    /// An authority on an opened store: each folder's sub-key derived from the installation key.
    pub(super) fn assemble(
        conn: store::Store,
        clock: Arc<dyn Clock>,
        master: MasterKey,
        audit: AuditWriter,
        path: &Path,
    ) -> Authority {
        Authority {
            token_key: TokenKey::derive(&master),
            signin_key: SigninKey::derive(&master),
            pepper: Pepper::derive(&master),
            master,
            audit,
            conn,
            clock,
            path: path.to_path_buf(),
        }
    }
}
