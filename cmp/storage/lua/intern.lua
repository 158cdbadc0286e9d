-- Intern one string in an append-only table (intern.py).
-- KEYS[1]  the table's list (id -> string)
-- KEYS[2]  the table's index hash (string -> id)
-- ARGV[1]  the string
-- ARGV[2]  the table's cap (0: none)
-- Returns the string's id (a new string is appended), or -1 when the string is new and the
-- table already holds `cap` strings.
local i = redis.call('HGET', KEYS[2], ARGV[1])
if i then return tonumber(i) end
local cap = tonumber(ARGV[2])
if cap > 0 and redis.call('LLEN', KEYS[1]) >= cap then return -1 end
i = redis.call('RPUSH', KEYS[1], ARGV[1]) - 1
redis.call('HSET', KEYS[2], ARGV[1], i)
return i
