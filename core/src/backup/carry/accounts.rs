//! Accounts as either store holds them, and what a restore carries forward of their state:
//! deactivations, demotions, removed "access to all systems", and the current password with its
//! sign-in lock state.
use std::collections::HashMap;

use rusqlite::{Connection, params};

use super::CarriedForward;
use super::apply::Known;
use crate::accounts::FREE_FAILURES;
use crate::clock::Timestamp;
use crate::error::Result;

/// An account's access-relevant state, as either store holds it.
pub(super) struct AccountRow {
    pub(super) id: i64,
    username: String,
    role: String,
    status: String,
    password_hash: String,
    access_all: bool,
    failed_signins: i64,
    last_failed_at: Option<Timestamp>,
}

const ACCOUNT_STATES: &str = "
    SELECT username_key, id, username, role, status, password_hash, access_all, failed_signins,
    last_failed_at FROM accounts";

pub(super) fn accounts(conn: &Connection) -> Result<HashMap<String, AccountRow>> {
    let mut statement = conn.prepare(ACCOUNT_STATES)?;
    let rows = statement.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            AccountRow {
                id: r.get(1)?,
                username: r.get(2)?,
                role: r.get(3)?,
                status: r.get(4)?,
                password_hash: r.get(5)?,
                access_all: r.get(6)?,
                failed_signins: r.get(7)?,
                last_failed_at: r.get(8)?,
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

const DEACTIVATE: &str = "UPDATE accounts SET status = 'deactivated' WHERE id = ?1";

const DEMOTE: &str = "UPDATE accounts SET role = 'member' WHERE id = ?1";

const REMOVE_ACCESS_ALL: &str = "UPDATE accounts SET access_all = 0 WHERE id = ?1";

/// The current password and its sign-in lock state.
const CURRENT_PASSWORD: &str = "
    UPDATE accounts SET password_hash = ?2, failed_signins = ?3, last_failed_at = ?4 WHERE id =
    ?1";

/// Deactivations, demotions, removed "access to all systems", and the current password with its
/// sign-in lock state.
pub(super) fn account_states(
    tx: &Connection,
    known: &Known,
    restored_accounts: &HashMap<String, AccountRow>,
    carried: &mut CarriedForward,
) -> Result<()> {
    let mut keys: Vec<&String> = restored_accounts.keys().collect();
    keys.sort();
    for key in keys {
        let (Some(old), Some(now)) = (restored_accounts.get(key), known.accounts.get(key)) else {
            continue;
        };
        let name = || old.username.clone();
        if old.status == "active" && now.status != "active" {
            tx.execute(DEACTIVATE, [old.id])?;
            carried.deactivations.push(name());
        }
        if old.role == "admin" && now.role != "admin" {
            tx.execute(DEMOTE, [old.id])?;
            carried.demotions.push(name());
        }
        if old.access_all && !now.access_all {
            tx.execute(REMOVE_ACCESS_ALL, [old.id])?;
            carried.removed_access_to_all_systems.push(name());
        }
        let changed = old.password_hash != now.password_hash;
        if changed || now.failed_signins > old.failed_signins {
            tx.execute(
                CURRENT_PASSWORD,
                params![
                    old.id,
                    now.password_hash,
                    now.failed_signins,
                    now.last_failed_at
                ],
            )?;
            if changed {
                carried.password_changes.push(name());
            } else if now.failed_signins >= FREE_FAILURES {
                carried.sign_in_locks.push(name());
            }
        }
    }
    Ok(())
}
