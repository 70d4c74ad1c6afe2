//! Service accounts: accounts for a pipeline or a service, not a person. Nobody has their
//! password (it is a random secret hashed and forgotten at creation), so they never sign in; a
//! group manages them, and its active members create, rotate and revoke their tokens and get
//! their reminders. Their access comes from grants like any account's.
use rusqlite::{Connection, params};
use serde_json::json;

use super::groups::find_group;
use crate::Authority;
use crate::accounts::{Need, active_account, find_account, insert_account, load_account_by_name};
use crate::audit::AuditAction;
use crate::error::{CoreError, Result};
use crate::model::{Account, AccountKind, Actor, Role};
use crate::validate;

const MARK_SERVICE: &str = "UPDATE accounts SET kind = 'service', managed_by = ?2 WHERE id = ?1";
const SET_MANAGING_GROUP: &str = "UPDATE accounts SET managed_by = ?2 WHERE id = ?1";
/// Whether account ?2 is a member of the group that manages service account ?1.
const MANAGES: &str = "
    SELECT EXISTS (SELECT 1 FROM accounts s JOIN group_members m ON m.group_id = s.managed_by
                   WHERE s.id = ?1 AND s.kind = 'service' AND m.account_id = ?2)";
/// The service accounts account ?1 manages (every one when ?1 is null).
const MANAGED: &str = "
    SELECT s.username FROM accounts s
    WHERE s.kind = 'service' AND (?1 IS NULL OR EXISTS (
        SELECT 1 FROM group_members m WHERE m.group_id = s.managed_by AND m.account_id = ?1))
    ORDER BY s.username_key";

/// A service account as an administrator creates it.
#[derive(Debug, Clone)]
pub struct NewServiceAccount<'a> {
    /// Unique among all accounts, case-insensitively; 1–64 printable characters.
    pub username: &'a str,
    /// Shown in lists; the username when none is given.
    pub display_name: Option<&'a str>,
    /// The group whose members manage its tokens.
    pub managed_by: &'a str,
}

/// Whether `me` may manage the tokens of `owner` as a member of its managing group (an active
/// service account managed by a group `me` belongs to). Administrators are not managers by
/// their role: they revoke any token, and obtain a secret only as members of the group.
pub(crate) fn manages(conn: &Connection, me: &Account, owner: &Account) -> Result<bool> {
    if !owner.is_service() || !me.is_active() {
        return Ok(false);
    }
    Ok(conn
        .prepare_cached(MANAGES)?
        .query_row(params![owner.id, me.id], |r| r.get(0))?)
}

impl Authority {
    /// Creates a service account managed by `managed_by` (administrators only). It has no
    /// password anyone knows and can never sign in.
    pub fn add_service_account(
        &mut self,
        actor: Actor,
        new: &NewServiceAccount<'_>,
    ) -> Result<Account> {
        let username = validate::username(new.username)?;
        let display_name = match new.display_name {
            Some(name) => validate::display_name("the display name", name)?,
            None => username.clone(),
        };
        self.require_admin(actor)?;
        let taken = || CoreError::Conflict(format!("an account named {username:?} already exists"));
        if load_account_by_name(&self.conn, &username)?.is_some() {
            return Err(taken());
        }
        // A password nobody is given: sign-in fails exactly as a wrong password does.
        let unusable = self.unusable_password_hash()?;
        self.change(actor, Need::Admin, |c, _| {
            if load_account_by_name(c.tx, &username)?.is_some() {
                return Err(taken());
            }
            let (group_id, group_name) = find_group(c.tx, new.managed_by)?;
            insert_account(
                c.tx,
                &username,
                &display_name,
                Role::Member,
                &unusable,
                c.now,
            )?;
            let account = find_account(c.tx, &username)?;
            c.tx.execute(MARK_SERVICE, params![account.id, group_id])?;
            let details = json!({
                "role": Role::Member.as_str(), "kind": AccountKind::Service.as_str(),
                "managed_by": group_name,
            });
            c.record(AuditAction::AccountCreated, &username, details)?;
            find_account(c.tx, &username)
        })
    }

    /// Gives a service account another managing group (administrators only).
    pub fn set_managing_group(&mut self, actor: Actor, username: &str, group: &str) -> Result<()> {
        self.change(actor, Need::Admin, |c, _| {
            let target = find_account(c.tx, username)?;
            if !target.is_service() {
                return Err(CoreError::Invalid(format!(
                    "{} is a person's account; only a service account has a managing group",
                    target.username
                )));
            }
            let (group_id, group_name) = find_group(c.tx, group)?;
            if target.managed_by.as_deref() == Some(group_name.as_str()) {
                return Ok(());
            }
            c.tx.execute(SET_MANAGING_GROUP, params![target.id, group_id])?;
            let details = json!({"managed_by": group_name, "previously": target.managed_by});
            c.record(AuditAction::AccountChanged, &target.username, details)
        })
    }

    /// [`service_accounts`](Self::service_accounts), each with whether the actor is a member
    /// of its managing group (and so may obtain its tokens' secrets: an administrator sees every
    /// service account but creates and rotates only those).
    pub fn service_accounts_managed(&self, actor: Actor) -> Result<Vec<(Account, bool)>> {
        let me = active_account(&self.conn, actor)?;
        self.service_accounts(actor)?
            .into_iter()
            .map(|account| {
                let managed = manages(&self.conn, &me, &account)?;
                Ok((account, managed))
            })
            .collect()
    }

    /// The service accounts whose tokens the actor manages (administrators: every service
    /// account, since they see every token).
    pub fn service_accounts(&self, actor: Actor) -> Result<Vec<Account>> {
        let me = active_account(&self.conn, actor)?;
        let filter = (!me.is_admin()).then_some(me.id);
        let mut statement = self.conn.prepare_cached(MANAGED)?;
        let names = statement
            .query_map([filter], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        names
            .iter()
            .map(|name| find_account(&self.conn, name))
            .collect()
    }
}
