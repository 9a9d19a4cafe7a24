-- The EVM provider (issue 17), as in SQLite's migration 7: deposit addresses derived from the
-- merchant's extended public key, one index per payment and network (never reused, never
-- skipped; BIP32's non-hardened indices fit an INTEGER); each chain's cursor; the recent block
-- hashes a reorganisation is noticed by; the transfers counted, with their block, so those in a
-- replaced block can be un-counted. Amounts are exact decimal text.
CREATE TABLE evm_invoices (
    reference     TEXT COLLATE "C" PRIMARY KEY,
    network       TEXT COLLATE "C" NOT NULL,
    address_index INTEGER NOT NULL,
    address       TEXT NOT NULL,
    coin          TEXT NOT NULL,
    contract      TEXT,
    amount        TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    UNIQUE (network, address_index)
);
CREATE INDEX evm_invoices_watched ON evm_invoices (network, created_at);

CREATE TABLE evm_cursors (
    network    TEXT COLLATE "C" PRIMARY KEY,
    next_block BIGINT NOT NULL
);

CREATE TABLE evm_blocks (
    network TEXT COLLATE "C" NOT NULL,
    number  BIGINT NOT NULL,
    hash    TEXT NOT NULL,
    PRIMARY KEY (network, number)
);

CREATE TABLE evm_transfers (
    network      TEXT COLLATE "C" NOT NULL,
    tx_hash      TEXT COLLATE "C" NOT NULL,
    log_index    BIGINT NOT NULL,
    block_number BIGINT NOT NULL,
    block_hash   TEXT NOT NULL,
    reference    TEXT COLLATE "C" NOT NULL REFERENCES evm_invoices (reference),
    amount       TEXT NOT NULL,
    block_time   BIGINT NOT NULL,
    PRIMARY KEY (network, tx_hash, log_index)
);
CREATE INDEX evm_transfers_of_invoice ON evm_transfers (reference);
CREATE INDEX evm_transfers_by_block ON evm_transfers (network, block_number);
