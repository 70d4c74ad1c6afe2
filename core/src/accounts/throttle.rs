//! The sign-in throttle (SPEC §2 "Sign-in throttling"): per-name failure counters, kept in the
//! store, for accounts and unknown names alike, and the attempts still in flight.
use std::time::Duration;

use rusqlite::{OptionalExtension, params};

use crate::clock::Timestamp;
use crate::error::Result;
use crate::keys::{self, KeyBytes, MasterKey};
use crate::model::AccountStatus;

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
pub(super) const IN_FLIGHT_WAIT: Duration = Duration::from_secs(10);
/// How often a waiting attempt looks again.
pub(super) const IN_FLIGHT_POLL: Duration = Duration::from_millis(20);

/// Whose failure counter a sign-in attempt moves.
pub(super) enum Subject {
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
pub(super) struct Counter {
    pub(super) failures: i64,
    pub(super) last_failed_at: Option<Timestamp>,
}

const ACCOUNT_COUNTER: &str = "
    SELECT id, username, password_hash, status, failed_signins, last_failed_at FROM accounts
    WHERE username_key = ?1";

/// Counters of unknown names that lock nothing any more. The literal 100
/// (MAX_CONSECUTIVE_FAILURES) matches the partial index.
const PRUNE_UNKNOWN: &str = "
    DELETE FROM signin_throttle WHERE failures < 100 AND last_failed_at < ?1";

const UNKNOWN_COUNTER: &str = "
    SELECT failures, last_failed_at FROM signin_throttle WHERE name_digest = ?1";

const SETTLE_ACCOUNT: &str = "
    UPDATE accounts SET failed_signins = ?2, last_failed_at = ?3 WHERE id = ?1";

const SETTLE_UNKNOWN: &str = "
    INSERT INTO signin_throttle (name_digest, failures, last_failed_at) VALUES (?1, ?2, ?3)
    ON CONFLICT (name_digest) DO UPDATE SET failures = ?2, last_failed_at = ?3";

/// One failure more (at most 100), the count restarting after a quiet day (?3).
const FAIL_ACCOUNT: &str = "
    UPDATE accounts SET failed_signins = CASE
            WHEN failed_signins < 100 AND last_failed_at < ?3 THEN 1
            ELSE min(failed_signins + 1, 100) END,
        last_failed_at = max(coalesce(last_failed_at, ?2), ?2)
    WHERE id = ?1 RETURNING failed_signins";

const FAIL_UNKNOWN: &str = "
    INSERT INTO signin_throttle (name_digest, failures, last_failed_at) VALUES (?1, 1, ?2)
    ON CONFLICT (name_digest) DO UPDATE SET failures = CASE
            WHEN failures < 100 AND last_failed_at < ?3 THEN 1
            ELSE min(failures + 1, 100) END,
        last_failed_at = max(last_failed_at, ?2)
    RETURNING failures";

impl Subject {
    /// What the audit log records as actor and target.
    pub(super) fn label(&self) -> &str {
        match self {
            Subject::Account { username, .. } => username,
            Subject::Unknown => UNKNOWN_USERNAME,
        }
    }

    /// The account named by `username_key`, else the unknown name's counter (after pruning the
    /// old ones that lock nothing any more, when `prune`: that keeps the table bounded).
    pub(super) fn read(
        tx: &rusqlite::Connection,
        now: Timestamp,
        username_key: &str,
        digest: &[u8; 32],
        prune: bool,
    ) -> Result<(Subject, Counter)> {
        let account = tx
            .prepare_cached(ACCOUNT_COUNTER)?
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
            tx.prepare_cached(PRUNE_UNKNOWN)?
                .execute([now.saturating_sub(UNKNOWN_NAME_RETENTION_SECONDS)])?;
        }
        let counter = tx
            .prepare_cached(UNKNOWN_COUNTER)?
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
    pub(super) fn settle(
        &self,
        tx: &rusqlite::Connection,
        digest: &[u8; 32],
        counter: &Counter,
        now: Timestamp,
    ) -> Result<()> {
        let last_failed_at = counter.last_failed_at.unwrap_or(now);
        match self {
            Subject::Account { id, .. } => tx.prepare_cached(SETTLE_ACCOUNT)?.execute(params![
                id,
                counter.failures,
                last_failed_at
            ])?,
            Subject::Unknown => tx.prepare_cached(SETTLE_UNKNOWN)?.execute(params![
                &digest[..],
                counter.failures,
                last_failed_at
            ])?,
        };
        Ok(())
    }

    /// A wrong password answered at `now`: one failure more (at most 100). Returns the
    /// consecutive failures.
    pub(super) fn fail(
        &self,
        tx: &rusqlite::Connection,
        digest: &[u8; 32],
        now: Timestamp,
    ) -> Result<i64> {
        Ok(match self {
            Subject::Account { id, .. } => tx.prepare_cached(FAIL_ACCOUNT)?.query_row(
                params![id, now, now.saturating_sub(UNKNOWN_NAME_RETENTION_SECONDS)],
                |r| r.get(0),
            )?,
            Subject::Unknown => tx.prepare_cached(FAIL_UNKNOWN)?.query_row(
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

const IN_FLIGHT: &str = "SELECT attempts, since FROM signins_in_flight WHERE name_digest = ?1";

/// The attempts in flight for a name, and when the latest began.
pub(super) fn in_flight(
    tx: &rusqlite::Connection,
    digest: &[u8; 32],
) -> Result<Option<(i64, Timestamp)>> {
    Ok(tx
        .prepare_cached(IN_FLIGHT)?
        .query_row([&digest[..]], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

const TAKE_OFF: &str = "
    INSERT INTO signins_in_flight (name_digest, attempts, since) VALUES (?1, 1, ?2) ON CONFLICT
    (name_digest) DO UPDATE SET attempts = attempts + 1, since = ?2";

/// One more attempt in flight, begun `now`.
pub(super) fn take_off(tx: &rusqlite::Connection, digest: &[u8; 32], now: Timestamp) -> Result<()> {
    tx.prepare_cached(TAKE_OFF)?
        .execute(params![&digest[..], now])?;
    Ok(())
}

const LAND: &str = "UPDATE signins_in_flight SET attempts = attempts - 1 WHERE name_digest = ?1";

const LANDED: &str = "DELETE FROM signins_in_flight WHERE name_digest = ?1 AND attempts <= 0";

/// One attempt fewer in flight (answered); the last one takes the row with it.
pub(super) fn land(tx: &rusqlite::Connection, digest: &[u8; 32]) -> Result<()> {
    tx.prepare_cached(LAND)?.execute([&digest[..]])?;
    tx.prepare_cached(LANDED)?.execute([&digest[..]])?;
    Ok(())
}

/// The sign-in sub-key: it keys the counters of unknown names, so the typed text is never stored.
pub(crate) struct SigninKey(KeyBytes);

impl SigninKey {
    /// The sign-in sub-key of an installation key.
    pub(crate) fn derive(master: &MasterKey) -> SigninKey {
        SigninKey(master.derive("signin-throttle"))
    }

    /// HMAC-SHA256 of a normalised username under the sign-in sub-key.
    pub(super) fn name_digest(&self, username_key: &str) -> [u8; 32] {
        keys::hmac_sha256(&self.0, &[username_key.as_bytes()])
    }
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

    use super::in_flight;
    use crate::accounts::init_test_store;
    use crate::{Authority, CoreError, NewAccount, Role, TestClock, validate};

    const START: i64 = 1_767_225_600;
    const PASSWORD: &str = "member password that is long";

    fn store() -> (tempfile::TempDir, TestClock, Authority) {
        let dir = tempfile::tempdir().unwrap();
        let clock = TestClock::at(START);
        let mut authority = init_test_store(dir.path(), Arc::new(clock.clone()));
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
        let digest = authority
            .signin_key
            .name_digest(&validate::username_key("bob"));
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
        let digest = authority.signin_key.name_digest("bob");
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
