-- Reads one shared breaker as breaker.lua left it, without changing it
-- (view.rs decides what state is in force now).
--
-- KEYS[1]  the breaker's hash.
-- KEYS[2]  its handles (presence.lua).
-- ARGV[1]  how long a handle counts as seen, in milliseconds.
--
-- Returns {{exists, now (µs), state, expiry (µs, -1 none), force end (µs,
-- -1 none), handles seen, rolling window (1) or not (0)}, {force kind, reason}, {requests, successes,
-- failures, exclusions, consecutive successes, consecutive failures}}.

local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local f = redis.call('HMGET', KEYS[1], 'st', 'exp', 't', 'fk', 'fend', 'frs', 'w')
local counts = {0, 0, 0, 0, 0, 0}
if f[3] then counts = cmsgpack.unpack(f[3]) end
local since = math.floor(now / 1000) - tonumber(ARGV[1])
local seen = redis.call('ZCOUNT', KEYS[2], since, '+inf')
return {
  {redis.call('EXISTS', KEYS[1]), now, tonumber(f[1]) or 0, tonumber(f[2]) or -1,
   tonumber(f[5]) or -1, seen, f[7] and 1 or 0},
  {f[4] or '', f[6] or ''},
  counts,
}
