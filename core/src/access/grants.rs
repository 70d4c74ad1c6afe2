//! Direct grants of a system to an account; granting an existing grant or removing a missing one
//! changes nothing and records nothing.
use rusqlite::params;
use serde_json::json;

use super::systems::find_system;
use crate::Authority;
use crate::accounts::{Need, find_account};
use crate::audit::AuditAction;
use crate::error::Result;
use crate::model::Actor;

const ADD_GRANT: &str =
    "INSERT OR IGNORE INTO account_grants (account_id, system_id) VALUES (?1, ?2)";
const REMOVE_GRANT: &str = "DELETE FROM account_grants WHERE account_id = ?1 AND system_id = ?2";

impl Authority {
    /// Grants an account access to a system; granting an existing grant changes nothing.
    pub fn grant(&mut self, actor: Actor, username: &str, slug: &str) -> Result<()> {
        self.set_grant(actor, username, slug, true)
    }

    /// Removes a direct grant; every token of that account loses the system at once.
    pub fn ungrant(&mut self, actor: Actor, username: &str, slug: &str) -> Result<()> {
        self.set_grant(actor, username, slug, false)
    }

    /// Adds or removes a direct grant (administrators only), recording it when it changed.
    fn set_grant(&mut self, actor: Actor, username: &str, slug: &str, granted: bool) -> Result<()> {
        let (sql, action) = match granted {
            true => (ADD_GRANT, AuditAction::GrantAdded),
            false => (REMOVE_GRANT, AuditAction::GrantRemoved),
        };
        self.change(actor, Need::Admin, |c, _| {
            let target = find_account(c.tx, username)?;
            let system = find_system(c.tx, slug)?;
            if c.tx.execute(sql, params![target.id, system])? > 0 {
                c.record(action, &target.username, json!({"system": slug}))?;
            }
            Ok(())
        })
    }
}
