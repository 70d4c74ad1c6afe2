//! Sign-in: the gate before the hash (one write transaction that checks the lock and counts the
//! attempt in flight), the argon2id check, and the audit of every failure.
use std::time::Instant;

use rusqlite::params;
use serde_json::{Value, json};

use super::acting::Need;
use super::password;
use super::throttle::{
    FREE_FAILURES, IN_FLIGHT_POLL, IN_FLIGHT_STALE_SECONDS, IN_FLIGHT_WAIT,
    MAX_CONSECUTIVE_FAILURES, Subject, in_flight, land, lock_remaining, take_off,
};
use crate::Authority;
use crate::audit::{AuditAction, Change};
use crate::clock::Timestamp;
use crate::error::{CoreError, Result};
use crate::model::Actor;
use crate::validate;

/// Failures back to zero and the hash upgraded (?2, unless the password changed since it was
/// read as ?3); a row with nothing to change is not written.
const RESET_FAILURES: &str = "
    UPDATE accounts SET failed_signins = 0, last_failed_at = NULL,
        password_hash = CASE WHEN password_hash = ?3 THEN coalesce(?2, password_hash)
                             ELSE password_hash END
    WHERE id = ?1
      AND (failed_signins != 0 OR last_failed_at IS NOT NULL
           OR (?2 IS NOT NULL AND password_hash = ?3))";
/// Attempts in flight that were counted as failures.
const SETTLE_IN_FLIGHT: &str = "DELETE FROM signins_in_flight WHERE name_digest = ?1";
const SIGNED_IN: &str = "UPDATE accounts SET last_signin_at = ?2 WHERE id = ?1";

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

/// Ends a successful check: the attempt lands, failures go back to zero and outdated parameters
/// are upgraded (unless the password was changed meanwhile). A row with nothing to change is not
/// written.
fn reset_failures(tx: &rusqlite::Connection, checked: &Checked) -> Result<()> {
    land(tx, &checked.digest)?;
    tx.prepare_cached(RESET_FAILURES)?.execute(params![
        checked.id,
        checked.upgrade,
        checked.stored_hash
    ])?;
    Ok(())
}

/// `Some(upgrade)` when the password matches (`upgrade` is the hash at today's parameters when
/// the stored one is weaker), `None` when it does not.
fn check_hash(
    pepper: &password::Pepper,
    stored: &str,
    password: &str,
) -> Result<Option<Option<String>>> {
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
        let digest = self.signin_key.name_digest(&username_key);
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
            self.change_as(label, |c| {
                if counted {
                    land(c.tx, &digest)?;
                }
                let consecutive = subject.fail(c.tx, &digest, c.now)?;
                let details = json!({"reason": reason, "consecutive": consecutive});
                c.record(AuditAction::SigninFailed, label, details)
            })?;
            return Err(CoreError::WrongCredentials);
        };
        if matches!(subject, Subject::Account { active: false, .. }) {
            // The password was right: the count goes back, and the refusal is audited.
            let label = subject.label();
            self.change_as(label, |c| {
                if checked.counted {
                    reset_failures(c.tx, &checked)?;
                }
                let details = json!({"reason": "deactivated"});
                c.record(AuditAction::SigninFailed, label, details)
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
                    tx.prepare_cached(SETTLE_IN_FLIGHT)?
                        .execute([&digest[..]])?;
                }
            } else {
                attempts = count;
            }
        }
        let lock = if counter.failures >= MAX_CONSECUTIVE_FAILURES {
            let consecutive = counter.failures;
            let details = json!({"reason": "locked until reset", "consecutive": consecutive});
            Some((CoreError::LockedUntilReset, details))
        } else {
            lock_remaining(counter.failures, counter.last_failed_at, now).map(|seconds| {
                let consecutive = counter.failures;
                let details =
                    json!({"reason": "locked", "seconds": seconds, "consecutive": consecutive});
                (CoreError::Locked(seconds), details)
            })
        };
        if let Some((refusal, details)) = lock {
            match mode {
                Mode::Relaxed => return Ok(Gate::Locked),
                Mode::Durable => {
                    let label = subject.label();
                    let change = Change::new(tx, now, label);
                    change.record(AuditAction::SigninFailed, label, details)?;
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
        self.change(actor, Need::Account, |c, me| {
            if checked.counted {
                reset_failures(c.tx, &checked)?;
            }
            c.tx.execute(SIGNED_IN, params![actor.account_id, c.now])?;
            c.record(AuditAction::SigninSucceeded, &me.username, Value::Null)
        })?;
        Ok(actor)
    }
}

#[cfg(test)]
mod upgrade_tests {
    use std::sync::Arc;

    use crate::TestClock;
    use crate::accounts::{init_test_store, password};

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
        assert_eq!(crate::accounts::MAX_CONSECUTIVE_FAILURES, 100);
        let plan: String = authority
            .conn
            .query_row(
                "EXPLAIN QUERY PLAN DELETE FROM signin_throttle WHERE failures < 100 AND \
                    last_failed_at < 0",
                [],
                |r| r.get(3),
            )
            .unwrap();
        assert!(plan.contains("signin_throttle_prunable"), "{plan}");
    }
}
