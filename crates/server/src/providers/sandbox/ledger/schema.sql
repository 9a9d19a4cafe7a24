-- The sandbox provider's own simulated chain, in the server's database file. Databases created
-- before the ledger had its own schema got these tables from the store's first migration, so
-- every statement creates only what is missing.
CREATE TABLE IF NOT EXISTS sandbox_invoices (
    ref                    TEXT PRIMARY KEY,
    currency               TEXT NOT NULL,
    network                TEXT NOT NULL,
    address                TEXT NOT NULL,
    amount                 TEXT NOT NULL,
    confirmations_required INTEGER NOT NULL,
    created_at             INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sandbox_txs (
    txid          TEXT PRIMARY KEY,
    invoice_ref   TEXT NOT NULL REFERENCES sandbox_invoices (ref),
    amount_units  TEXT NOT NULL,
    confirmations INTEGER NOT NULL,
    required      INTEGER NOT NULL,
    seen_at       INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sandbox_txs_unconfirmed ON sandbox_txs (confirmations, required);
CREATE TABLE IF NOT EXISTS sandbox_notifications (
    event_id     TEXT PRIMARY KEY,
    invoice_ref  TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    delivered_at INTEGER,
    attempts     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS sandbox_notifications_pending
    ON sandbox_notifications (delivered_at, created_at);
