-- Sessions in the app: changing or resetting a password, deactivating or reactivating an
-- account bumps its epoch; a window that signed in at an older epoch is signed out at its next
-- call.
ALTER TABLE accounts ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;

-- Sign-in attempts whose password is being checked now, per name (an account's or not), by
-- HMAC(sign-in sub-key, normalised username). Counted before the hash, so parallel attempts
-- cannot all be checked; removed when answered, so a sign-in that changes nothing leaves the
-- store as it was. Attempts still here a minute after the latest began were never answered
-- (their process died) and count as failures.
CREATE TABLE signins_in_flight (
    name_digest  BLOB PRIMARY KEY,
    attempts     INTEGER NOT NULL,
    since        INTEGER NOT NULL
) WITHOUT ROWID;

-- Failed sign-ins under usernames that have no account, so they meet the same backoff as real
-- ones: keyed by the same HMAC, never the typed text (people type passwords into the username
-- field). Rows whose last failure is over a day old and that are not locked for good (100
-- failures, as for accounts) are pruned as new ones arrive; the partial index finds them
-- without reading the rows that stay.
CREATE TABLE signin_throttle (
    name_digest     BLOB PRIMARY KEY,
    failures        INTEGER NOT NULL,
    last_failed_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX signin_throttle_prunable ON signin_throttle(last_failed_at) WHERE failures < 100;
