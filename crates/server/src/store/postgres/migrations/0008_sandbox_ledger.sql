-- The sandbox provider's simulated chain (providers/sandbox/ledger/schema.sql in SQLite), so that
-- several instances on one database share one chain. `seq` is SQLite's rowid: the tie-break of
-- equal times. Only the sandbox reads or writes these tables.
CREATE TABLE sandbox_invoices (
    ref                    TEXT PRIMARY KEY,
    currency               TEXT NOT NULL,
    network                TEXT NOT NULL,
    address                TEXT NOT NULL,
    amount                 TEXT NOT NULL,
    confirmations_required INTEGER NOT NULL,
    created_at             BIGINT NOT NULL
);
CREATE TABLE sandbox_txs (
    txid          TEXT PRIMARY KEY,
    seq           BIGINT GENERATED ALWAYS AS IDENTITY,
    invoice_ref   TEXT NOT NULL REFERENCES sandbox_invoices (ref),
    amount_units  TEXT NOT NULL,
    confirmations INTEGER NOT NULL,
    required      INTEGER NOT NULL,
    seen_at       BIGINT NOT NULL
);
CREATE INDEX sandbox_txs_unconfirmed ON sandbox_txs (confirmations, required);
CREATE TABLE sandbox_notifications (
    event_id     TEXT PRIMARY KEY,
    seq          BIGINT GENERATED ALWAYS AS IDENTITY,
    invoice_ref  TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    delivered_at BIGINT,
    attempts     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sandbox_notifications_pending ON sandbox_notifications (delivered_at, created_at);
