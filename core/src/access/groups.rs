//! Groups: their members and their grants. Groups only add access.
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Value, json};

use super::systems::find_system;
use crate::Authority;
use crate::accounts::{Need, find_account};
use crate::audit::AuditAction;
use crate::error::{CoreError, Result};
use crate::model::{Actor, Group};
use crate::validate;

const FIND_GROUP: &str = "SELECT id, name FROM groups WHERE name_key = ?1";
const ADD_GROUP: &str =
    "INSERT OR IGNORE INTO groups (name, name_key, created_at) VALUES (?1, ?2, ?3)";
const ADD_MEMBER: &str =
    "INSERT OR IGNORE INTO group_members (group_id, account_id) VALUES (?1, ?2)";
const REMOVE_MEMBER: &str = "DELETE FROM group_members WHERE group_id = ?1 AND account_id = ?2";
const ADD_GROUP_GRANT: &str =
    "INSERT OR IGNORE INTO group_grants (group_id, system_id) VALUES (?1, ?2)";
const REMOVE_GROUP_GRANT: &str = "DELETE FROM group_grants WHERE group_id = ?1 AND system_id = ?2";
const GROUPS: &str = "SELECT id, name FROM groups ORDER BY name_key";
const GROUP_MEMBERS: &str = "
    SELECT a.username FROM group_members m JOIN accounts a ON a.id = m.account_id
    WHERE m.group_id = ?1 ORDER BY a.username_key";
const GROUP_SYSTEMS: &str = "
    SELECT s.slug FROM group_grants g JOIN systems s ON s.id = g.system_id
    WHERE g.group_id = ?1 ORDER BY s.slug";

/// A group named in a command (case-insensitively): its id and name, or a clear "no such group".
pub(super) fn find_group(conn: &Connection, name: &str) -> Result<(i64, String)> {
    conn.prepare_cached(FIND_GROUP)?
        .query_row([name.trim().to_lowercase()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or_else(|| CoreError::NotFound(format!("no group named {:?}", validate::shorten(name))))
}

impl Authority {
    /// Creates a group (administrators only); its name is unique, case-insensitively.
    pub fn add_group(&mut self, actor: Actor, name: &str) -> Result<()> {
        let name = validate::group_name(name)?;
        self.change(actor, Need::Admin, |c, _| {
            let added =
                c.tx.execute(ADD_GROUP, params![name, name.to_lowercase(), c.now])?;
            if added == 0 {
                return Err(CoreError::Conflict(format!(
                    "a group named {name:?} already exists"
                )));
            }
            c.record(AuditAction::GroupCreated, &name, Value::Null)
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
        let (sql, action) = match member {
            true => (ADD_MEMBER, AuditAction::GroupMemberAdded),
            false => (REMOVE_MEMBER, AuditAction::GroupMemberRemoved),
        };
        self.change(actor, Need::Admin, |c, _| {
            let (group_id, group_name) = find_group(c.tx, group)?;
            let target = find_account(c.tx, username)?;
            if c.tx.execute(sql, params![group_id, target.id])? > 0 {
                let details = json!({"account": target.username});
                c.record(action, &group_name, details)?;
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
        let (sql, action) = match granted {
            true => (ADD_GROUP_GRANT, AuditAction::GroupGrantAdded),
            false => (REMOVE_GROUP_GRANT, AuditAction::GroupGrantRemoved),
        };
        self.change(actor, Need::Admin, |c, _| {
            let (group_id, group_name) = find_group(c.tx, group)?;
            let system = find_system(c.tx, slug)?;
            if c.tx.execute(sql, params![group_id, system])? > 0 {
                c.record(action, &group_name, json!({"system": slug}))?;
            }
            Ok(())
        })
    }

    /// Every group with its members and systems (administrators only).
    pub fn groups(&self, actor: Actor) -> Result<Vec<Group>> {
        self.require_admin(actor)?;
        let mut statement = self.conn.prepare_cached(GROUPS)?;
        let groups = statement
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut out = Vec::new();
        for (id, name) in groups {
            let members = self.strings(GROUP_MEMBERS, id)?;
            let systems = self.strings(GROUP_SYSTEMS, id)?;
            out.push(Group {
                name,
                members,
                systems,
            });
        }
        Ok(out)
    }

    /// The first column of `sql`'s rows, given one id.
    pub(crate) fn strings(&self, sql: &str, id: i64) -> Result<Vec<String>> {
        let mut statement = self.conn.prepare_cached(sql)?;
        let rows = statement.query_map([id], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
    }
}
