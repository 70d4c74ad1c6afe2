-- Sessions in the app: changing or resetting a password, deactivating or reactivating an
-- account bumps its epoch; a window that signed in at an older epoch is signed out at its next
-- call.
ALTER TABLE accounts ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;

-- Sign-in attempts whose password is being checked now (counted before the hash, so parallel
-- attempts cannot all be checked), and when the latest began. failed_signins counts answered
-- failures; an attempt still in flight long after it began is counted as one.
ALTER TABLE accounts ADD COLUMN signins_in_flight INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN in_flight_since INTEGER;

-- The same counters for usernames that have no account, so they meet the same backoff as real
-- ones. Keyed by HMAC(sign-in sub-key, normalised username), never the typed text (people type
-- passwords into the username field). last_failed_at is the last failure, or when the row was
-- made. Rows whose last failure is over a day old and that are not locked for good (100
-- failures, as for accounts) are pruned as new ones arrive; the partial index finds them
-- without reading the rows that stay.
CREATE TABLE signin_throttle (
    name_digest      BLOB PRIMARY KEY,
    failures         INTEGER NOT NULL,
    last_failed_at   INTEGER NOT NULL,
    in_flight        INTEGER NOT NULL DEFAULT 0,
    in_flight_since  INTEGER
) WITHOUT ROWID;
CREATE INDEX signin_throttle_prunable ON signin_throttle(last_failed_at) WHERE failures < 100;
