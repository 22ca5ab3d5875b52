-- KEYS[1] the "restored" marker, KEYS[2] the restore lock; ARGV[1] owner, ARGV[2] "1" when the
-- restore completed, ARGV[3] the marker's value. Only the lock's owner may set the marker: a
-- restorer whose lock ran out may have missed writes another restore made.
if redis.call('GET', KEYS[2]) == ARGV[1] then
  if ARGV[2] == '1' then
    redis.call('SET', KEYS[1], ARGV[3])
  end
  redis.call('DEL', KEYS[2])
  return 1
end
return 0
