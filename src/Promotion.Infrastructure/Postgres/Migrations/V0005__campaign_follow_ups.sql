-- A follow-up campaign waits (Pending) for the campaign it names in after_id: it is planned when
-- that one completes, and cancelled when that one fails or is cancelled.
ALTER TABLE campaigns ADD COLUMN after_id uuid NULL REFERENCES campaigns (id);
CREATE INDEX campaigns_after ON campaigns (after_id) WHERE after_id IS NOT NULL;
