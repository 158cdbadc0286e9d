#!lua flags=no-writes,allow-cross-slot-keys
-- GET many keys on one cluster node in one call (bulk.py, the cluster's bulk read).
-- KEYS       none: the keys span many slots, and a declared key list must keep to one slot
--            (CROSSSLOT), whatever the flags; keys read by redis.call may span slots of this
--            node under allow-cross-slot-keys
-- ARGV[1..]  the keys, in slots that this node served when the client last read the table
-- Returns {values, refused}: values[i] is the value of ARGV[i] (nil when it has none or was
-- refused); refused lists every i that this node would not read, because its slot has moved
-- or is moving away ("non local key"), the cluster is down, or the key is no string, so
-- that the caller re-reads those keys through the client's redirections. A key that moved is
-- thereby never answered as missing.
local values, refused = {}, {}
for i, key in ipairs(ARGV) do
  local value = redis.pcall('GET', key)
  if type(value) == 'table' then
    values[i] = false
    refused[#refused + 1] = i
  else
    values[i] = value
  end
end
return {values, refused}
