-- Typed merchant events: one version of a checkout can change several things the payer sees
-- (funds and status at once), each announced by its own event, so an outbox row is unique per
-- checkout, version and event type instead of per version. (PostgreSQL swaps the constraint in
-- place, where SQLite had to rebuild both tables.)
ALTER TABLE merchant_outbox DROP CONSTRAINT merchant_outbox_one_per_version;
ALTER TABLE merchant_outbox ADD CONSTRAINT merchant_outbox_one_per_event_type
    UNIQUE (checkout_id, version, event_type);
