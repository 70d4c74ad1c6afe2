//! Accounts: sign-in with its backoff, and what administrators do to accounts.
use rusqlite::{OptionalExtension, params};

use crate::authority::{self, Authority, find_account, load_account_by_name};
use crate::clock::Timestamp;
use crate::error::{CoreError, Result};
use crate::model::{Account, AccountStatus, Actor, Role};
use crate::{audit, password, store, validate};

/// After this many consecutive failures an account is locked until an administrator resets it.
pub const MAX_CONSECUTIVE_FAILURES: i64 = 100;
/// Failures allowed before the backoff starts.
pub const FREE_FAILURES: i64 = 3;
/// The longest timed lock.
pub const MAX_LOCK_SECONDS: i64 = 15 * 60;

/// How long an account with `failures` consecutive failures, the last at `last_failed_at`, stays
/// locked after `now`: `2^(n-3)` seconds from the last failure once n ≥ 3, at most 15 minutes.
pub fn lock_remaining(
    failures: i64,
    last_failed_at: Option<Timestamp>,
    now: Timestamp,
) -> Option<i64> {
    if failures < FREE_FAILURES {
        return None;
    }
    let lock = 1i64
        .checked_shl((failures - FREE_FAILURES).min(62) as u32)
        .unwrap_or(i64::MAX)
        .min(MAX_LOCK_SECONDS);
    let until = last_failed_at.unwrap_or(now).saturating_add(lock);
    (until > now).then_some(until - now)
}

/// A new account as an administrator creates it.
pub struct NewAccount<'a> {
    pub username: &'a str,
    pub display_name: Option<&'a str>,
    pub role: Role,
    pub password: &'a str,
}

impl Authority {
    /// Proves who is acting, for one command: checks the password under the backoff. Failures
    /// are counted and audited; success is not recorded as a sign-in.
    pub fn authenticate(&mut self, username: &str, password: &str) -> Result<Actor> {
        let now = self.now()?;
        let label = validate::shorten(username);
        let row = self
            .conn
            .prepare_cached(
                "SELECT id, password_hash, failed_signins, last_failed_at, status FROM accounts WHERE username_key = ?1",
            )?
            .query_row([validate::username_key(username)], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, Option<i64>>(3)?, r.get::<_, String>(4)?))
            })
            .optional()?;
        let Some((id, stored, failures, last_failed_at, status)) = row else {
            password::spend_equal_time(&self.pepper, password);
            return self.refuse_signin(
                &label,
                serde_json::json!({"reason": "unknown account"}),
                CoreError::WrongCredentials,
            );
        };
        if failures >= MAX_CONSECUTIVE_FAILURES {
            return self.refuse_signin(
                &label,
                serde_json::json!({"reason": "locked until reset"}),
                CoreError::LockedUntilReset,
            );
        }
        if let Some(seconds) = lock_remaining(failures, last_failed_at, now) {
            let details = serde_json::json!({"reason": "locked", "seconds": seconds});
            return self.refuse_signin(&label, details, CoreError::Locked(seconds));
        }
        if !password::matches(&self.pepper, &stored, password)? {
            // The count and its audit event are one transaction.
            let details =
                serde_json::json!({"reason": "wrong password", "consecutive": failures + 1});
            self.write(|tx, now| {
                tx.execute(
                    "UPDATE accounts SET failed_signins = failed_signins + 1, last_failed_at = ?2 WHERE id = ?1",
                    params![id, now],
                )?;
                audit::record(tx, now, &label, "signin.failed", &label, details)
            })?;
            return Err(CoreError::WrongCredentials);
        }
        if status != AccountStatus::Active.as_str() {
            let refusal =
                CoreError::Forbidden("this account is deactivated; ask an administrator".into());
            return self.refuse_signin(
                &label,
                serde_json::json!({"reason": "deactivated"}),
                refusal,
            );
        }
        let upgrade = password::needs_upgrade(&stored)
            .then(|| password::hash(&self.pepper, password))
            .transpose()?;
        if failures > 0 || upgrade.is_some() {
            self.write(|tx, _| {
                tx.execute(
                    "UPDATE accounts SET failed_signins = 0, last_failed_at = NULL, password_hash = coalesce(?2, password_hash) WHERE id = ?1",
                    params![id, upgrade],
                )?;
                Ok(())
            })?;
        }
        Ok(Actor { account_id: id })
    }

    /// Audits a refused sign-in (never the password) and returns the refusal.
    fn refuse_signin(
        &mut self,
        label: &str,
        details: serde_json::Value,
        refusal: CoreError,
    ) -> Result<Actor> {
        self.write(|tx, now| audit::record(tx, now, label, "signin.failed", label, details))?;
        Err(refusal)
    }

    /// A sign-in to the app: authenticates, then records the sign-in time and audits it.
    pub fn sign_in(&mut self, username: &str, password: &str) -> Result<Actor> {
        let actor = self.authenticate(username, password)?;
        self.write(|tx, now| {
            let me = Self::active_account(tx, actor)?;
            tx.execute(
                "UPDATE accounts SET last_signin_at = ?2 WHERE id = ?1",
                params![actor.account_id, now],
            )?;
            audit::record(
                tx,
                now,
                &me.username,
                "signin.succeeded",
                &me.username,
                serde_json::Value::Null,
            )
        })?;
        Ok(actor)
    }

    pub(crate) fn write<T>(
        &mut self,
        body: impl FnOnce(&rusqlite::Transaction<'_>, Timestamp) -> Result<T>,
    ) -> Result<T> {
        let now = self.clock_now();
        store::write(&mut self.conn, now, body)
    }

    pub fn add_account(&mut self, actor: Actor, new: &NewAccount<'_>) -> Result<Account> {
        let username = validate::username(new.username)?;
        let display_name = match new.display_name {
            Some(name) => validate::display_name("the display name", name)?,
            None => username.clone(),
        };
        validate::new_password(new.password)?;
        self.require_admin(actor)?;
        if load_account_by_name(&self.conn, &username)?.is_some() {
            return Err(CoreError::Conflict(format!(
                "an account named {username:?} already exists"
            )));
        }
        let hash = password::hash(&self.pepper, new.password)?;
        self.write(|tx, now| {
            let me = Self::active_admin(tx, actor)?;
            if load_account_by_name(tx, &username)?.is_some() {
                return Err(CoreError::Conflict(format!("an account named {username:?} already exists")));
            }
            tx.execute(
                "INSERT INTO accounts (username, username_key, display_name, role, status, password_hash, created_at)
                 VALUES (?1, ?2, ?3, ?4, 'active', ?5, ?6)",
                params![username, validate::username_key(&username), display_name, new.role.as_str(), hash, now],
            )?;
            audit::record(tx, now, &me.username, "account.created", &username, serde_json::json!({"role": new.role.as_str()}))?;
            find_account(tx, &username)
        })
    }

    /// Every account (administrators only).
    pub fn accounts(&self, actor: Actor) -> Result<Vec<Account>> {
        self.require_admin(actor)?;
        authority::list_accounts(&self.conn)
    }

    pub fn set_role(&mut self, actor: Actor, username: &str, role: Role) -> Result<()> {
        self.write(|tx, now| {
            let me = Self::active_admin(tx, actor)?;
            let target = find_account(tx, username)?;
            if target.role == role {
                return Ok(());
            }
            if target.role == Role::Admin && target.is_active() {
                ensure_another_active_admin(tx, &target)?;
            }
            tx.execute(
                "UPDATE accounts SET role = ?2 WHERE id = ?1",
                params![target.id, role.as_str()],
            )?;
            audit::record(
                tx,
                now,
                &me.username,
                "account.changed",
                &target.username,
                serde_json::json!({"role": role.as_str()}),
            )
        })
    }

    pub fn deactivate(&mut self, actor: Actor, username: &str) -> Result<()> {
        self.write(|tx, now| {
            let me = Self::active_admin(tx, actor)?;
            let target = find_account(tx, username)?;
            if !target.is_active() {
                return Ok(());
            }
            if target.is_admin() {
                ensure_another_active_admin(tx, &target)?;
            }
            tx.execute(
                "UPDATE accounts SET status = 'deactivated' WHERE id = ?1",
                [target.id],
            )?;
            audit::record(
                tx,
                now,
                &me.username,
                "account.deactivated",
                &target.username,
                serde_json::Value::Null,
            )
        })
    }

    pub fn reactivate(&mut self, actor: Actor, username: &str) -> Result<()> {
        self.write(|tx, now| {
            let me = Self::active_admin(tx, actor)?;
            let target = find_account(tx, username)?;
            if target.is_active() {
                return Ok(());
            }
            tx.execute(
                "UPDATE accounts SET status = 'active' WHERE id = ?1",
                [target.id],
            )?;
            audit::record(
                tx,
                now,
                &me.username,
                "account.reactivated",
                &target.username,
                serde_json::Value::Null,
            )
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
        let hash = password::hash(&self.pepper, new_password)?;
        self.write(|tx, now| {
            let me = Self::active_admin(tx, actor)?;
            tx.execute(
                "UPDATE accounts SET password_hash = ?2, failed_signins = 0, last_failed_at = NULL WHERE id = ?1",
                params![target.id, hash],
            )?;
            audit::record(tx, now, &me.username, "account.password_reset", &target.username, serde_json::Value::Null)
        })
    }

    /// The acting account changes its own password (it proved the old one to get `actor`).
    pub fn set_own_password(&mut self, actor: Actor, new_password: &str) -> Result<()> {
        validate::new_password(new_password)?;
        Self::active_account(&self.conn, actor)?;
        let hash = password::hash(&self.pepper, new_password)?;
        self.write(|tx, now| {
            let me = Self::active_account(tx, actor)?;
            tx.execute(
                "UPDATE accounts SET password_hash = ?2 WHERE id = ?1",
                params![me.id, hash],
            )?;
            audit::record(
                tx,
                now,
                &me.username,
                "account.password_changed",
                &me.username,
                serde_json::Value::Null,
            )
        })
    }

    /// Grants or removes "access to all systems" (administrators only).
    pub fn set_access_all(&mut self, actor: Actor, username: &str, access_all: bool) -> Result<()> {
        self.write(|tx, now| {
            let me = Self::active_admin(tx, actor)?;
            let target = find_account(tx, username)?;
            if target.access_all == access_all {
                return Ok(());
            }
            tx.execute(
                "UPDATE accounts SET access_all = ?2 WHERE id = ?1",
                params![target.id, access_all],
            )?;
            audit::record(
                tx,
                now,
                &me.username,
                "account.changed",
                &target.username,
                serde_json::json!({"access_all": access_all}),
            )
        })
    }

    /// Mutes or unmutes expiry reminders for the acting account's own tokens.
    pub fn set_mute_reminders(&mut self, actor: Actor, mute: bool) -> Result<()> {
        self.write(|tx, now| {
            let me = Self::active_account(tx, actor)?;
            if me.mute_reminders == mute {
                return Ok(());
            }
            tx.execute(
                "UPDATE accounts SET mute_reminders = ?2 WHERE id = ?1",
                params![me.id, mute],
            )?;
            audit::record(
                tx,
                now,
                &me.username,
                "account.changed",
                &me.username,
                serde_json::json!({"mute_reminders": mute}),
            )
        })
    }
}

fn ensure_another_active_admin(conn: &rusqlite::Connection, target: &Account) -> Result<()> {
    let others: i64 = conn.query_row(
        "SELECT count(*) FROM accounts WHERE role = 'admin' AND status = 'active' AND id != ?1",
        [target.id],
        |r| r.get(0),
    )?;
    if others == 0 {
        return Err(CoreError::Conflict(format!(
            "{} is the last active administrator; make another account an administrator first",
            target.username
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_third_failure_and_caps_at_fifteen_minutes() {
        assert_eq!(lock_remaining(2, Some(100), 100), None);
        assert_eq!(lock_remaining(3, Some(100), 100), Some(1));
        assert_eq!(lock_remaining(4, Some(100), 100), Some(2));
        assert_eq!(lock_remaining(8, Some(100), 100), Some(32));
        assert_eq!(lock_remaining(13, Some(100), 100), Some(900));
        assert_eq!(lock_remaining(99, Some(100), 100), Some(900));
        assert_eq!(lock_remaining(4, Some(100), 102), None);
    }
}

#[cfg(test)]
mod upgrade_tests {
    use std::sync::Arc;

    use crate::{Authority, InitRequest, KeySource, TestClock, password};

    #[test]
    fn outdated_password_parameters_are_upgraded_at_the_next_sign_in() {
        let dir = tempfile::tempdir().unwrap();
        let request = InitRequest {
            organisation: "Acme",
            admin_username: "root",
            admin_display_name: None,
            admin_password: "admin password that is long",
        };
        let mut authority = Authority::init(
            &dir.path().join("s.db"),
            &KeySource::File(dir.path().join("k")),
            Arc::new(TestClock::at(0)),
            &request,
        )
        .unwrap();
        let weak = password::hash_with(
            &authority.pepper,
            "admin password that is long",
            8 * 1024,
            1,
        );
        authority
            .conn
            .execute("UPDATE accounts SET password_hash = ?1", [&weak])
            .unwrap();
        authority
            .authenticate("root", "admin password that is long")
            .unwrap();
        let stored: String = authority
            .conn
            .query_row("SELECT password_hash FROM accounts", [], |r| r.get(0))
            .unwrap();
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        authority
            .authenticate("root", "admin password that is long")
            .unwrap();
    }
}
