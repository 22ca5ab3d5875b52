-- The W3C traceparent of a campaign's plan span: shard grains on any silo start their spans as its
-- children, so one campaign is one trace however many silos and restarts it spans.
ALTER TABLE campaigns ADD COLUMN trace_parent text;
