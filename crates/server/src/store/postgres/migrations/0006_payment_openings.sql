-- A payment being opened with its provider, before the payment itself is stored: a retried pick
-- on the same terms reuses the payment id reserved here and the provider's reference recorded
-- here. The row goes in the transaction that stores the payment.
CREATE TABLE payment_openings (
    checkout_id  TEXT NOT NULL REFERENCES checkouts (id),
    pick_key     TEXT NOT NULL,
    payment_id   TEXT NOT NULL UNIQUE,
    provider_ref TEXT,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (checkout_id, pick_key)
);
