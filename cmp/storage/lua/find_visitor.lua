-- Which of a batch of confirmation records list one visitor (redis_records.py, for
-- disclosure requests; the two forms of the ids are records_codec.py's).
-- KEYS[1..]  the records' hashes
-- ARGV[1]    the visitor id
-- ARGV[2]    the width of an id in the fixed-width form (records_codec.VID_WIDTH)
-- ARGV[3]    the kind tag of the fixed-width form (records_codec.FIXED)
-- ARGV[4]    the kind tag of the text form (records_codec.TEXT)
-- ARGV[5]    what the text form holds around the visitor's id (records_codec.text_needle)
-- Returns the 1-based positions of the records that list the visitor (in the fixed-width
-- form a match must start on an id boundary).
local found = {}
local vid, width, fixed, text, needle = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5]
for n, key in ipairs(KEYS) do
  local kind = redis.call('HGET', key, 'k')
  local blob = redis.call('HGET', key, 'v')
  if kind == fixed and blob and #vid == width then
    local start = 1
    while true do
      local at = string.find(blob, vid, start, true)
      if not at then break end
      if (at - 1) % width == 0 then table.insert(found, n) break end
      start = at + 1
    end
  elseif kind == text and blob then
    if string.find(blob, needle, 1, true) then table.insert(found, n) end
  end
end
return found
