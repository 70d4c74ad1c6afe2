//! Who is acting, and the one path every change takes: a write transaction, the acting account
//! re-read inside it and checked for the role the change needs, then the change and its audit
//! event, committed together.
use rusqlite::Connection;

use super::rows::load_account_by_id;
use crate::Authority;
use crate::audit::Change;
use crate::error::{CoreError, Result};
use crate::model::{Account, AccountStatus, Actor, Role};

/// Which accounts may make a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    /// An active administrator.
    Admin,
    /// Any active account, member or administrator.
    Account,
}

impl Need {
    /// The acting account, re-read now, refused unless it is what the change needs.
    pub(crate) fn check(self, conn: &Connection, actor: Actor) -> Result<Account> {
        match self {
            Need::Admin => active_admin(conn, actor),
            Need::Account => active_account(conn, actor),
        }
    }
}

/// The signed-in account, re-read now; refused if it was deactivated meanwhile.
pub(crate) fn active_account(conn: &Connection, actor: Actor) -> Result<Account> {
    let account = load_account_by_id(conn, actor.account_id)?
        .ok_or_else(|| CoreError::Forbidden("your account no longer exists".into()))?;
    if account.status != AccountStatus::Active {
        return Err(CoreError::Forbidden(
            "your account is deactivated; ask an administrator".into(),
        ));
    }
    Ok(account)
}

/// The signed-in account, re-read now; refused unless it is an active administrator.
pub(crate) fn active_admin(conn: &Connection, actor: Actor) -> Result<Account> {
    let account = active_account(conn, actor)?;
    if account.role != Role::Admin {
        return Err(CoreError::Forbidden(
            "only an administrator may do this".into(),
        ));
    }
    Ok(account)
}

impl Authority {
    /// A change made by the account `actor`: in one write transaction ([`Authority::write`]),
    /// the account is checked for `need`, then `body` makes the change and records its event
    /// through the [`Change`] (or records nothing when it changed nothing), as that account.
    pub(crate) fn change<T>(
        &mut self,
        actor: Actor,
        need: Need,
        body: impl FnOnce(&Change<'_>, &Account) -> Result<T>,
    ) -> Result<T> {
        self.write(|tx, now| {
            let me = need.check(tx, actor)?;
            body(&Change::new(tx, now, &me.username), &me)
        })
    }

    /// A change recorded in the name of `actor` with no account to check: the installation
    /// itself (reminders), a sign-in attempt, a backup or restore already checked before it.
    pub(crate) fn change_as<T>(
        &mut self,
        actor: &str,
        body: impl FnOnce(&Change<'_>) -> Result<T>,
    ) -> Result<T> {
        self.write(|tx, now| body(&Change::new(tx, now, actor)))
    }

    /// The acting account, checked to be an active administrator (for reads, and for what a
    /// shell runs on an administrator's word, such as the app's verification service).
    pub fn require_admin(&self, actor: Actor) -> Result<Account> {
        active_admin(&self.conn, actor)
    }

    /// The acting account, checked to be active.
    pub fn whoami(&self, actor: Actor) -> Result<Account> {
        active_account(&self.conn, actor)
    }
}
