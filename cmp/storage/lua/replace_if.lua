-- Compare-and-set of one string key (touch_api_key in redis.py).
-- KEYS[1]  the key
-- ARGV[1]  the value it must still hold
-- ARGV[2]  its new value
-- Returns 1 when replaced, 0 when the key held something else.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1
