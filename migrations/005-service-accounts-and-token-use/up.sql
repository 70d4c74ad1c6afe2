-- Issue 16: tokens that outlive people.
--
-- Service accounts: an account for a pipeline or a service, not a person. It never signs in (its
-- password hash is of a random secret nobody was ever given) and is managed by a group, whose
-- members create, rotate and revoke its tokens and receive its reminders.
ALTER TABLE accounts ADD COLUMN kind TEXT NOT NULL DEFAULT 'person'
    CHECK (kind IN ('person', 'service'));
ALTER TABLE accounts ADD COLUMN managed_by INTEGER REFERENCES groups(id);

-- Where a token is used ("GitHub Actions secret DEPLOY_TOKEN in acme/web"): shown in lists,
-- reminders and leak findings, never in verification answers.
ALTER TABLE tokens ADD COLUMN usage_note TEXT;
-- Who asked for the secret: the owner, or for a service account's token the member of its
-- managing group who received it. NULL for tokens made before this column existed (the owner).
ALTER TABLE tokens ADD COLUMN created_by INTEGER REFERENCES accounts(id);
-- The first successful verification (a successor's ends or shortens its predecessor's grace).
ALTER TABLE tokens ADD COLUMN first_used_at INTEGER;
-- A rotated predecessor with a grace period of days: the latest it may retire. Its revoked_at
-- moves earlier once the successor is in use and the old token has been quiet for a day.
ALTER TABLE tokens ADD COLUMN grace_until INTEGER;
-- A rotated predecessor used after its successor's first use: the latest such use. Something
-- still holds the old secret; its owner is reminded.
ALTER TABLE tokens ADD COLUMN used_after_successor_at INTEGER;

-- Tokens made before first_used_at existed: their last use is the best known bound.
UPDATE tokens SET first_used_at = last_used_at WHERE last_used_at IS NOT NULL;

CREATE INDEX accounts_managed_by ON accounts(managed_by) WHERE managed_by IS NOT NULL;
