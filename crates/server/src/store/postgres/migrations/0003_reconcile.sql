-- When each payment is next re-read from its provider (NULL: never again), and how many re-reads
-- in a row failed. Every payment is due at once when this migration runs.
ALTER TABLE payments ADD COLUMN recheck_at BIGINT;
ALTER TABLE payments ADD COLUMN recheck_failures INTEGER NOT NULL DEFAULT 0;
UPDATE payments SET recheck_at = created_at;
CREATE INDEX payments_recheck ON payments (recheck_at);
