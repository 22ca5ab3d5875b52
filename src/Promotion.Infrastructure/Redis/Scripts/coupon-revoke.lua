-- Takes back coupons the store refused because the campaign's stock is used up there: a coupon
-- still pending is removed, and the campaign's stock left becomes 0 (the store's count wins).
-- ARGV[1] ledger key prefix, then pairs of campaign id, member id.
local prefix = ARGV[1]
for i = 2, #ARGV, 2 do
  local issued = prefix .. ARGV[i] .. ':issued'
  if redis.call('HGET', issued, ARGV[i + 1]) == 'p' then
    redis.call('HDEL', issued, ARGV[i + 1])
  end
  redis.call('SET', prefix .. ARGV[i] .. ':stock', 0)
end
return 1
