-- Append one confirmation record with its two indexes (redis_records.py).
-- KEYS[1]  the record's hash
-- KEYS[2]  the site's index by creation time
-- KEYS[3]  the site's index by retention
-- ARGV[1]  the record without its ids (JSON)
-- ARGV[2]  the ids' kind, ARGV[3] the ids, ARGV[4] their sequence numbers (records_codec.py)
-- ARGV[5]  created, ARGV[6] retained until (epoch seconds)
-- ARGV[7]  the record id
redis.call('HSET', KEYS[1], 'm', ARGV[1], 'k', ARGV[2], 'v', ARGV[3], 's', ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[7])
redis.call('ZADD', KEYS[3], ARGV[6], ARGV[7])
return 1
