-- A schedule may name a push campaign to follow each firing's hot-goods campaign (a campaign
-- draft, as JSON); the firing records the follow-up it created.
ALTER TABLE hot_goods_schedules ADD COLUMN follow_up jsonb NULL;
ALTER TABLE hot_goods_firings ADD COLUMN follow_up_id uuid NULL;
