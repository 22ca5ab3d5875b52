-- The member directory: one row per member, segments as profile tags, a contact per channel.
CREATE TABLE members (
    id          bigint      PRIMARY KEY,
    segments    text[]      NOT NULL DEFAULT '{}',
    email       text        NULL,
    phone       text        NULL,
    app_token   text        NULL
);
-- Segment filters ("segments @> ARRAY[$1]") during shard reads and audience counts.
CREATE INDEX members_segments_gin ON members USING gin (segments);

-- The catalog of known segments; a campaign naming another segment is refused.
CREATE TABLE segments (
    name        text        PRIMARY KEY,
    created_at  timestamptz NOT NULL DEFAULT now()
);
