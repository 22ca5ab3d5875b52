-- Decides a batch of logins against every coupon campaign in the ledger, and records what it
-- issued, in one atomic step (Redis runs a script without interleaving other commands), so
-- duplicate and concurrent logins of one member, in this batch or another, never both win.
-- KEYS[1] hash of campaign rules (id -> JSON), KEYS[2] the "restored" marker.
-- ARGV[1] ledger key prefix, ARGV[2] now (unix ms), then per login: member id, login time
-- (unix ms), the number of its segments, the segments.
-- Returns false when the ledger is not restored (nothing decided), else a flat list: the campaign
-- ids, in order, then one string per login with one outcome letter per campaign: i issued now,
-- p issued earlier with the write pending, w issued and written, s sold out, t outside the
-- window, g not in the segment.
-- The rule is Promotion.Domain.Coupons.CouponEligibility; keep the two alike.
if redis.call('EXISTS', KEYS[2]) == 0 then
  return false
end
local prefix = ARGV[1]
local now = tonumber(ARGV[2])
local ids = {}
local rules = {}
local raw = redis.call('HGETALL', KEYS[1])
for i = 1, #raw, 2 do
  ids[#ids + 1] = raw[i]
  rules[#rules + 1] = cjson.decode(raw[i + 1])
end
local out = {}
for c = 1, #ids do
  out[c] = ids[c]
end
local a = 3
while a <= #ARGV do
  local member = ARGV[a]
  local at = tonumber(ARGV[a + 1])
  local nseg = tonumber(ARGV[a + 2])
  local segments = {}
  for s = 1, nseg do
    segments[ARGV[a + 2 + s]] = true
  end
  a = a + 3 + nseg
  local codes = {}
  for c = 1, #ids do
    local id = ids[c]
    local rule = rules[c]
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
    codes[c] = outcome
  end
  out[#out + 1] = table.concat(codes)
end
return out
