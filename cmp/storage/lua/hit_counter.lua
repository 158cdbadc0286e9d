-- One hit on a sign-in counter, with its expiry (Storage.hit_counter, redis_sessions.py).
-- KEYS[1]  the counter
-- ARGV[1]  the window in ms (the expiry of a new counter)
-- ARGV[2]  lock_at: the count that moves the expiry (0: none)
-- ARGV[3]  the lock in ms
-- Returns {count, ms until it expires}.
local n = redis.call('INCR', KEYS[1])
if n == 1 or redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
if tonumber(ARGV[2]) > 0 and n == tonumber(ARGV[2]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return {n, redis.call('PTTL', KEYS[1])}
