-- The PostgreSQL twin of sqlite/migrations/0001_init.sql: the same tables and columns, with
-- PostgreSQL's types. Milliseconds since the epoch stay integers (BIGINT); money stays text
-- inside the JSON columns (amounts as strings), never a float. Ids compare byte by byte
-- (COLLATE "C") as in SQLite, so list order and cursors do not depend on the server's locale.
CREATE TABLE checkouts (
    id                TEXT COLLATE "C" PRIMARY KEY,
    client_order_id   TEXT UNIQUE,
    external_id       TEXT,
    widget_key        TEXT,
    spec              TEXT NOT NULL,
    status            TEXT NOT NULL,
    exception         TEXT,
    active_payment_id TEXT,
    funds_seen        BOOLEAN NOT NULL DEFAULT FALSE,
    version           BIGINT NOT NULL,
    expires_at        BIGINT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX checkouts_newest ON checkouts (created_at DESC, id DESC);
CREATE INDEX checkouts_expiry ON checkouts (status, expires_at);
CREATE INDEX checkouts_widget ON checkouts (widget_key, created_at);

-- One row per picked currency; the funds and quote live in `data` (JSON, amounts as strings).
-- `seq` keeps the order they were stored in (SQLite's rowid), the tie-break of `created_at`.
CREATE TABLE payments (
    id           TEXT PRIMARY KEY,
    seq          BIGINT GENERATED ALWAYS AS IDENTITY,
    checkout_id  TEXT NOT NULL REFERENCES checkouts (id),
    provider     TEXT NOT NULL,
    provider_ref TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    data         TEXT NOT NULL,
    UNIQUE (provider, provider_ref)
);
CREATE INDEX payments_checkout ON payments (checkout_id, created_at, seq);

-- Every visible change of a checkout, written in the same transaction as the change.
CREATE TABLE checkout_events (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    checkout_id TEXT NOT NULL REFERENCES checkouts (id),
    version     BIGINT NOT NULL,
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    exception   TEXT,
    payment_id  TEXT,
    created_at  BIGINT NOT NULL,
    UNIQUE (checkout_id, version)
);

-- Inbound provider webhooks, de-duplicated by the provider's event id.
CREATE TABLE inbound_events (
    provider     TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    payment_ref  TEXT,
    body         TEXT NOT NULL,
    received_at  BIGINT NOT NULL,
    PRIMARY KEY (provider, event_id)
);

-- Reusable widget keys (Calypso's unlimited linked widget).
CREATE TABLE widgets (
    key         TEXT PRIMARY KEY,
    external_id TEXT,
    spec        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
