-- One decision, compare-and-set on the visitor's receipt blob (redis_visitors.py).
-- KEYS[1]  the visitor's state on the site
-- KEYS[2]  the visitor's receipt blob
-- KEYS[..] then one rate-limit counter per line of ARGV[9] (single node only)
-- KEYS[..] then the site's statistics hash of the day, present only when ARGV[10] is not ''
-- KEYS[..] then the alias keys the decision claims (single node only: same slot needed)
-- ARGV[1]  the blob header as read ('' when there was no blob)
-- ARGV[2]  the new packed state
-- ARGV[3]  the new blob header
-- ARGV[4]  the new receipt, length-prefixed, appended to the blob
-- ARGV[5]  the header's length in bytes (receipt_codec.HEADER)
-- ARGV[6]  the visitor id (what a banner claim stores)
-- ARGV[7]  the conflict marker (base.ALIAS_CONFLICT)
-- ARGV[8]  the prefix of a keyed-API link (redis_aliases.API_LINK)
-- ARGV[9]  the request's rate-limit charges, one "limit expiry" line each, in the order of
--          their keys ('' for none; redis_visitors.py, charge_lines). Each counter is
--          the limiter's own fixed window (the limits library's incr_expire rule: INCRBY,
--          and EXPIRE when the counter was just created), counted before anything else.
-- ARGV[10] the statistics counters, one "increment field" line each (redis_visitors.py,
--          counter_lines): one argument rather than two per counter, fewer to send
-- Returns 0 (nothing written) when the header is no longer the one read, {i, ttl} (nothing
-- written) when charge i (0-based) went over its limit, its window ending in ttl seconds,
-- else 1.
local next_key = 3
local charge = 0
for limit, expiry in string.gmatch(ARGV[9], '(%d+) (%d+)\n') do
  local key = KEYS[next_key]
  local count = redis.call('INCRBY', key, 1)
  if count == 1 then redis.call('EXPIRE', key, expiry) end
  if count > tonumber(limit) then return {charge, redis.call('TTL', key)} end
  charge = charge + 1
  next_key = next_key + 1
end
local size = tonumber(ARGV[5])
local old = redis.call('GET', KEYS[2]) or ''
if string.sub(old, 1, size) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('SET', KEYS[2], ARGV[3] .. string.sub(old, size + 1) .. ARGV[4])
if ARGV[10] ~= '' then
  for by, field in string.gmatch(ARGV[10], '(%-?%d+) ([^\n]+)\n') do
    redis.call('HINCRBY', KEYS[next_key], field, by)
  end
  next_key = next_key + 1
end
for k = next_key, #KEYS do claim(KEYS[k], ARGV[6], ARGV[7], ARGV[8]) end
return 1
