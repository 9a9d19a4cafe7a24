-- Checkouts: the columns the server queries by; the merchant's settings as JSON beside them.
CREATE TABLE checkouts (
    id                TEXT PRIMARY KEY,
    client_order_id   TEXT UNIQUE,
    external_id       TEXT,
    widget_key        TEXT,
    spec              TEXT NOT NULL,
    status            TEXT NOT NULL,
    exception         TEXT,
    active_payment_id TEXT,
    funds_seen        INTEGER NOT NULL DEFAULT 0,
    version           INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
CREATE INDEX checkouts_newest ON checkouts (created_at DESC, id DESC);
CREATE INDEX checkouts_expiry ON checkouts (status, expires_at);
CREATE INDEX checkouts_widget ON checkouts (widget_key, created_at);

-- One row per picked currency; the funds and quote live in `data` (JSON, amounts as strings).
CREATE TABLE payments (
    id           TEXT PRIMARY KEY,
    checkout_id  TEXT NOT NULL REFERENCES checkouts (id),
    provider     TEXT NOT NULL,
    provider_ref TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    data         TEXT NOT NULL,
    UNIQUE (provider, provider_ref)
);
CREATE INDEX payments_checkout ON payments (checkout_id, created_at);

-- Every visible change of a checkout, written in the same transaction as the change. The
-- merchant webhook outbox (issue 7) is fed from here.
CREATE TABLE checkout_events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    checkout_id TEXT NOT NULL REFERENCES checkouts (id),
    version     INTEGER NOT NULL,
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    exception   TEXT,
    payment_id  TEXT,
    created_at  INTEGER NOT NULL,
    UNIQUE (checkout_id, version)
);

-- Inbound provider webhooks, de-duplicated by the provider's event id.
CREATE TABLE inbound_events (
    provider     TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    payment_ref  TEXT,
    body         TEXT NOT NULL,
    received_at  INTEGER NOT NULL,
    PRIMARY KEY (provider, event_id)
);

-- Reusable widget keys (Calypso's unlimited linked widget).
CREATE TABLE widgets (
    key         TEXT PRIMARY KEY,
    external_id TEXT,
    spec        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

-- The sandbox provider's tables were created here too until its ledger got its own schema
-- (providers/sandbox/ledger/schema.sql, which creates them only when missing).
