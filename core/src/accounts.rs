//! Accounts: sign-in with its backoff, and what administrators do to accounts.
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use rusqlite::{OptionalExtension, params};
use sha2::Sha256;

use crate::authority::{self, Authority, find_account, load_account_by_name};
use crate::clock::Timestamp;
use crate::error::{CoreError, Result};
use crate::model::{Account, AccountStatus, Actor, Role};
use crate::secret::KeyBytes;
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

/// How an unknown username is recorded in the audit log (as actor and target): never the typed
/// text, since people type passwords into the username field.
pub const UNKNOWN_USERNAME: &str = "(unknown)";

/// How long failures are remembered after the last one, unless they reached
/// [`MAX_CONSECUTIVE_FAILURES`]: an unknown name's counter is pruned then and an account's lapses,
/// so the two never tell apart.
pub const UNKNOWN_NAME_RETENTION_SECONDS: i64 = 24 * 60 * 60;

/// Attempts still in flight this long after the latest of them began were never answered (their
/// process died): they count as failures.
pub const IN_FLIGHT_STALE_SECONDS: i64 = 60;

/// How long an attempt waits for attempts in flight before counting them as failures itself.
const IN_FLIGHT_WAIT: Duration = Duration::from_secs(10);
/// How often a waiting attempt looks again.
const IN_FLIGHT_POLL: Duration = Duration::from_millis(20);

/// Whose failure counter a sign-in attempt moves.
enum Subject {
    Account {
        id: i64,
        username: String,
        stored_hash: String,
        active: bool,
    },
    /// A name no account has.
    Unknown,
}

/// Answered failures and the last one's time, as the gate reads them.
#[derive(Default)]
struct Counter {
    failures: i64,
    last_failed_at: Option<Timestamp>,
}

impl Subject {
    /// What the audit log records as actor and target.
    fn label(&self) -> &str {
        match self {
            Subject::Account { username, .. } => username,
            Subject::Unknown => UNKNOWN_USERNAME,
        }
    }

    /// The account named by `username_key`, else the unknown name's counter (after pruning the
    /// old ones that lock nothing any more, when `prune`: that keeps the table bounded).
    fn read(
        tx: &rusqlite::Connection,
        now: Timestamp,
        username_key: &str,
        digest: &[u8; 32],
        prune: bool,
    ) -> Result<(Subject, Counter)> {
        let account = tx
            .prepare_cached(
                "SELECT id, username, password_hash, status, failed_signins, last_failed_at
                 FROM accounts WHERE username_key = ?1",
            )?
            .query_row([username_key], |r| {
                let subject = Subject::Account {
                    id: r.get(0)?,
                    username: r.get(1)?,
                    stored_hash: r.get(2)?,
                    active: r.get::<_, String>(3)? == AccountStatus::Active.as_str(),
                };
                let counter = Counter {
                    failures: r.get(4)?,
                    last_failed_at: r.get(5)?,
                };
                Ok((subject, counter))
            })
            .optional()?;
        if let Some((subject, counter)) = account {
            // Failures below the permanent lock lapse after a quiet day, as an unknown name's
            // counter is pruned then: the two must never behave differently (no enumeration).
            let lapsed = counter.failures < MAX_CONSECUTIVE_FAILURES
                && counter
                    .last_failed_at
                    .is_some_and(|at| at < now.saturating_sub(UNKNOWN_NAME_RETENTION_SECONDS));
            return Ok((subject, if lapsed { Counter::default() } else { counter }));
        }
        if prune {
            // The literal 100 (MAX_CONSECUTIVE_FAILURES) matches the partial index.
            tx.prepare_cached(
                "DELETE FROM signin_throttle WHERE failures < 100 AND last_failed_at < ?1",
            )?
            .execute([now.saturating_sub(UNKNOWN_NAME_RETENTION_SECONDS)])?;
        }
        let counter = tx
            .prepare_cached(
                "SELECT failures, last_failed_at FROM signin_throttle WHERE name_digest = ?1",
            )?
            .query_row([&digest[..]], |r| {
                Ok(Counter {
                    failures: r.get(0)?,
                    last_failed_at: r.get(1)?,
                })
            })
            .optional()?
            .unwrap_or_default();
        Ok((Subject::Unknown, counter))
    }

    /// Writes back a counter that took in attempts left unanswered.
    fn settle(
        &self,
        tx: &rusqlite::Connection,
        digest: &[u8; 32],
        counter: &Counter,
        now: Timestamp,
    ) -> Result<()> {
        let last_failed_at = counter.last_failed_at.unwrap_or(now);
        match self {
            Subject::Account { id, .. } => tx
                .prepare_cached(
                    "UPDATE accounts SET failed_signins = ?2, last_failed_at = ?3 WHERE id = ?1",
                )?
                .execute(params![id, counter.failures, last_failed_at])?,
            Subject::Unknown => tx
                .prepare_cached(
                    "INSERT INTO signin_throttle (name_digest, failures, last_failed_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT (name_digest) DO UPDATE SET failures = ?2, last_failed_at = ?3",
                )?
                .execute(params![&digest[..], counter.failures, last_failed_at])?,
        };
        Ok(())
    }

    /// A wrong password answered at `now`: one failure more (at most 100). Returns the
    /// consecutive failures.
    fn fail(&self, tx: &rusqlite::Connection, digest: &[u8; 32], now: Timestamp) -> Result<i64> {
        Ok(match self {
            Subject::Account { id, .. } => tx
                .prepare_cached(
                    "UPDATE accounts SET failed_signins = CASE
                         WHEN failed_signins < 100 AND last_failed_at < ?3 THEN 1
                         ELSE min(failed_signins + 1, 100) END,
                       last_failed_at = max(coalesce(last_failed_at, ?2), ?2)
                     WHERE id = ?1 RETURNING failed_signins",
                )?
                .query_row(
                    params![
                        id,
                        now,
                        now.saturating_sub(UNKNOWN_NAME_RETENTION_SECONDS)
                    ],
                    |r| r.get(0),
                )?,
            Subject::Unknown => tx
                .prepare_cached(
                    "INSERT INTO signin_throttle (name_digest, failures, last_failed_at) VALUES (?1, 1, ?2)
                     ON CONFLICT (name_digest) DO UPDATE SET failures = CASE
                         WHEN failures < 100 AND last_failed_at < ?3 THEN 1
                         ELSE min(failures + 1, 100) END,
                       last_failed_at = max(last_failed_at, ?2)
                     RETURNING failures",
                )?
                .query_row(
                    params![
                        &digest[..],
                        now,
                        now.saturating_sub(UNKNOWN_NAME_RETENTION_SECONDS)
                    ],
                    |r| r.get(0),
                )?,
        })
    }
}

/// The attempts in flight for a name, and when the latest began.
fn in_flight(tx: &rusqlite::Connection, digest: &[u8; 32]) -> Result<Option<(i64, Timestamp)>> {
    Ok(tx
        .prepare_cached("SELECT attempts, since FROM signins_in_flight WHERE name_digest = ?1")?
        .query_row([&digest[..]], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// One more attempt in flight, begun `now`.
fn take_off(tx: &rusqlite::Connection, digest: &[u8; 32], now: Timestamp) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO signins_in_flight (name_digest, attempts, since) VALUES (?1, 1, ?2)
         ON CONFLICT (name_digest) DO UPDATE SET attempts = attempts + 1, since = ?2",
    )?
    .execute(params![&digest[..], now])?;
    Ok(())
}

/// One attempt fewer in flight (answered); the last one takes the row with it.
fn land(tx: &rusqlite::Connection, digest: &[u8; 32]) -> Result<()> {
    tx.prepare_cached(
        "UPDATE signins_in_flight SET attempts = attempts - 1 WHERE name_digest = ?1",
    )?
    .execute([&digest[..]])?;
    tx.prepare_cached("DELETE FROM signins_in_flight WHERE name_digest = ?1 AND attempts <= 0")?
        .execute([&digest[..]])?;
    Ok(())
}

/// How the first transaction of a sign-in runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Without a sync of its own; a lock found is decided again durably.
    Relaxed,
    /// A durable commit that audits a refusal.
    Durable,
    /// The store cannot be written (read-only, or a full disk): the lock is checked and nothing
    /// is counted or audited, as no failure could be either.
    ReadOnly,
}

/// What the first transaction of a sign-in decided.
enum Gate {
    /// Counted in flight (unless the store is read-only): check the password.
    Admitted(Subject),
    /// Others are in flight and, should they fail, this one would meet a lock: ask again when
    /// they are answered.
    Wait,
    /// Locked, seen in a relaxed transaction: decide again in a durable one that audits it.
    Locked,
    /// Locked (and audited unless the store is read-only).
    Refused(CoreError),
}

/// A password that matched an account; its attempt is still in flight.
struct Checked {
    id: i64,
    digest: [u8; 32],
    /// False on a store that cannot be written: nothing was counted, nothing is reset.
    counted: bool,
    /// The hash that matched, and its replacement at today's parameters when it was weaker.
    stored_hash: String,
    upgrade: Option<String>,
}

/// HMAC-SHA256 of a normalised username under the sign-in sub-key.
fn name_digest(key: &KeyBytes, username_key: &str) -> [u8; 32] {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(&key.0).expect("HMAC takes keys of any length");
    mac.update(username_key.as_bytes());
    mac.finalize().into_bytes().into()
}

/// Ends a successful check: the attempt lands, failures go back to zero and outdated parameters
/// are upgraded (unless the password was changed meanwhile). A row with nothing to change is not
/// written.
fn reset_failures(tx: &rusqlite::Connection, checked: &Checked) -> Result<()> {
    land(tx, &checked.digest)?;
    tx.prepare_cached(
        "UPDATE accounts SET failed_signins = 0, last_failed_at = NULL,
           password_hash = CASE WHEN password_hash = ?3 THEN coalesce(?2, password_hash) ELSE password_hash END
         WHERE id = ?1
           AND (failed_signins != 0 OR last_failed_at IS NOT NULL OR (?2 IS NOT NULL AND password_hash = ?3))",
    )?
    .execute(params![checked.id, checked.upgrade, checked.stored_hash])?;
    Ok(())
}

/// `Some(upgrade)` when the password matches (`upgrade` is the hash at today's parameters when
/// the stored one is weaker), `None` when it does not.
fn check_hash(pepper: &KeyBytes, stored: &str, password: &str) -> Result<Option<Option<String>>> {
    if !password::matches(pepper, stored, password)? {
        return Ok(None);
    }
    let upgrade = password::needs_upgrade(stored)
        .then(|| password::hash(pepper, password))
        .transpose()?;
    Ok(Some(upgrade))
}

impl Authority {
    /// Proves who is acting, for one command: checks the password under the backoff. Failures
    /// are counted and audited; success is not recorded as a sign-in, and a sign-in that
    /// changes nothing leaves the store as it was.
    ///
    /// The lock check and the count of the attempt are one write transaction before the password
    /// is hashed (SPEC §2 "Sign-in throttling"): an attempt counts as in flight until answered,
    /// and one that would meet a lock should those in flight fail waits for their answer (one
    /// hash) rather than being checked beside them. So after 3 failures at most one of many
    /// parallel attempts is checked and the others are refused as locked, while parallel right
    /// passwords all get in. Unknown usernames meet the same backoff and the same answers.
    pub fn authenticate(&mut self, username: &str, password: &str) -> Result<Actor> {
        let checked = self.check_password(username, password)?;
        if checked.counted {
            // Bookkeeping whose loss in a power cut leaves at most this attempt to count as a
            // failure: committed without a sync of its own.
            self.write_relaxed(|tx, _| reset_failures(tx, &checked))?;
        }
        Ok(Actor {
            account_id: checked.id,
        })
    }

    /// The backoff, the password check and the audit of a failure; the caller ends a success
    /// with `reset_failures`.
    fn check_password(&mut self, username: &str, password: &str) -> Result<Checked> {
        let username_key = validate::username_key(username);
        let digest = name_digest(&self.signin_key, &username_key);
        let started = Instant::now();
        let mut mode = Mode::Relaxed;
        let subject = loop {
            // Attempts that stay in flight past the wait are counted as failures.
            let settle = started.elapsed() >= IN_FLIGHT_WAIT;
            let gate = |tx: &rusqlite::Transaction<'_>, now| {
                Self::gate(tx, now, &username_key, &digest, mode, settle)
            };
            // Counting an attempt in flight needs no sync of its own: a wrong password's audit
            // (a durable commit) syncs it before the answer, and a refusal is decided durably.
            let gate = match mode {
                Mode::Relaxed => self.write_relaxed(gate),
                Mode::Durable => self.write(gate),
                Mode::ReadOnly => {
                    let now = self.now()?;
                    // A read transaction, rolled back: the gate writes nothing in this mode.
                    let tx = self.conn.transaction()?;
                    gate(&tx, now)
                }
            };
            match gate {
                Ok(Gate::Admitted(subject)) => break subject,
                Ok(Gate::Refused(refusal)) => return Err(refusal),
                Ok(Gate::Locked) => mode = Mode::Durable,
                Ok(Gate::Wait) => {
                    mode = Mode::Relaxed;
                    std::thread::sleep(IN_FLIGHT_POLL);
                }
                Err(CoreError::ReadOnly | CoreError::DiskFull) if mode != Mode::ReadOnly => {
                    mode = Mode::ReadOnly;
                }
                Err(error) => return Err(error),
            }
        };
        let counted = mode != Mode::ReadOnly;
        let checked = match &subject {
            Subject::Unknown => {
                password::spend_equal_time(&self.pepper, password);
                None
            }
            Subject::Account {
                id, stored_hash, ..
            } => match check_hash(&self.pepper, stored_hash, password) {
                Ok(matched) => matched.map(|upgrade| Checked {
                    id: *id,
                    digest,
                    counted,
                    stored_hash: stored_hash.clone(),
                    upgrade,
                }),
                Err(error) => {
                    if counted {
                        let _ = self.write_relaxed(|tx, _| land(tx, &digest));
                    }
                    return Err(error);
                }
            },
        };
        let Some(checked) = checked else {
            let reason = match subject {
                Subject::Account { .. } => "wrong password",
                Subject::Unknown => "unknown account",
            };
            let label = subject.label();
            self.write(|tx, now| {
                if counted {
                    land(tx, &digest)?;
                }
                let consecutive = subject.fail(tx, &digest, now)?;
                let details = serde_json::json!({"reason": reason, "consecutive": consecutive});
                audit::record(tx, now, label, "signin.failed", label, details)
            })?;
            return Err(CoreError::WrongCredentials);
        };
        if matches!(subject, Subject::Account { active: false, .. }) {
            // The password was right: the count goes back, and the refusal is audited.
            let label = subject.label();
            self.write(|tx, now| {
                if checked.counted {
                    reset_failures(tx, &checked)?;
                }
                let details = serde_json::json!({"reason": "deactivated"});
                audit::record(tx, now, label, "signin.failed", label, details)
            })?;
            return Err(CoreError::Forbidden(
                "this account is deactivated; ask an administrator".into(),
            ));
        }
        Ok(checked)
    }

    /// The first transaction of a sign-in. Counts attempts left in flight too long as failures
    /// (all of them when `settle`); refuses a locked name (auditing it in `Durable` mode, asking
    /// for that mode in `Relaxed` mode); asks to wait while attempts in flight could still lock
    /// it; else counts this attempt in flight. Writes nothing in `ReadOnly` mode.
    fn gate(
        tx: &rusqlite::Transaction<'_>,
        now: Timestamp,
        username_key: &str,
        digest: &[u8; 32],
        mode: Mode,
        settle: bool,
    ) -> Result<Gate> {
        let writes = mode != Mode::ReadOnly;
        let (subject, mut counter) = Subject::read(tx, now, username_key, digest, writes)?;
        let mut attempts = 0;
        if let Some((count, since)) = in_flight(tx, digest)? {
            if settle || !writes || now.saturating_sub(since) >= IN_FLIGHT_STALE_SECONDS {
                counter.failures = (counter.failures + count).min(MAX_CONSECUTIVE_FAILURES);
                counter.last_failed_at = counter.last_failed_at.max(Some(since));
                if writes {
                    subject.settle(tx, digest, &counter, now)?;
                    tx.prepare_cached("DELETE FROM signins_in_flight WHERE name_digest = ?1")?
                        .execute([&digest[..]])?;
                }
            } else {
                attempts = count;
            }
        }
        let lock = if counter.failures >= MAX_CONSECUTIVE_FAILURES {
            Some((
                CoreError::LockedUntilReset,
                serde_json::json!({"reason": "locked until reset", "consecutive": counter.failures}),
            ))
        } else {
            lock_remaining(counter.failures, counter.last_failed_at, now).map(|seconds| {
                (
                    CoreError::Locked(seconds),
                    serde_json::json!({"reason": "locked", "seconds": seconds, "consecutive": counter.failures}),
                )
            })
        };
        if let Some((refusal, details)) = lock {
            match mode {
                Mode::Relaxed => return Ok(Gate::Locked),
                Mode::Durable => {
                    let label = subject.label();
                    audit::record(tx, now, label, "signin.failed", label, details)?;
                }
                Mode::ReadOnly => {}
            }
            return Ok(Gate::Refused(refusal));
        }
        if attempts > 0 && counter.failures + attempts >= FREE_FAILURES {
            return Ok(Gate::Wait);
        }
        if writes {
            take_off(tx, digest, now)?;
        }
        Ok(Gate::Admitted(subject))
    }

    /// A sign-in to the app: authenticates, then records the sign-in time and audits it, in the
    /// transaction that resets the failure count.
    pub fn sign_in(&mut self, username: &str, password: &str) -> Result<Actor> {
        let checked = self.check_password(username, password)?;
        let actor = Actor {
            account_id: checked.id,
        };
        self.write(|tx, now| {
            if checked.counted {
                reset_failures(tx, &checked)?;
            }
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

    /// A write without a sync of its own that leaves the watermark (`store::write_relaxed`).
    fn write_relaxed<T>(
        &mut self,
        body: impl FnOnce(&rusqlite::Transaction<'_>, Timestamp) -> Result<T>,
    ) -> Result<T> {
        let now = self.clock_now();
        store::write_relaxed(&mut self.conn, now, body)
    }

    /// The account's session epoch: a number that changes, in the same transaction, whenever its
    /// password is changed or reset or it is deactivated or reactivated. The app keeps the epoch
    /// it read right after the sign-in and compares it before each call; a different one (or an
    /// error) means the session has ended and the password must be entered again. One read by
    /// primary key.
    pub fn session_epoch(&self, actor: Actor) -> Result<i64> {
        self.conn
            .prepare_cached("SELECT session_epoch FROM accounts WHERE id = ?1")?
            .query_row([actor.account_id], |r| r.get(0))
            .optional()?
            .ok_or_else(|| CoreError::Forbidden("your account no longer exists".into()))
    }

    /// A write transaction (`store::write`). Denials waiting to be audited are written first, in
    /// the same transaction, so the log keeps its order; they wait again if it does not commit.
    pub(crate) fn write<T>(
        &mut self,
        body: impl FnOnce(&rusqlite::Transaction<'_>, Timestamp) -> Result<T>,
    ) -> Result<T> {
        let now = self.clock_now();
        let denials = self.audit.take_pending();
        let written = store::write(&mut self.conn, now, |tx, now| {
            denials.write(tx)?;
            body(tx, now)
        });
        self.audit.settle(denials, written.is_ok());
        written
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
        let digest = name_digest(&self.signin_key, &validate::username_key(&username));
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
            // From now on the account's own counter applies; an unknown name's goes.
            tx.execute(
                "DELETE FROM signin_throttle WHERE name_digest = ?1",
                [&digest[..]],
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
                "UPDATE accounts SET status = 'deactivated', session_epoch = session_epoch + 1 WHERE id = ?1",
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
                "UPDATE accounts SET status = 'active', session_epoch = session_epoch + 1 WHERE id = ?1",
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
                "UPDATE accounts SET password_hash = ?2, failed_signins = 0, last_failed_at = NULL, session_epoch = session_epoch + 1 WHERE id = ?1",
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
                "UPDATE accounts SET password_hash = ?2, session_epoch = session_epoch + 1 WHERE id = ?1",
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

/// A new store in `dir` with the administrator `root`, for this file's unit tests.
#[cfg(test)]
fn init_test_store(dir: &std::path::Path, clock: std::sync::Arc<dyn crate::Clock>) -> Authority {
    let request = crate::InitRequest {
        organisation: "Acme",
        admin_username: "root",
        admin_display_name: None,
        admin_password: "admin password that is long",
    };
    Authority::init(
        &dir.join("s.db"),
        &crate::KeySource::File(dir.join("k")),
        clock,
        &request,
    )
    .unwrap()
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
mod in_flight_tests {
    use std::sync::Arc;

    use super::{in_flight, name_digest};
    use crate::{Authority, CoreError, NewAccount, Role, TestClock, validate};

    const START: i64 = 1_767_225_600;
    const PASSWORD: &str = "member password that is long";

    fn store() -> (tempfile::TempDir, TestClock, Authority) {
        let dir = tempfile::tempdir().unwrap();
        let clock = TestClock::at(START);
        let mut authority = super::init_test_store(dir.path(), Arc::new(clock.clone()));
        let admin = authority
            .authenticate("root", "admin password that is long")
            .unwrap();
        let bob = NewAccount {
            username: "bob",
            display_name: None,
            role: Role::Member,
            password: PASSWORD,
        };
        authority.add_account(admin, &bob).unwrap();
        (dir, clock, authority)
    }

    /// Leaves `attempts` sign-ins of bob in flight, the latest begun at `since`, as processes
    /// that died while hashing would.
    fn die_in_flight(authority: &Authority, attempts: i64, since: i64) {
        let digest = name_digest(&authority.signin_key, &validate::username_key("bob"));
        authority
            .conn
            .execute(
                "INSERT INTO signins_in_flight (name_digest, attempts, since) VALUES (?1, ?2, ?3)",
                rusqlite::params![&digest[..], attempts, since],
            )
            .unwrap();
    }

    fn bob(authority: &Authority) -> (i64, Option<(i64, i64)>) {
        let failures = authority
            .conn
            .query_row(
                "SELECT failed_signins FROM accounts WHERE username = 'bob'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let digest = name_digest(&authority.signin_key, "bob");
        (failures, in_flight(&authority.conn, &digest).unwrap())
    }

    #[test]
    fn attempts_that_never_got_an_answer_count_as_failures_a_minute_later() {
        let (_dir, clock, mut authority) = store();
        for _ in 0..2 {
            let _ = authority.authenticate("bob", "wrong password again");
        }
        die_in_flight(&authority, 1, START);
        clock.advance(61);
        // Two failures and one unanswered attempt make three, locked 1 s from when it began:
        // long over, so this attempt is checked, and is the fourth failure.
        assert!(matches!(
            authority.authenticate("bob", "wrong password again"),
            Err(CoreError::WrongCredentials)
        ));
        assert_eq!(bob(&authority), (4, None));
    }

    #[test]
    fn an_attempt_waits_for_those_in_flight_but_not_for_ever() {
        let (_dir, clock, mut authority) = store();
        for _ in 0..3 {
            let _ = authority.authenticate("bob", "wrong password again");
        }
        clock.advance(10);
        // A process died just now while checking a fourth password: the next attempt waits for
        // its answer, then (after 10 s, the clock standing still) counts it as a failure and
        // meets the lock that makes.
        die_in_flight(&authority, 1, START + 10);
        let started = std::time::Instant::now();
        assert!(matches!(
            authority.authenticate("bob", PASSWORD),
            Err(CoreError::Locked(2))
        ));
        assert!(started.elapsed() >= super::IN_FLIGHT_WAIT);
        assert_eq!(bob(&authority), (4, None));
    }

    #[test]
    fn two_in_flight_from_no_failures_let_a_third_through_at_once() {
        let (_dir, _clock, mut authority) = store();
        die_in_flight(&authority, 2, START);
        let started = std::time::Instant::now();
        authority.authenticate("bob", PASSWORD).unwrap();
        assert!(started.elapsed() < super::IN_FLIGHT_WAIT);
        // Its own attempt landed; the two others are still in flight.
        assert_eq!(bob(&authority), (0, Some((2, START))));
    }
}

#[cfg(test)]
mod upgrade_tests {
    use std::sync::Arc;

    use super::init_test_store;
    use crate::{TestClock, password};

    #[test]
    fn outdated_password_parameters_are_upgraded_at_the_next_sign_in() {
        let dir = tempfile::tempdir().unwrap();
        let mut authority = init_test_store(dir.path(), Arc::new(TestClock::at(0)));
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

    #[test]
    fn sign_in_bookkeeping_leaves_the_connection_at_full_sync_and_prunes_by_index() {
        let dir = tempfile::tempdir().unwrap();
        let mut authority = init_test_store(dir.path(), Arc::new(TestClock::at(0)));
        authority
            .authenticate("root", "admin password that is long")
            .unwrap();
        let _ = authority.authenticate("nobody", "admin password that is long");
        for _ in 0..3 {
            let _ = authority.authenticate("root", "wrong password that is long");
        }
        assert!(
            authority
                .authenticate("root", "admin password that is long")
                .is_err()
        );
        let sync: i64 = authority
            .conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 2, "FULL");
        assert_eq!(super::MAX_CONSECUTIVE_FAILURES, 100);
        let plan: String = authority
            .conn
            .query_row(
                "EXPLAIN QUERY PLAN DELETE FROM signin_throttle WHERE failures < 100 AND last_failed_at < 0",
                [],
                |r| r.get(3),
            )
            .unwrap();
        assert!(plan.contains("signin_throttle_prunable"), "{plan}");
    }
}
