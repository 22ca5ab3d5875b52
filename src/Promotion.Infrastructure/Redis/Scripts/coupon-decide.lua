-- Decides one login against every coupon campaign in the ledger, and records what it issued,
-- in one atomic step (Redis runs a script without interleaving other commands).
-- KEYS[1] hash of campaign rules (id -> JSON), KEYS[2] the "restored" marker.
-- ARGV[1] ledger key prefix, ARGV[2] member id, ARGV[3] login time and ARGV[4] now (unix ms),
-- ARGV[5..] the member's segments.
-- Returns nil when the ledger is not restored (nothing decided), else a flat list of
-- campaign id, outcome: i issued now, p issued earlier with the write pending, w issued and
-- written, s sold out, t outside the window, g not in the segment.
-- The rule is Promotion.Domain.Coupons.CouponEligibility; keep the two alike.
if redis.call('EXISTS', KEYS[2]) == 0 then
  return false
end
local prefix = ARGV[1]
local member = ARGV[2]
local at = tonumber(ARGV[3])
local now = tonumber(ARGV[4])
local segments = {}
for i = 5, #ARGV do
  segments[ARGV[i]] = true
end
local out = {}
local rules = redis.call('HGETALL', KEYS[1])
for i = 1, #rules, 2 do
  local id = rules[i]
  local rule = cjson.decode(rules[i + 1])
  local issued = prefix .. id .. ':issued'
  -- An earlier issue is reported whatever this login is, so a pending write is always retried.
  local outcome = redis.call('HGET', issued, member)
  if outcome then
    -- p or w, as recorded
  elseif at < rule.from or at >= rule.to or now >= rule.to then
    outcome = 't'
  elseif type(rule.segment) == 'string' and not segments[rule.segment] then
    outcome = 'g'
  elseif rule.limited then
    local stock = prefix .. id .. ':stock'
    local left = tonumber(redis.call('GET', stock) or '0')
    if left > 0 then
      redis.call('DECR', stock)
      redis.call('HSET', issued, member, 'p')
      outcome = 'i'
    else
      outcome = 's'
    end
  else
    redis.call('HSET', issued, member, 'p')
    outcome = 'i'
  end
  out[#out + 1] = id
  out[#out + 1] = outcome
end
return out
