-- The rule of a banner decision claiming one alias (Storage.record_decision), shared by
-- decide.lua and claim_alias.lua. An alias key holds the raw visitor id (a banner claim),
-- `api` .. id (a keyed-API link) or `mark` .. first holder (a conflict).
-- An alias no one holds is claimed; one this visitor holds keeps its value (so an API link
-- is never downgraded); one another visitor holds through a banner claim becomes a
-- conflict; another visitor's API link and an existing conflict are left as they are.
local function claim(key, vid, mark, api)
  local holder = redis.call('GET', key)
  if not holder then
    redis.call('SET', key, vid)
  elseif holder ~= vid and string.sub(holder, 1, #api) ~= api
      and string.sub(holder, 1, #mark) ~= mark then
    redis.call('SET', key, mark .. holder)
  end
end
