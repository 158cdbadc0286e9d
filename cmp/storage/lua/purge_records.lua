-- Delete a chunk of records past retention with their index entries (redis_records.py).
-- KEYS[1..n]  the n records' keys
-- KEYS[n+1]   the time index, KEYS[n+2] the retention index
-- ARGV[1..n]  the n record ids
-- Returns how many records were deleted.
local n = 0
for i = 1, #ARGV do n = n + redis.call('DEL', KEYS[i]) end
redis.call('ZREM', KEYS[#ARGV + 1], unpack(ARGV))
redis.call('ZREM', KEYS[#ARGV + 2], unpack(ARGV))
return n
