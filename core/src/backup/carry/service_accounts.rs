//! What a restore carries forward of issue 16's changes: a service account's current managing
//! group (who may obtain its secrets), and tokens handed over to a service account (so a
//! restore neither gives a departed person's token back to them nor lets it reach what the
//! hand-over narrowed away). Skipped for a backup made before service accounts existed: it has
//! none to carry anything to.
use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};

use super::CarriedForward;
use crate::error::Result;
use crate::tokens::narrow_to;

const HAS_KINDS: &str = "SELECT count(*) FROM pragma_table_info('accounts') WHERE name = 'kind'";
/// Service accounts by username key, with their managing group's name key.
const SERVICE_ACCOUNTS: &str = "
    SELECT s.username_key, s.username, g.name_key FROM accounts s
    LEFT JOIN groups g ON g.id = s.managed_by WHERE s.kind = 'service'";
const GROUP_ID: &str = "SELECT id FROM groups WHERE name_key = ?1";
const SET_MANAGING_GROUP: &str =
    "UPDATE accounts SET managed_by = ?2 WHERE username_key = ?1 AND kind = 'service'";
/// Tokens owned by a service account: their owner, who received the secret, and narrowing.
const SERVICE_TOKENS: &str = "
    SELECT t.id, t.public_id, o.username_key, c.username_key, t.narrowed FROM tokens t
    JOIN accounts o ON o.id = t.owner_id LEFT JOIN accounts c ON c.id = t.created_by
    WHERE o.kind = 'service'";
const NARROWING: &str = "
    SELECT s.slug FROM token_systems ts JOIN systems s ON s.id = ts.system_id
    WHERE ts.token_id = ?1";
const RESTORED_TOKEN: &str = "
    SELECT t.id, o.username_key FROM tokens t JOIN accounts o ON o.id = t.owner_id
    WHERE t.public_id = ?1";
const ACCOUNT_ID: &str = "SELECT id FROM accounts WHERE username_key = ?1";
const HAND_OVER: &str = "
    UPDATE tokens SET owner_id = ?2, narrowed = ?3,
                      created_by = coalesce(?4, created_by, owner_id) WHERE id = ?1";

fn has_kinds(conn: &Connection) -> Result<bool> {
    Ok(conn.query_row(HAS_KINDS, [], |r| r.get::<_, i64>(0))? > 0)
}

type ServiceAccounts = HashMap<String, (String, Option<String>)>;

fn service_accounts(conn: &Connection) -> Result<ServiceAccounts> {
    let mut statement = conn.prepare(SERVICE_ACCOUNTS)?;
    let rows = statement.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Managing groups and hand-overs, from `current` into `restored`.
pub(super) fn service_account_changes(
    current: &Connection,
    restored: &Connection,
    carried: &mut CarriedForward,
) -> Result<()> {
    if !has_kinds(current)? || !has_kinds(restored)? {
        return Ok(());
    }
    let (now, old) = (service_accounts(current)?, service_accounts(restored)?);
    let mut keys: Vec<&String> = now.keys().filter(|k| old.contains_key(*k)).collect();
    keys.sort();
    for key in keys {
        let (Some((name, group)), Some((_, old_group))) = (now.get(key), old.get(key)) else {
            continue;
        };
        if group == old_group {
            continue;
        }
        // A group made after the backup is not there: then nobody manages it until an
        // administrator chooses a group (narrower than the backup's group).
        let id: Option<i64> = match group {
            Some(group) => restored
                .query_row(GROUP_ID, [group], |r| r.get(0))
                .optional()?,
            None => None,
        };
        restored.execute(SET_MANAGING_GROUP, params![key, id])?;
        carried.managing_groups.push(name.clone());
    }
    hand_overs(current, restored, &old, carried)
}

fn hand_overs(
    current: &Connection,
    restored: &Connection,
    restored_services: &ServiceAccounts,
    carried: &mut CarriedForward,
) -> Result<()> {
    let mut statement = current.prepare(SERVICE_TOKENS)?;
    let tokens = statement
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, bool>(4)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (row, public_id, owner, created_by, narrowed) in tokens {
        let restored_token: Option<(i64, String)> = restored
            .query_row(RESTORED_TOKEN, [&public_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((restored_row, restored_owner)) = restored_token else {
            continue;
        };
        if restored_owner == owner || !restored_services.contains_key(&owner) {
            continue;
        }
        let account_id = |key: &str| -> Result<Option<i64>> {
            Ok(restored
                .query_row(ACCOUNT_ID, [key], |r| r.get(0))
                .optional()?)
        };
        let Some(owner_id) = account_id(&owner)? else {
            continue;
        };
        let created_by = match &created_by {
            Some(key) => account_id(key)?,
            None => None,
        };
        if narrowed {
            let mut narrowing = current.prepare(NARROWING)?;
            let slugs = narrowing
                .query_map([row], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            narrow_to(restored, restored_row, &slugs)?;
        }
        restored.execute(
            HAND_OVER,
            params![restored_row, owner_id, narrowed, created_by],
        )?;
        carried.hand_overs.push(public_id);
    }
    Ok(())
}
