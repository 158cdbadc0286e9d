#!lua flags=no-writes,allow-cross-slot-keys
-- GET many keys on one cluster node in one call (bulk.py, the cluster's bulk read).
-- KEYS       none: the keys span many slots, and a declared key list must keep to one slot
--            (CROSSSLOT) whatever the flags; keys read by redis.call may span this node's
--            slots under allow-cross-slot-keys
-- ARGV[1..]  the keys, in slots that this node served when the client last read the table
-- Returns {values, refused}: values[i] is the value of ARGV[i] (nil when it has none or was
-- refused); refused lists every i that this node would not read, because its slot has moved
-- or is moving away ("non local key"), the cluster is down, or the key is no string, so
-- that the caller re-reads those keys through the client's redirections. A key that moved is
-- thereby never answered as missing.
local function read_all()
  local values = {}
  for i = 1, #ARGV do
    values[i] = redis.call('GET', ARGV[i])
  end
  return values
end

-- The usual case in one loop; redis.pcall costs more per key, so it is used only once a
-- key was refused.
local ok, values = pcall(read_all)
if ok then
  return {values, {}}
end
local refused = {}
values = {}
for i = 1, #ARGV do
  local value = redis.pcall('GET', ARGV[i])
  if type(value) == 'table' then
    values[i] = false
    refused[#refused + 1] = i
  else
    values[i] = value
  end
end
return {values, refused}
