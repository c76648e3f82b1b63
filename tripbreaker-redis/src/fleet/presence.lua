-- A handle says it is alive (presence.rs): its id in the breaker's set of
-- handles, scored with the store's time; the ids not seen for a while go.
--
-- KEYS[1]  the breaker's handles (a sorted set, in the breaker's slot).
-- ARGV[1]  the handle's id.
-- ARGV[2]  how long an id counts as seen, in milliseconds.
--
-- Returns the store's time in milliseconds.

local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local keep = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - keep))
redis.call('PEXPIRE', KEYS[1], keep)
return now
