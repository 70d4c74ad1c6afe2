//! Applying to the restored store what narrowed access in the current one: the passes, in one
//! transaction, and the clock watermark that never goes back.
use std::collections::{HashMap, HashSet};

use rusqlite::{Connection, OptionalExtension, params};

use super::CarriedForward;
use super::accounts::{AccountRow, account_states, accounts};
use super::links::removed_links;
use crate::clock::Timestamp;
use crate::error::{CoreError, Result};
use crate::settings;

fn strings(conn: &Connection, sql: &str) -> Result<HashSet<String>> {
    let mut statement = conn.prepare(sql)?;
    let rows = statement.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// What the current store knows about: accounts, systems and groups by identity.
pub(super) struct Known {
    pub(super) accounts: HashMap<String, AccountRow>,
    pub(super) systems: HashSet<String>,
    pub(super) groups: HashSet<String>,
}

const ACTIVE_ADMINS: &str = "
    SELECT count(*) FROM accounts WHERE role = 'admin' AND status = 'active'";

/// Applies to `restored` (the backup, in memory) everything in `current` that narrows access
/// compared with it, in one transaction, and says what that was. Refused, changing nothing, when
/// the result would leave no active administrator.
pub(crate) fn carry_forward(
    current: &Connection,
    restored: &mut Connection,
) -> Result<CarriedForward> {
    let tx = restored.transaction()?;
    let carried = carry_into(current, &tx)?;
    let admins: i64 = tx.query_row(ACTIVE_ADMINS, [], |r| r.get(0))?;
    if admins == 0 {
        return Err(CoreError::Conflict(
            "the restored store would have no active administrator: every administrator in the \
                backup has since been deactivated or made a member in the current store; restore a \
                more recent backup (nothing was changed)"
                .into(),
        ));
    }
    tx.commit()?;
    Ok(carried)
}

const SYSTEMS: &str = "SELECT slug FROM systems";

const GROUPS: &str = "SELECT name_key FROM groups";

const WATERMARK: &str = "SELECT max_seen FROM clock_watermark WHERE id = 1";

const RAISE_WATERMARK: &str = "
    UPDATE clock_watermark SET max_seen = max(max_seen, ?1) WHERE id = 1";

/// Applies to `restored`, inside the caller's transaction, everything in `current` that narrows
/// access compared with it, and says what that was. A restore's second pass, from the store set
/// aside into the restored one in place, calls this directly: what the store set aside
/// acknowledged holds even when it leaves no active administrator.
pub(crate) fn carry_into(current: &Connection, restored: &Connection) -> Result<CarriedForward> {
    let tx = restored;
    let known = Known {
        accounts: accounts(current)?,
        systems: strings(current, SYSTEMS)?,
        groups: strings(current, GROUPS)?,
    };
    let mut carried = CarriedForward::default();
    let restored_accounts = accounts(tx)?;
    revocations(current, tx, &restored_accounts, &mut carried)?;
    earlier_expiries(current, tx, &mut carried)?;
    account_states(tx, &known, &restored_accounts, &mut carried)?;
    removed_links(current, tx, &known, &mut carried)?;
    lowered_settings(current, tx, &mut carried)?;
    super::service_accounts::service_account_changes(current, tx, &mut carried)?;
    // "Now" never goes back: the restored store starts from the later of both watermarks.
    let seen: Timestamp = current.query_row(WATERMARK, [], |r| r.get(0))?;
    tx.execute(RAISE_WATERMARK, [seen])?;
    Ok(carried)
}

/// Revoked tokens (or due to be) and who revoked them, earliest first.
const REVOKED: &str = "
    SELECT t.public_id, t.revoked_at, a.username_key, t.rotated FROM tokens t LEFT JOIN accounts
    a ON a.id = t.revoked_by WHERE t.revoked_at IS NOT NULL ORDER BY t.revoked_at, t.public_id";

const FIND_TOKEN: &str = "SELECT id, revoked_at FROM tokens WHERE public_id = ?1";

const REVOKE: &str = "
    UPDATE tokens SET revoked_at = ?2, revoked_by = ?3, rotated = max(rotated, ?4) WHERE id = ?1";

/// Tokens revoked in the current store are revoked in the restored one, at the same time and by
/// the same account where it exists there; an earlier revocation time wins.
fn revocations(
    current: &Connection,
    tx: &Connection,
    restored_accounts: &HashMap<String, AccountRow>,
    carried: &mut CarriedForward,
) -> Result<()> {
    let mut statement = current.prepare(REVOKED)?;
    let revoked = statement
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Timestamp>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, bool>(3)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut find = tx.prepare(FIND_TOKEN)?;
    let mut update = tx.prepare(REVOKE)?;
    for (public_id, revoked_at, revoker, rotated) in revoked {
        let Some((id, restored_at)) = find
            .query_row([&public_id], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Option<Timestamp>>(1)?))
            })
            .optional()?
        else {
            continue;
        };
        if restored_at.is_some_and(|at| at <= revoked_at) {
            continue;
        }
        let by = revoker
            .and_then(|key| restored_accounts.get(&key))
            .map(|a| a.id);
        update.execute(params![id, revoked_at, by, rotated])?;
        carried.revocations.push(public_id);
    }
    Ok(())
}

const EXPIRIES: &str = "SELECT public_id, expires_at FROM tokens";

const EARLIER_EXPIRY: &str = "
    UPDATE tokens SET expires_at = ?2 WHERE public_id = ?1 AND expires_at > ?2";

/// A token that expires earlier in the current store (a clock reset clamped it) expires then in
/// the restored one too.
fn earlier_expiries(
    current: &Connection,
    tx: &Connection,
    carried: &mut CarriedForward,
) -> Result<()> {
    let mut statement = current.prepare(EXPIRIES)?;
    let expiries = statement
        .query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Timestamp>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut update = tx.prepare(EARLIER_EXPIRY)?;
    for (public_id, expires_at) in expiries {
        if update.execute(params![public_id, expires_at])? > 0 {
            carried.earlier_expiries.push(public_id);
        }
    }
    Ok(())
}

/// A lowered maximum token lifetime, and on-boarders no longer getting access.
fn lowered_settings(
    current: &Connection,
    tx: &Connection,
    carried: &mut CarriedForward,
) -> Result<()> {
    let (now, old) = (settings::load(current)?, settings::load(tx)?);
    let set = |key: &str, value: &str| settings::save(tx, key, value);
    if now.max_lifetime_days < old.max_lifetime_days {
        set("max_lifetime_days", &now.max_lifetime_days.to_string())?;
        carried.max_lifetime_days = Some(now.max_lifetime_days);
    }
    if let Some(days) = now.auto_revoke_unused_days
        && old.auto_revoke_unused_days.is_none_or(|old| old > days)
    {
        set("auto_revoke_unused_days", &days.to_string())?;
        carried.auto_revoke_unused_days = Some(days);
    }
    if old.onboarder_gets_access && !now.onboarder_gets_access {
        set("onboarder_gets_access", "false")?;
        carried.onboarder_access_removed = true;
    }
    Ok(())
}
