-- Latchkey's first schema. Times are Unix seconds (UTC).

-- One row per fact about this installation: organisation name, installation id,
-- key verifier and where the key lives.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- The highest clock reading any write transaction has seen; "now" is never earlier.
CREATE TABLE clock_watermark (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    max_seen INTEGER NOT NULL
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE accounts (
    id              INTEGER PRIMARY KEY,
    username        TEXT NOT NULL,
    username_key    TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('admin', 'member')),
    status          TEXT NOT NULL CHECK (status IN ('active', 'deactivated')),
    password_hash   TEXT NOT NULL,
    access_all      INTEGER NOT NULL DEFAULT 0 CHECK (access_all IN (0, 1)),
    mute_reminders  INTEGER NOT NULL DEFAULT 0 CHECK (mute_reminders IN (0, 1)),
    failed_signins  INTEGER NOT NULL DEFAULT 0,
    last_failed_at  INTEGER,
    created_at      INTEGER NOT NULL,
    last_signin_at  INTEGER
);

CREATE TABLE systems (
    id            INTEGER PRIMARY KEY,
    slug          TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    onboarded_by  INTEGER NOT NULL REFERENCES accounts(id),
    onboarded_at  INTEGER NOT NULL
);

CREATE TABLE account_grants (
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    system_id  INTEGER NOT NULL REFERENCES systems(id),
    PRIMARY KEY (account_id, system_id)
) WITHOUT ROWID;

CREATE TABLE groups (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);

CREATE TABLE group_members (
    group_id   INTEGER NOT NULL REFERENCES groups(id),
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    PRIMARY KEY (group_id, account_id)
) WITHOUT ROWID;
CREATE INDEX group_members_by_account ON group_members(account_id);

CREATE TABLE group_grants (
    group_id  INTEGER NOT NULL REFERENCES groups(id),
    system_id INTEGER NOT NULL REFERENCES systems(id),
    PRIMARY KEY (group_id, system_id)
) WITHOUT ROWID;

CREATE TABLE tokens (
    id              INTEGER PRIMARY KEY,
    public_id       TEXT NOT NULL UNIQUE,
    -- HMAC-SHA256 of the secret under the installation's token sub-key; never the secret.
    digest          BLOB NOT NULL UNIQUE,
    owner_id        INTEGER NOT NULL REFERENCES accounts(id),
    name            TEXT NOT NULL,
    hint            TEXT NOT NULL,
    narrowed        INTEGER NOT NULL DEFAULT 0 CHECK (narrowed IN (0, 1)),
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    last_used_at    INTEGER,
    -- May lie in the future: a rotated predecessor's grace period ends then.
    revoked_at      INTEGER,
    revoked_by      INTEGER REFERENCES accounts(id),
    predecessor_id  INTEGER REFERENCES tokens(id),
    rotated         INTEGER NOT NULL DEFAULT 0 CHECK (rotated IN (0, 1)),
    deleted_at      INTEGER
);
CREATE INDEX tokens_by_owner ON tokens(owner_id);
CREATE INDEX tokens_by_predecessor ON tokens(predecessor_id);

CREATE TABLE token_systems (
    token_id  INTEGER NOT NULL REFERENCES tokens(id),
    system_id INTEGER NOT NULL REFERENCES systems(id),
    PRIMARY KEY (token_id, system_id)
) WITHOUT ROWID;

CREATE TABLE reminders_delivered (
    token_id        INTEGER NOT NULL REFERENCES tokens(id),
    threshold_days  INTEGER NOT NULL,
    delivered_at    INTEGER NOT NULL,
    PRIMARY KEY (token_id, threshold_days)
) WITHOUT ROWID;

-- Append-only: triggers refuse changes to recorded events.
CREATE TABLE audit_events (
    id       INTEGER PRIMARY KEY,
    at       INTEGER NOT NULL,
    actor    TEXT NOT NULL,
    action   TEXT NOT NULL,
    target   TEXT NOT NULL,
    details  TEXT NOT NULL
);
CREATE INDEX audit_by_time ON audit_events(at);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;

INSERT INTO clock_watermark (id, max_seen) VALUES (1, 0);
