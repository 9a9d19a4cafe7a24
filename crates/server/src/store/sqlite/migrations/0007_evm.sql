-- The EVM provider (issue 17): deposit addresses derived from the merchant's extended public
-- key, one index per payment and network (never reused, never skipped); each chain's cursor;
-- the recent block hashes a reorganisation is noticed by; the transfers counted, with their
-- block, so the ones in a replaced block can be un-counted.
CREATE TABLE evm_invoices (
    reference     TEXT PRIMARY KEY,
    network       TEXT NOT NULL,
    address_index INTEGER NOT NULL,
    address       TEXT NOT NULL,
    coin          TEXT NOT NULL,
    contract      TEXT,
    amount        TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    UNIQUE (network, address_index)
);
CREATE INDEX evm_invoices_watched ON evm_invoices (network, created_at);

CREATE TABLE evm_cursors (
    network    TEXT PRIMARY KEY,
    next_block INTEGER NOT NULL
);

CREATE TABLE evm_blocks (
    network TEXT NOT NULL,
    number  INTEGER NOT NULL,
    hash    TEXT NOT NULL,
    PRIMARY KEY (network, number)
);

CREATE TABLE evm_transfers (
    network      TEXT NOT NULL,
    tx_hash      TEXT NOT NULL,
    log_index    INTEGER NOT NULL,
    block_number INTEGER NOT NULL,
    block_hash   TEXT NOT NULL,
    reference    TEXT NOT NULL REFERENCES evm_invoices (reference),
    amount       TEXT NOT NULL,
    block_time   INTEGER NOT NULL,
    PRIMARY KEY (network, tx_hash, log_index)
);
CREATE INDEX evm_transfers_of_invoice ON evm_transfers (reference);
CREATE INDEX evm_transfers_by_block ON evm_transfers (network, block_number);
