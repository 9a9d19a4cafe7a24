-- Calypso's webhook subscriptions (providers/calypso/subscription/sqlite.rs in SQLite), so that
-- every instance on the database verifies the webhooks of a subscription any of them made.
CREATE TABLE calypso_webhook_subscriptions (
    url        TEXT PRIMARY KEY,
    public_key TEXT NOT NULL,
    secret_key TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
