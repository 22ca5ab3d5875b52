-- Lazy coupons: coupon campaigns, and the coupons issued on login, one per member per campaign.
-- Redis decides who gets a coupon; these tables are the durable truth and the backstop.
CREATE TABLE coupon_campaigns (
    id          uuid           PRIMARY KEY,
    name        text           NOT NULL,
    -- Null for every member; else the segment a member must be in at login.
    segment     text           NULL,
    valid_from  timestamptz    NOT NULL,
    valid_to    timestamptz    NOT NULL,
    -- Null for unlimited.
    stock       bigint         NULL CHECK (stock > 0),
    title       text           NOT NULL,
    amount      numeric(12, 2) NULL CHECK (amount > 0),
    percent     int            NULL CHECK (percent BETWEEN 1 AND 100),
    min_spend   numeric(12, 2) NULL CHECK (min_spend >= 0),
    -- Coupons written; raised in the transaction that writes them, so never above stock.
    issued      bigint         NOT NULL DEFAULT 0,
    created_at  timestamptz    NOT NULL,
    stopped_at  timestamptz    NULL,
    CHECK (valid_from < valid_to),
    CHECK ((amount IS NULL) <> (percent IS NULL)),
    CHECK (stock IS NULL OR issued <= stock)
);
-- The list, newest first.
CREATE INDEX coupon_campaigns_created_at ON coupon_campaigns (created_at DESC, id DESC);
-- Live campaigns (restores and the mirror): not stopped, not yet ended.
CREATE INDEX coupon_campaigns_live ON coupon_campaigns (valid_to) WHERE stopped_at IS NULL;

-- An issued or claimed coupon reads as expired from valid_to on; 'expired' is stored only when a
-- coupon is expired explicitly, so the end of a campaign writes nothing.
CREATE TABLE coupons (
    id                 uuid        PRIMARY KEY,
    coupon_campaign_id uuid        NOT NULL REFERENCES coupon_campaigns (id),
    member_id          bigint      NOT NULL,
    status             text        NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'claimed', 'redeemed', 'expired')),
    issued_at          timestamptz NOT NULL,
    claimed_at         timestamptz NULL,
    redeemed_at        timestamptz NULL,
    order_id           text        NULL,
    -- The backstop: one coupon per member per coupon campaign, whatever the ledger decided.
    -- Also serves restores, which read a campaign's members from it (index-only).
    CONSTRAINT coupons_one_per_member UNIQUE (coupon_campaign_id, member_id)
);
-- A member's coupons.
CREATE INDEX coupons_member ON coupons (member_id);
