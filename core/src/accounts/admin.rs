//! What administrators do to accounts (create, role, deactivate, reactivate, reset a password,
//! access to all systems), and what an account changes about itself. The last active
//! administrator can be neither demoted nor deactivated.
use rusqlite::{Connection, params};
use serde_json::{Value, json};

use super::acting::{Need, active_account};
use super::password;
use super::rows::{find_account, insert_account, list_accounts, load_account_by_name};
use crate::Authority;
use crate::audit::{AuditAction, Change};
use crate::error::{CoreError, Result};
use crate::model::{Account, Actor, Role};
use crate::validate;

/// From now on the new account's own counter applies; an unknown name's goes.
const FORGET_UNKNOWN_NAME: &str = "DELETE FROM signin_throttle WHERE name_digest = ?1";
const SET_ROLE: &str = "UPDATE accounts SET role = ?2 WHERE id = ?1";
const SET_ACCESS_ALL: &str = "UPDATE accounts SET access_all = ?2 WHERE id = ?1";
const SET_MUTE_REMINDERS: &str = "UPDATE accounts SET mute_reminders = ?2 WHERE id = ?1";
/// Deactivating or reactivating ends the account's open sessions (a new session epoch).
const SET_STATUS: &str =
    "UPDATE accounts SET status = ?2, session_epoch = session_epoch + 1 WHERE id = ?1";
/// A reset also lifts a sign-in lock; like a change of one's own password, it ends every open
/// session of the account.
const RESET_PASSWORD: &str = "
    UPDATE accounts SET password_hash = ?2, failed_signins = 0, last_failed_at = NULL,
                        session_epoch = session_epoch + 1
    WHERE id = ?1";
const SET_OWN_PASSWORD: &str =
    "UPDATE accounts SET password_hash = ?2, session_epoch = session_epoch + 1 WHERE id = ?1";
const OTHER_ACTIVE_ADMINS: &str =
    "SELECT count(*) FROM accounts WHERE role = 'admin' AND status = 'active' AND id != ?1";

/// A new account as an administrator creates it.
pub struct NewAccount<'a> {
    /// Unique, case-insensitively; 1–64 printable characters.
    pub username: &'a str,
    /// Shown in lists; the username when none is given.
    pub display_name: Option<&'a str>,
    /// Administrator or member.
    pub role: Role,
    /// At least 15 characters, at most 1024 bytes.
    pub password: &'a str,
}

impl Authority {
    /// Creates an account (administrators only).
    pub fn add_account(&mut self, actor: Actor, new: &NewAccount<'_>) -> Result<Account> {
        let username = validate::username(new.username)?;
        let display_name = match new.display_name {
            Some(name) => validate::display_name("the display name", name)?,
            None => username.clone(),
        };
        validate::new_password(new.password)?;
        self.require_admin(actor)?;
        let taken = || CoreError::Conflict(format!("an account named {username:?} already exists"));
        if load_account_by_name(&self.conn, &username)?.is_some() {
            return Err(taken());
        }
        let hash = password::hash(&self.pepper, new.password)?;
        let digest = self
            .signin_key
            .name_digest(&validate::username_key(&username));
        self.change(actor, Need::Admin, |c, _| {
            if load_account_by_name(c.tx, &username)?.is_some() {
                return Err(taken());
            }
            insert_account(c.tx, &username, &display_name, new.role, &hash, c.now)?;
            c.tx.execute(FORGET_UNKNOWN_NAME, [&digest[..]])?;
            let details = json!({"role": new.role.as_str()});
            c.record(AuditAction::AccountCreated, &username, details)?;
            find_account(c.tx, &username)
        })
    }

    /// A password hash of a random secret that is forgotten at once: what a service account has
    /// instead of a password, so a sign-in as one fails exactly as a wrong password does.
    pub(crate) fn unusable_password_hash(&self) -> Result<String> {
        let mut secret = [0u8; 32];
        crate::keys::random::fill_for_store(&mut secret)?;
        let text = zeroize::Zeroizing::new(crate::keys::hex(&secret));
        let hash = password::hash(&self.pepper, &text);
        zeroize::Zeroize::zeroize(&mut secret);
        hash
    }

    /// Every account (administrators only).
    pub fn accounts(&self, actor: Actor) -> Result<Vec<Account>> {
        self.require_admin(actor)?;
        list_accounts(&self.conn)
    }

    /// Makes an account an administrator or a member (administrators only); the last active
    /// administrator cannot be demoted.
    pub fn set_role(&mut self, actor: Actor, username: &str, role: Role) -> Result<()> {
        self.change(actor, Need::Admin, |c, _| {
            let target = find_account(c.tx, username)?;
            if target.role == role {
                return Ok(());
            }
            if target.is_service() && role == Role::Admin {
                return Err(CoreError::Invalid(format!(
                    "{} is a service account; a service account cannot be an administrator",
                    target.username
                )));
            }
            if target.role == Role::Admin && target.is_active() {
                ensure_another_active_admin(c.tx, &target)?;
            }
            c.tx.execute(SET_ROLE, params![target.id, role.as_str()])?;
            let details = json!({"role": role.as_str()});
            c.record(AuditAction::AccountChanged, &target.username, details)
        })
    }

    /// Deactivates an account (administrators only): it cannot sign in and its tokens fail at
    /// once. The last active administrator cannot be deactivated.
    pub fn deactivate(&mut self, actor: Actor, username: &str) -> Result<()> {
        self.change(actor, Need::Admin, |c, _| {
            let target = find_account(c.tx, username)?;
            deactivate_in(c, &target)
        })
    }

    /// Reactivates an account (administrators only): its tokens work again if otherwise valid.
    pub fn reactivate(&mut self, actor: Actor, username: &str) -> Result<()> {
        self.change(actor, Need::Admin, |c, _| {
            let target = find_account(c.tx, username)?;
            if target.is_active() {
                return Ok(());
            }
            set_status(c, &target, "active", AuditAction::AccountReactivated)
        })
    }

    /// An administrator sets another account's password; this also lifts a sign-in lock.
    pub fn reset_password(
        &mut self,
        actor: Actor,
        username: &str,
        new_password: &str,
    ) -> Result<()> {
        validate::new_password(new_password)?;
        self.require_admin(actor)?;
        let target = find_account(&self.conn, username)?;
        if target.is_service() {
            return Err(CoreError::Invalid(format!(
                "{} is a service account; it has no password and never signs in",
                target.username
            )));
        }
        let hash = password::hash(&self.pepper, new_password)?;
        self.change(actor, Need::Admin, |c, _| {
            c.tx.execute(RESET_PASSWORD, params![target.id, hash])?;
            c.record(
                AuditAction::AccountPasswordReset,
                &target.username,
                Value::Null,
            )
        })
    }

    /// The acting account changes its own password (it proved the old one to get `actor`).
    pub fn set_own_password(&mut self, actor: Actor, new_password: &str) -> Result<()> {
        validate::new_password(new_password)?;
        active_account(&self.conn, actor)?;
        let hash = password::hash(&self.pepper, new_password)?;
        self.change(actor, Need::Account, |c, me| {
            c.tx.execute(SET_OWN_PASSWORD, params![me.id, hash])?;
            c.record(
                AuditAction::AccountPasswordChanged,
                &me.username,
                Value::Null,
            )
        })
    }

    /// Grants or removes "access to all systems" (administrators only).
    pub fn set_access_all(&mut self, actor: Actor, username: &str, access_all: bool) -> Result<()> {
        self.change(actor, Need::Admin, |c, _| {
            let target = find_account(c.tx, username)?;
            if target.access_all == access_all {
                return Ok(());
            }
            c.tx.execute(SET_ACCESS_ALL, params![target.id, access_all])?;
            let details = json!({"access_all": access_all});
            c.record(AuditAction::AccountChanged, &target.username, details)
        })
    }

    /// Mutes or unmutes expiry reminders for the acting account's own tokens.
    pub fn set_mute_reminders(&mut self, actor: Actor, mute: bool) -> Result<()> {
        self.change(actor, Need::Account, |c, me| {
            if me.mute_reminders == mute {
                return Ok(());
            }
            c.tx.execute(SET_MUTE_REMINDERS, params![me.id, mute])?;
            let details = json!({"mute_reminders": mute});
            c.record(AuditAction::AccountChanged, &me.username, details)
        })
    }
}

/// Deactivates `target` inside an administrator's change (nothing when it already is); the last
/// active administrator cannot be deactivated.
pub(crate) fn deactivate_in(c: &Change<'_>, target: &Account) -> Result<()> {
    if !target.is_active() {
        return Ok(());
    }
    if target.is_admin() {
        ensure_another_active_admin(c.tx, target)?;
    }
    set_status(c, target, "deactivated", AuditAction::AccountDeactivated)
}

/// Sets an account's status, which ends its open sessions, and records `action`.
fn set_status(c: &Change<'_>, target: &Account, status: &str, action: AuditAction) -> Result<()> {
    c.tx.execute(SET_STATUS, params![target.id, status])?;
    c.record(action, &target.username, Value::Null)
}

fn ensure_another_active_admin(conn: &Connection, target: &Account) -> Result<()> {
    let others: i64 = conn.query_row(OTHER_ACTIVE_ADMINS, [target.id], |r| r.get(0))?;
    if others == 0 {
        return Err(CoreError::Conflict(format!(
            "{} is the last active administrator; make another account an administrator first",
            target.username
        )));
    }
    Ok(())
}
