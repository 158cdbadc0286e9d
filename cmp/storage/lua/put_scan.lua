-- Store one scan report, index it and drop the site's oldest (redis_scans.py).
-- KEYS[1]  the site's index of reports (sorted by start time)
-- KEYS[2]  the report's hash
-- ARGV[1]  the start time as epoch seconds (the score)
-- ARGV[2]  the scan id
-- ARGV[3]  the report's head (summary JSON)
-- ARGV[4]  the report, compressed
-- ARGV[5]  how many reports a site keeps (KEEP_SCANS)
-- ARGV[6]  the key prefix of the site's reports (prefix .. scan id is a report's key)
redis.call('HSET', KEYS[2], 'h', ARGV[3], 'r', ARGV[4])
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
local n = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[5])
if n > 0 then
  local old = redis.call('ZRANGE', KEYS[1], 0, n - 1)
  for _, id in ipairs(old) do redis.call('DEL', ARGV[6] .. id) end
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - 1)
end
return 1
