-- The tamper-evident audit chain (SPEC §2 "Audit log") and counted denials.
--
-- count: identical verification denials within one second are stored as one event with a count.
-- chain: HMAC-SHA256(audit sub-key, previous chain value || the event's canonical bytes). SQL
-- cannot compute it (the key is not in the store), so the events already here are chained by
-- the open that runs this migration (core checks the key before migrating): this migration
-- leaves the mark 'audit_chain_pending' in meta, and core (audit_chain.rs) chains the old events,
-- writes the anchor and removes the mark in one transaction. Nothing else ever fills in a
-- missing chain value.
ALTER TABLE audit_events ADD COLUMN count INTEGER NOT NULL DEFAULT 1 CHECK (count >= 1);
ALTER TABLE audit_events ADD COLUMN chain BLOB;

-- Still append-only; the one change allowed is giving an event that has no chain value its
-- chain value, and only that column.
DROP TRIGGER audit_events_no_update;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
WHEN NOT (OLD.chain IS NULL AND NEW.chain IS NOT NULL
          AND NEW.id IS OLD.id AND NEW.at IS OLD.at AND NEW.actor IS OLD.actor
          AND NEW.action IS OLD.action AND NEW.target IS OLD.target
          AND NEW.details IS OLD.details AND NEW.count IS OLD.count)
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;

INSERT INTO meta (key, value) VALUES ('audit_chain_pending', '1');
