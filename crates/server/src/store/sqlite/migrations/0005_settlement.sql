-- Whether a payment's settlement by the merchant still has a provider step left (issue 14:
-- Calypso's close-intervention follows its invoice's completion, possibly after SUCCESS). The
-- reconciler keeps re-reading such a payment whatever its checkout's status; the settlement
-- itself is in `data`.
ALTER TABLE payments ADD COLUMN settling INTEGER NOT NULL DEFAULT 0;
