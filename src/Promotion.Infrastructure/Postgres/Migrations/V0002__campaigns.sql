-- Campaigns (sharded jobs), their shards with leases and checkpoints, and their failure log.
-- Enums are stored as their lower-case names.
CREATE TABLE campaigns (
    id                   uuid        PRIMARY KEY,
    name                 text        NOT NULL,
    kind                 text        NOT NULL CHECK (kind IN ('push', 'retry', 'hotgoods')),
    status               text        NOT NULL CHECK (status IN ('pending', 'planning', 'running', 'paused', 'completed', 'cancelled', 'failed')),
    priority             text        NOT NULL CHECK (priority IN ('high', 'normal', 'low')),
    segment              text        NULL,
    title                text        NOT NULL,
    body                 text        NOT NULL,
    payload              text        NULL,
    channels             text[]      NOT NULL,
    shard_size           int         NOT NULL CHECK (shard_size > 0),
    max_sends_per_second int         NULL,
    parent_id            uuid        NULL REFERENCES campaigns (id),
    root_id              uuid        NOT NULL,
    -- Planned count; at completion exactly sent + failed + skipped.
    audience_size        bigint      NOT NULL DEFAULT 0,
    shards_total         int         NOT NULL DEFAULT 0,
    -- Always the sum of the shard counters: both are written in the same checkpoint transaction.
    sent                 bigint      NOT NULL DEFAULT 0,
    failed               bigint      NOT NULL DEFAULT 0,
    skipped              bigint      NOT NULL DEFAULT 0,
    created_at           timestamptz NOT NULL,
    -- Last status change (or stalled-plan claim); the sweeper re-plans campaigns stuck before Running.
    updated_at           timestamptz NOT NULL,
    started_at           timestamptz NULL,
    completed_at         timestamptz NULL,
    -- Optimistic concurrency: every status change is compare-and-set on it.
    version              int         NOT NULL DEFAULT 0
);
-- The campaign list, newest first.
CREATE INDEX campaigns_created_at ON campaigns (created_at DESC, id DESC);
-- Stalled-plan sweeps look only at campaigns not yet planned.
CREATE INDEX campaigns_stalled_plans ON campaigns (updated_at) WHERE status IN ('pending', 'planning');
-- Retry passes of a campaign.
CREATE INDEX campaigns_parent ON campaigns (parent_id) WHERE parent_id IS NOT NULL;

-- One row per shard [lo, hi) of a campaign; the lease (owner, expiry) says who works it.
CREATE TABLE campaign_shards (
    campaign_id      uuid        NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    shard_no         int         NOT NULL,
    lo               bigint      NOT NULL,
    hi               bigint      NOT NULL,
    status           text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed', 'cancelled')),
    -- Last member id handled and checkpointed (lo - 1 when none).
    cursor           bigint      NOT NULL,
    sent             bigint      NOT NULL DEFAULT 0,
    failed           bigint      NOT NULL DEFAULT 0,
    skipped          bigint      NOT NULL DEFAULT 0,
    lease_owner      text        NULL,
    lease_expires_at timestamptz NULL,
    attempts         int         NOT NULL DEFAULT 0,
    dispatched_at    timestamptz NULL,
    PRIMARY KEY (campaign_id, shard_no),
    CHECK (lo < hi)
);
-- Stranded-shard sweeps look only at open shards, oldest dispatch first.
CREATE INDEX campaign_shards_open ON campaign_shards (dispatched_at NULLS FIRST) WHERE status IN ('pending', 'running');

-- Per member and channel failures, for the report and retry passes. A re-sent page replaces its rows.
CREATE TABLE send_failures (
    campaign_id uuid        NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    member_id   bigint      NOT NULL,
    channel     text        NOT NULL CHECK (channel IN ('app', 'sms', 'email', 'inbox')),
    reason      text        NOT NULL,
    at          timestamptz NOT NULL,
    PRIMARY KEY (campaign_id, member_id, channel)
);

-- Failures and skips by reason (members counted once, under the reason their outcome came from).
CREATE TABLE campaign_reasons (
    campaign_id uuid   NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    outcome     text   NOT NULL CHECK (outcome IN ('sent', 'failed', 'skipped')),
    reason      text   NOT NULL,
    count       bigint NOT NULL,
    PRIMARY KEY (campaign_id, outcome, reason)
);
