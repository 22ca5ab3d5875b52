-- Shards are worked by shard grains (Orleans) instead of leased by workers. Whoever started a shard
-- last owns it: every start bumps its epoch, and checkpoints, releases and ends name the epoch they
-- started under, so a stale activation writes nothing. No lease expiry, no dispatch sweep.
ALTER TABLE campaign_shards ADD COLUMN epoch bigint NOT NULL DEFAULT 0;
-- The silo working the shard (for an ended shard, the one that ended it).
ALTER TABLE campaign_shards RENAME COLUMN lease_owner TO owner;
ALTER TABLE campaign_shards DROP COLUMN lease_expires_at;
-- When the campaign grain started the shard; the started, open shards are the ones it keeps going.
ALTER TABLE campaign_shards RENAME COLUMN dispatched_at TO started_at;
DROP INDEX IF EXISTS campaign_shards_open;
CREATE INDEX campaign_shards_started ON campaign_shards (campaign_id, shard_no) WHERE status IN ('pending', 'running') AND started_at IS NOT NULL;
-- Plans are no longer swept for: a campaign's reminder brings its grain back.
DROP INDEX IF EXISTS campaigns_stalled_plans;
