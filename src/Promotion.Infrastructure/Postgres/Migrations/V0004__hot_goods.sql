-- Hot goods: the goods catalog with daily statistics, the categories each segment cares about,
-- the schedules and their firings. Quartz's own tables (qrtz_*) are created by the scheduler.

CREATE TABLE products (
    id        bigint         PRIMARY KEY,
    category  text           NOT NULL,
    title     text           NOT NULL,
    price     numeric(12, 2) NOT NULL CHECK (price >= 0)
);
-- A firing reads the products of a few categories; category validation probes one row each.
CREATE INDEX products_category ON products (category, id);

-- One row per product and UTC day. No foreign key on purpose: bulk loads stay at COPY speed, and
-- statistics of an unknown product are simply never joined.
CREATE TABLE product_daily_stats (
    product_id    bigint NOT NULL,
    day           date   NOT NULL,
    views         bigint NOT NULL DEFAULT 0 CHECK (views >= 0),
    purchases     bigint NOT NULL DEFAULT 0 CHECK (purchases >= 0),
    -- Ratings given that day and the sum of their stars (1-5 each): a Bayesian average needs both.
    rating_count  int    NOT NULL DEFAULT 0 CHECK (rating_count >= 0),
    rating_sum    int    NOT NULL DEFAULT 0 CHECK (rating_sum >= 0),
    PRIMARY KEY (product_id, day)
);
-- A firing reads the last few days: statistics arrive day by day, so a BRIN index on day is tiny
-- and skips the older days (measured 0.39 s -> 0.18 s for 7 of 30 days of 100,000 products).
CREATE INDEX product_daily_stats_day ON product_daily_stats USING brin (day);

CREATE TABLE segment_categories (
    segment   text NOT NULL REFERENCES segments (name) ON DELETE CASCADE,
    category  text NOT NULL,
    PRIMARY KEY (segment, category)
);

CREATE TABLE hot_goods_schedules (
    id          uuid        PRIMARY KEY,
    segment     text        NOT NULL,
    cron        text        NOT NULL,
    time_zone   text        NOT NULL,
    top_k       int         NOT NULL CHECK (top_k BETWEEN 1 AND 50),
    channels    text[]      NOT NULL,
    status      text        NOT NULL CHECK (status IN ('active', 'paused')),
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);

-- One row per (schedule, scheduled fire time): the primary key is what lets a firing start at
-- most one campaign, whichever host runs it and however often the scheduler re-runs it.
CREATE TABLE hot_goods_firings (
    schedule_id   uuid        NOT NULL REFERENCES hot_goods_schedules (id) ON DELETE CASCADE,
    scheduled_at  timestamptz NOT NULL,
    node_id       text        NOT NULL,
    claimed_at    timestamptz NOT NULL,
    -- Null while the firing runs (or when its host died before it ended).
    outcome       text        NULL CHECK (outcome IN ('campaign', 'nogoods', 'failed')),
    campaign_id   uuid        NULL,
    detail        text        NULL,
    completed_at  timestamptz NULL,
    PRIMARY KEY (schedule_id, scheduled_at)
);
