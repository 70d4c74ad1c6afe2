-- Which in-app reminders (token, threshold) someone has seen in the window's Reminders list;
-- the unread count in the tray and the window is what is listed and not in here.
CREATE TABLE reminders_read (
    token_id        INTEGER NOT NULL REFERENCES tokens(id),
    threshold_days  INTEGER NOT NULL,
    read_at         INTEGER NOT NULL,
    PRIMARY KEY (token_id, threshold_days)
) WITHOUT ROWID;

-- Token lists are newest first, per owner or for everyone: these indexes give that order (and
-- a first page) without sorting the whole table.
DROP INDEX tokens_by_owner;
CREATE INDEX tokens_by_owner_newest ON tokens(owner_id, created_at DESC, id DESC);
CREATE INDEX tokens_newest ON tokens(created_at DESC, id DESC);
