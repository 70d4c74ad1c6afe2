//! "May this account access this system now?": administrators and accounts with access to all
//! systems may; others through a direct grant or a group's grant. Tokens ask it at verification.
use rusqlite::{Connection, params};

use super::systems::{find_system, system_id};
use crate::Authority;
use crate::accounts::{active_account, find_account, list_accounts};
use crate::error::Result;
use crate::model::{Account, Actor};

/// A direct grant of system ?2 to account ?1, or a grant to a group ?1 belongs to.
const MAY_ACCESS: &str = "
    SELECT EXISTS (SELECT 1 FROM account_grants WHERE account_id = ?1 AND system_id = ?2)
        OR EXISTS (SELECT 1 FROM group_grants gg
                   JOIN group_members gm ON gm.group_id = gg.group_id
                   WHERE gm.account_id = ?1 AND gg.system_id = ?2)";
/// Every slug when ?2 (the account reaches all systems), else those account ?1 may access.
const ACCESSIBLE_SLUGS: &str = "
    SELECT slug FROM systems s WHERE ?2
        OR EXISTS (SELECT 1 FROM account_grants WHERE account_id = ?1 AND system_id = s.id)
        OR EXISTS (SELECT 1 FROM group_grants gg
                   JOIN group_members gm ON gm.group_id = gg.group_id
                   WHERE gm.account_id = ?1 AND gg.system_id = s.id)
    ORDER BY slug";

/// May `account` access the system with id `system_id` now? Administrators and accounts with
/// access to all systems may; others through a direct grant or a group's grant.
pub(crate) fn account_may_access(
    conn: &Connection,
    account: &Account,
    system_id: i64,
) -> Result<bool> {
    if account.reaches_all_systems() {
        return Ok(true);
    }
    Ok(conn
        .prepare_cached(MAY_ACCESS)?
        .query_row(params![account.id, system_id], |r| r.get(0))?)
}

/// The slugs `account` may access now, sorted (for an account that reaches all: every system).
pub(crate) fn accessible_slugs(conn: &Connection, account: &Account) -> Result<Vec<String>> {
    let mut statement = conn.prepare_cached(ACCESSIBLE_SLUGS)?;
    let rows = statement.query_map(params![account.id, account.reaches_all_systems()], |r| {
        r.get(0)
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
}

impl Authority {
    /// May this account access this system now? (The one function every door uses.)
    pub fn may_access(&self, username: &str, slug: &str) -> Result<bool> {
        let account = find_account(&self.conn, username)?;
        let Some(id) = system_id(&self.conn, slug)? else {
            return Ok(false);
        };
        Ok(account.is_active() && account_may_access(&self.conn, &account, id)?)
    }

    /// The systems the acting account may access now: what a token it creates will inherit.
    pub fn my_systems(&self, actor: Actor) -> Result<Vec<String>> {
        let me = active_account(&self.conn, actor)?;
        accessible_slugs(&self.conn, &me)
    }

    /// Who may access a system and why (administrators only): (username, reason).
    pub fn system_access(&self, actor: Actor, slug: &str) -> Result<Vec<(String, String)>> {
        self.require_admin(actor)?;
        let id = find_system(&self.conn, slug)?;
        let mut out = Vec::new();
        for account in list_accounts(&self.conn)?
            .into_iter()
            .filter(Account::is_active)
        {
            let reason = if account.is_admin() {
                "administrator"
            } else if account.access_all {
                "access to all systems"
            } else if account_may_access(&self.conn, &account, id)? {
                "grant"
            } else {
                continue;
            };
            out.push((account.username, reason.to_string()));
        }
        Ok(out)
    }
}
