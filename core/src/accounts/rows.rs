//! The `accounts` rows: how an account is read, by id or by name.
use rusqlite::{Connection, OptionalExtension, params};

use crate::clock::Timestamp;
use crate::error::{CoreError, Result};
use crate::model::{Account, AccountKind, AccountStatus, Role};
use crate::validate;

const ACCOUNT_COLUMNS: &str = "id, username, display_name, role, status, access_all, \
    mute_reminders, created_at, last_signin_at, kind, \
    (SELECT g.name FROM groups g WHERE g.id = accounts.managed_by)";

fn account_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Account> {
    Ok(Account {
        id: row.get(0)?,
        username: row.get(1)?,
        display_name: row.get(2)?,
        role: Role::parse(&row.get::<_, String>(3)?),
        status: AccountStatus::parse(&row.get::<_, String>(4)?),
        access_all: row.get(5)?,
        mute_reminders: row.get(6)?,
        created_at: row.get(7)?,
        last_signin_at: row.get(8)?,
        kind: AccountKind::parse(&row.get::<_, String>(9)?),
        managed_by: row.get(10)?,
    })
}

pub(crate) fn load_account_by_id(conn: &Connection, id: i64) -> Result<Option<Account>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = ?1"
        ))?
        .query_row([id], account_from_row)
        .optional()?)
}

pub(crate) fn load_account_by_name(conn: &Connection, username: &str) -> Result<Option<Account>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE username_key = ?1"
        ))?
        .query_row([validate::username_key(username)], account_from_row)
        .optional()?)
}

/// An account named in a command, or a clear "no such account".
pub(crate) fn find_account(conn: &Connection, username: &str) -> Result<Account> {
    load_account_by_name(conn, username)?.ok_or_else(|| {
        CoreError::NotFound(format!(
            "no account named {:?}",
            validate::shorten(username)
        ))
    })
}

pub(crate) fn list_accounts(conn: &Connection) -> Result<Vec<Account>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY username_key"
    ))?;
    let rows = statement.query_map([], account_from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

const INSERT_ACCOUNT: &str = "
    INSERT INTO accounts
        (username, username_key, display_name, role, status, password_hash, created_at)
    VALUES (?1, ?2, ?3, ?4, 'active', ?5, ?6)";

/// Adds an active account (inside the caller's transaction): the first administrator at first
/// launch, or one an administrator creates.
pub(crate) fn insert_account(
    conn: &Connection,
    username: &str,
    display_name: &str,
    role: Role,
    password_hash: &str,
    now: Timestamp,
) -> Result<()> {
    let key = validate::username_key(username);
    conn.execute(
        INSERT_ACCOUNT,
        params![
            username,
            key,
            display_name,
            role.as_str(),
            password_hash,
            now
        ],
    )?;
    Ok(())
}
