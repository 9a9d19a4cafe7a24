-- Whether a payment's settlement by the merchant still has a provider step left: the reconciler
-- keeps re-reading such a payment whatever its checkout's status; the settlement is in `data`.
ALTER TABLE payments ADD COLUMN settling BOOLEAN NOT NULL DEFAULT FALSE;
