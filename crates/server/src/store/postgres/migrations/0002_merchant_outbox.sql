-- Merchant notifications: one row per announced change, inserted in the same transaction as
-- the change; the delivery worker sends it until the merchant answers 2xx.
CREATE TABLE merchant_outbox (
    seq             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id        TEXT NOT NULL UNIQUE,
    event_type      TEXT NOT NULL,
    checkout_id     TEXT NOT NULL REFERENCES checkouts (id),
    version         BIGINT NOT NULL,
    body            TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'PENDING',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT,
    delivered_at    BIGINT,
    created_at      BIGINT NOT NULL,
    CONSTRAINT merchant_outbox_one_per_version UNIQUE (checkout_id, version)
);
CREATE INDEX merchant_outbox_due ON merchant_outbox (state, next_attempt_at);
CREATE INDEX merchant_outbox_checkout ON merchant_outbox (checkout_id, seq);

-- Every delivery attempt, kept for the merchant API.
CREATE TABLE merchant_delivery_attempts (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id     TEXT NOT NULL REFERENCES merchant_outbox (event_id),
    attempted_at BIGINT NOT NULL,
    duration_ms  BIGINT NOT NULL,
    http_status  INTEGER,
    error        TEXT
);
CREATE INDEX merchant_delivery_attempts_event ON merchant_delivery_attempts (event_id, id);
