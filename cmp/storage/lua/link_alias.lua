-- A keyed-API link of one alias (Storage.put_aliases, redis_aliases.py).
-- KEYS[1]  the alias
-- ARGV[1]  the visitor id
-- ARGV[2]  the conflict marker (base.ALIAS_CONFLICT)
-- ARGV[3]  the prefix of a keyed-API link (redis_aliases.API_LINK)
-- Links (prefix .. id) when the alias is free, already this visitor's (claim or link), or in
-- a conflict this visitor held first, and returns 1; otherwise leaves it and returns 0.
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] and holder ~= ARGV[3] .. ARGV[1]
    and holder ~= ARGV[2] .. ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[3] .. ARGV[1])
return 1
