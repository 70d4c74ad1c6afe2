//! The schema: the migrations embedded from `migrations/NNN-name/up.sql`, applied in one
//! transaction after a backup copy of the older store is written.
use std::path::Path;

use rusqlite::Connection;

use super::files::{create_file, sibling};
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

/// Writes `<store>.v<N>.bak` with SQLite's online backup API before a migration.
pub(super) fn backup_before_migration(conn: &Connection, path: &Path, version: i64) -> Result<()> {
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

const BEGIN: &str = "BEGIN IMMEDIATE";

const COMMIT: &str = "COMMIT";

const ROLLBACK: &str = "ROLLBACK";

/// Applies every migration after `from` in one transaction.
pub(super) fn migrate(conn: &Connection, from: i64, migrations: &[Migration]) -> Result<()> {
    conn.execute_batch(BEGIN)?;
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
        Ok(()) => Ok(conn.execute_batch(COMMIT)?),
        Err(e) => {
            let _ = conn.execute_batch(ROLLBACK);
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::store::open::{OpenMode, open_with};

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
                "INSERT INTO accounts
                   (id, username, username_key, display_name, role, status, password_hash,
                    created_at)
                   VALUES (1, 'root', 'root', 'root', 'admin', 'active', 'x', 0);
                 INSERT INTO tokens
                   (id, public_id, digest, owner_id, name, hint, created_at, expires_at)
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
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tokens' \
                AND sql IS NOT NULL ORDER BY name",
            )
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
}
