-- Sessions in the app: changing or resetting a password, deactivating or reactivating an
-- account bumps its epoch; a window that signed in at an older epoch is signed out at its next
-- call.
ALTER TABLE accounts ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;

-- Failed sign-ins under usernames that have no account, so they meet the same backoff as real
-- ones. Keyed by HMAC(sign-in sub-key, normalised username), never the typed text (people type
-- passwords into the username field). Rows whose last failure is over a day old and that are
-- not locked for good (100 failures, as for accounts) are pruned as new ones arrive; the
-- partial index finds them without reading the rows that stay.
CREATE TABLE signin_throttle (
    name_digest     BLOB PRIMARY KEY,
    failures        INTEGER NOT NULL,
    last_failed_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX signin_throttle_prunable ON signin_throttle(last_failed_at) WHERE failures < 100;
