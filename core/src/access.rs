//! Systems, grants and groups, and the one answer to "may this account access this system now?".
use rusqlite::{Connection, OptionalExtension, params};

use crate::authority::{Authority, find_account};
use crate::error::{CoreError, Result};
use crate::model::{Account, Actor, Group, System};
use crate::{audit, settings, validate};

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
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM account_grants WHERE account_id = ?1 AND system_id = ?2)
                 OR EXISTS (SELECT 1 FROM group_grants gg JOIN group_members gm ON gm.group_id = gg.group_id
                            WHERE gm.account_id = ?1 AND gg.system_id = ?2)",
        )?
        .query_row(params![account.id, system_id], |r| r.get(0))?)
}

/// The slugs `account` may access now, sorted (for an account that reaches all: every system).
pub(crate) fn accessible_slugs(conn: &Connection, account: &Account) -> Result<Vec<String>> {
    let mut statement = conn.prepare_cached(
        "SELECT slug FROM systems s WHERE ?2
            OR EXISTS (SELECT 1 FROM account_grants WHERE account_id = ?1 AND system_id = s.id)
            OR EXISTS (SELECT 1 FROM group_grants gg JOIN group_members gm ON gm.group_id = gg.group_id
                       WHERE gm.account_id = ?1 AND gg.system_id = s.id)
         ORDER BY slug",
    )?;
    let rows = statement.query_map(params![account.id, account.reaches_all_systems()], |r| {
        r.get(0)
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
}

pub(crate) fn system_id(conn: &Connection, slug: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM systems WHERE slug = ?1")?
        .query_row([slug], |r| r.get(0))
        .optional()?)
}

pub(crate) fn find_system(conn: &Connection, slug: &str) -> Result<i64> {
    system_id(conn, slug)?.ok_or_else(|| {
        CoreError::NotFound(format!("no system with slug {:?}", validate::shorten(slug)))
    })
}

fn find_group(conn: &Connection, name: &str) -> Result<(i64, String)> {
    conn.prepare_cached("SELECT id, name FROM groups WHERE name_key = ?1")?
        .query_row([name.trim().to_lowercase()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or_else(|| CoreError::NotFound(format!("no group named {:?}", validate::shorten(name))))
}

impl Authority {
    /// Any active account may on-board a system; it gains access only if the setting says so.
    pub fn onboard_system(
        &mut self,
        actor: Actor,
        slug: &str,
        display_name: Option<&str>,
    ) -> Result<System> {
        let slug = validate::slug(slug)?;
        let display_name = match display_name {
            Some(name) => validate::display_name("the display name", name)?,
            None => slug.clone(),
        };
        self.write(|tx, now| {
            let me = Self::active_account(tx, actor)?;
            if system_id(tx, &slug)?.is_some() {
                return Err(CoreError::Conflict(format!("a system with slug {slug:?} already exists")));
            }
            tx.execute(
                "INSERT INTO systems (slug, display_name, onboarded_by, onboarded_at) VALUES (?1, ?2, ?3, ?4)",
                params![slug, display_name, me.id, now],
            )?;
            let granted = settings::load(tx)?.onboarder_gets_access;
            if granted {
                tx.execute(
                    "INSERT INTO account_grants (account_id, system_id) VALUES (?1, last_insert_rowid())",
                    [me.id],
                )?;
            }
            audit::record(tx, now, &me.username, "system.onboarded", &slug, serde_json::json!({"display_name": display_name, "onboarder_granted": granted}))?;
            Ok(System { slug: slug.clone(), display_name: display_name.clone(), onboarded_by: me.username, onboarded_at: now })
        })
    }

    /// Every system, for any active account.
    pub fn systems(&self, actor: Actor) -> Result<Vec<System>> {
        Self::active_account(&self.conn, actor)?;
        let mut statement = self.conn.prepare_cached(
            "SELECT s.slug, s.display_name, a.username, s.onboarded_at FROM systems s
             JOIN accounts a ON a.id = s.onboarded_by ORDER BY s.slug",
        )?;
        let rows = statement.query_map([], |r| {
            Ok(System {
                slug: r.get(0)?,
                display_name: r.get(1)?,
                onboarded_by: r.get(2)?,
                onboarded_at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

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
        let me = Self::active_account(&self.conn, actor)?;
        accessible_slugs(&self.conn, &me)
    }

    /// Who may access a system and why (administrators only): (username, reason).
    pub fn system_access(&self, actor: Actor, slug: &str) -> Result<Vec<(String, String)>> {
        self.require_admin(actor)?;
        let id = find_system(&self.conn, slug)?;
        let mut out = Vec::new();
        for account in crate::authority::list_accounts(&self.conn)?
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

    /// Grants an account access to a system; granting an existing grant changes nothing.
    pub fn grant(&mut self, actor: Actor, username: &str, slug: &str) -> Result<()> {
        self.write(|tx, now| {
            let me = Self::active_admin(tx, actor)?;
            let target = find_account(tx, username)?;
            let system = find_system(tx, slug)?;
            let added = tx.execute(
                "INSERT OR IGNORE INTO account_grants (account_id, system_id) VALUES (?1, ?2)",
                params![target.id, system],
            )?;
            if added > 0 {
                audit::record(
                    tx,
                    now,
                    &me.username,
                    "grant.added",
                    &target.username,
                    serde_json::json!({"system": slug}),
                )?;
            }
            Ok(())
        })
    }

    /// Removes a direct grant; every token of that account loses the system at once.
    pub fn ungrant(&mut self, actor: Actor, username: &str, slug: &str) -> Result<()> {
        self.write(|tx, now| {
            let me = Self::active_admin(tx, actor)?;
            let target = find_account(tx, username)?;
            let system = find_system(tx, slug)?;
            let removed = tx.execute(
                "DELETE FROM account_grants WHERE account_id = ?1 AND system_id = ?2",
                params![target.id, system],
            )?;
            if removed > 0 {
                audit::record(
                    tx,
                    now,
                    &me.username,
                    "grant.removed",
                    &target.username,
                    serde_json::json!({"system": slug}),
                )?;
            }
            Ok(())
        })
    }

    pub fn add_group(&mut self, actor: Actor, name: &str) -> Result<()> {
        let name = validate::group_name(name)?;
        self.write(|tx, now| {
            let me = Self::active_admin(tx, actor)?;
            let added = tx.execute(
                "INSERT OR IGNORE INTO groups (name, name_key, created_at) VALUES (?1, ?2, ?3)",
                params![name, name.to_lowercase(), now],
            )?;
            if added == 0 {
                return Err(CoreError::Conflict(format!(
                    "a group named {name:?} already exists"
                )));
            }
            audit::record(
                tx,
                now,
                &me.username,
                "group.created",
                &name,
                serde_json::Value::Null,
            )
        })
    }

    /// Adds an account to a group, or (with `member = false`) removes it; idempotent.
    pub fn set_group_member(
        &mut self,
        actor: Actor,
        group: &str,
        username: &str,
        member: bool,
    ) -> Result<()> {
        self.write(|tx, now| {
            let me = Self::active_admin(tx, actor)?;
            let (group_id, group_name) = find_group(tx, group)?;
            let target = find_account(tx, username)?;
            let sql = if member {
                "INSERT OR IGNORE INTO group_members (group_id, account_id) VALUES (?1, ?2)"
            } else {
                "DELETE FROM group_members WHERE group_id = ?1 AND account_id = ?2"
            };
            if tx.execute(sql, params![group_id, target.id])? > 0 {
                let action = if member {
                    "group.member_added"
                } else {
                    "group.member_removed"
                };
                audit::record(
                    tx,
                    now,
                    &me.username,
                    action,
                    &group_name,
                    serde_json::json!({"account": target.username}),
                )?;
            }
            Ok(())
        })
    }

    /// Grants a group access to a system, or (with `granted = false`) removes it; idempotent.
    pub fn set_group_grant(
        &mut self,
        actor: Actor,
        group: &str,
        slug: &str,
        granted: bool,
    ) -> Result<()> {
        self.write(|tx, now| {
            let me = Self::active_admin(tx, actor)?;
            let (group_id, group_name) = find_group(tx, group)?;
            let system = find_system(tx, slug)?;
            let sql = if granted {
                "INSERT OR IGNORE INTO group_grants (group_id, system_id) VALUES (?1, ?2)"
            } else {
                "DELETE FROM group_grants WHERE group_id = ?1 AND system_id = ?2"
            };
            if tx.execute(sql, params![group_id, system])? > 0 {
                let action = if granted {
                    "group.grant_added"
                } else {
                    "group.grant_removed"
                };
                audit::record(
                    tx,
                    now,
                    &me.username,
                    action,
                    &group_name,
                    serde_json::json!({"system": slug}),
                )?;
            }
            Ok(())
        })
    }

    /// Every group with its members and systems (administrators only).
    pub fn groups(&self, actor: Actor) -> Result<Vec<Group>> {
        self.require_admin(actor)?;
        let mut statement = self
            .conn
            .prepare_cached("SELECT id, name FROM groups ORDER BY name_key")?;
        let groups = statement
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut out = Vec::new();
        for (id, name) in groups {
            let members = self.strings(
                "SELECT a.username FROM group_members m JOIN accounts a ON a.id = m.account_id WHERE m.group_id = ?1 ORDER BY a.username_key",
                id,
            )?;
            let systems = self.strings(
                "SELECT s.slug FROM group_grants g JOIN systems s ON s.id = g.system_id WHERE g.group_id = ?1 ORDER BY s.slug",
                id,
            )?;
            out.push(Group {
                name,
                members,
                systems,
            });
        }
        Ok(out)
    }

    pub(crate) fn strings(&self, sql: &str, id: i64) -> Result<Vec<String>> {
        let mut statement = self.conn.prepare_cached(sql)?;
        let rows = statement.query_map([id], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
    }
}
