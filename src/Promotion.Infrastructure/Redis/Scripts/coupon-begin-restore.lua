-- KEYS[1] the "restored" marker, KEYS[2] the restore lock; ARGV[1] owner, ARGV[2] lease (ms).
-- Returns 0 when the caller now holds the lock and must restore, 1 when the ledger is restored
-- already, 2 when another owner is restoring.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 1
end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 0
end
return 2
