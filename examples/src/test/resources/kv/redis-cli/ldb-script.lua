local a = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1])
local b = redis.call('GET', KEYS[1])
return {a, b}
