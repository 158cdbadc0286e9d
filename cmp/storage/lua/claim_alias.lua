-- One alias claimed by a decision on a cluster, where it lives in another slot than the
-- decision (redis_cluster.py); the rule is alias_rule.lua's.
-- KEYS[1]  the alias
-- ARGV[1]  the visitor id
-- ARGV[2]  the conflict marker (base.ALIAS_CONFLICT)
-- ARGV[3]  the prefix of a keyed-API link (redis_aliases.API_LINK)
claim(KEYS[1], ARGV[1], ARGV[2], ARGV[3])
return 1
