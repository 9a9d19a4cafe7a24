-- Leases that order work which must not run twice at the same moment across instances
-- (store/lease.rs): one row per key while a turn holds it; `instance` is the holder's instance,
-- `turn` the take that holds it.
CREATE TABLE turn_leases (
    key      TEXT PRIMARY KEY,
    instance TEXT NOT NULL,
    turn     TEXT NOT NULL,
    until    BIGINT NOT NULL
);
