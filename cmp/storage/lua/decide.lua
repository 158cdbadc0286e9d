-- One decision, compare-and-set on the visitor's receipt blob (redis_visitors.py).
-- KEYS[1]  the visitor's state on the site
-- KEYS[2]  the visitor's receipt blob
-- KEYS[3]  the site's statistics hash of the day, present only when ARGV[9] is not ''
-- KEYS[..] then the alias keys the decision claims (single node only: same slot needed)
-- ARGV[1]  the blob header as read ('' when there was no blob)
-- ARGV[2]  the new packed state
-- ARGV[3]  the new blob header
-- ARGV[4]  the new receipt, length-prefixed, appended to the blob
-- ARGV[5]  the header's length in bytes (receipt_codec.HEADER)
-- ARGV[6]  the visitor id (what a banner claim stores)
-- ARGV[7]  the conflict marker (base.ALIAS_CONFLICT)
-- ARGV[8]  the prefix of a keyed-API link (redis_aliases.API_LINK)
-- ARGV[9]  the statistics counters, one "increment field" line each (redis_visitors.py,
--          counter_lines): one argument rather than two per counter, fewer to send
-- Returns 0 (nothing written) when the header is no longer the one read, else 1.
local size = tonumber(ARGV[5])
local old = redis.call('GET', KEYS[2]) or ''
if string.sub(old, 1, size) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('SET', KEYS[2], ARGV[3] .. string.sub(old, size + 1) .. ARGV[4])
local first_alias = 3
if ARGV[9] ~= '' then
  for by, field in string.gmatch(ARGV[9], '(%-?%d+) ([^\n]+)\n') do
    redis.call('HINCRBY', KEYS[3], field, by)
  end
  first_alias = 4
end
for k = first_alias, #KEYS do claim(KEYS[k], ARGV[6], ARGV[7], ARGV[8]) end
return 1
