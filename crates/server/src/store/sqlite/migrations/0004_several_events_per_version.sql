-- Typed merchant events (issue 13, point 5): one version of a checkout can change several
-- things the payer sees (funds and status at once), each announced by its own event, so an
-- outbox row is unique per checkout, version and event type instead of per version.
--
-- SQLite cannot drop a table constraint, so both tables are rebuilt. The order keeps every
-- foreign key satisfied at every step (the connection enforces them): the new attempts table
-- points at the new outbox before the old tables go, and the renames carry that reference.
CREATE TABLE merchant_outbox_new (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id        TEXT NOT NULL UNIQUE,
    event_type      TEXT NOT NULL,
    checkout_id     TEXT NOT NULL REFERENCES checkouts (id),
    version         INTEGER NOT NULL,
    body            TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'PENDING',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    delivered_at    INTEGER,
    created_at      INTEGER NOT NULL,
    UNIQUE (checkout_id, version, event_type)
);
INSERT INTO merchant_outbox_new SELECT * FROM merchant_outbox;

CREATE TABLE merchant_delivery_attempts_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id     TEXT NOT NULL REFERENCES merchant_outbox_new (event_id),
    attempted_at INTEGER NOT NULL,
    duration_ms  INTEGER NOT NULL,
    http_status  INTEGER,
    error        TEXT
);
INSERT INTO merchant_delivery_attempts_new SELECT * FROM merchant_delivery_attempts;

DROP TABLE merchant_delivery_attempts;
DROP TABLE merchant_outbox;
ALTER TABLE merchant_outbox_new RENAME TO merchant_outbox;
ALTER TABLE merchant_delivery_attempts_new RENAME TO merchant_delivery_attempts;

CREATE INDEX merchant_outbox_due ON merchant_outbox (state, next_attempt_at);
CREATE INDEX merchant_outbox_checkout ON merchant_outbox (checkout_id, seq);
CREATE INDEX merchant_delivery_attempts_event ON merchant_delivery_attempts (event_id, id);
