-- A payment being opened with its provider, before the payment itself is stored (issue 14): a
-- retried pick on the same terms reuses the payment id reserved here and the provider's
-- reference recorded here, so a provider that opens an invoice in two calls (Inqud: the
-- checkout, then the payer's request) is not left with a second object after a failure between
-- them. The row goes in the transaction that stores the payment.
CREATE TABLE payment_openings (
    checkout_id  TEXT NOT NULL REFERENCES checkouts (id),
    pick_key     TEXT NOT NULL,
    payment_id   TEXT NOT NULL UNIQUE,
    provider_ref TEXT,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (checkout_id, pick_key)
);
