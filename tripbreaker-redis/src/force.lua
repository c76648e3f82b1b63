-- Steering a shared breaker (force.rs): sets, ends or reads the force that
-- breaker.lua obeys. Only the force's own fields are touched (`fk` kind,
-- `fend` end, `frs` reason): the state machine goes into the forced state,
-- and out of it, at the next call of any handle, with that handle's
-- settings, so steering needs no settings and never records any.
--
-- KEYS[1]  the breaker's hash (the one breaker.lua runs on).
-- ARGV[1]  operation: 'force', 'release' or 'read'.
-- ARGV[2]  now in microseconds, or '' for the Redis server's clock (TIME).
-- ARGV[3]  how long the key outlives the force, in milliseconds.
-- force:   ARGV[4] 'o' (open) or 'c' (closed), ARGV[5] time to live in
--          microseconds, ARGV[6] the reason.
--
-- 'force' and 'release' publish `force` on `KEYS[1]:changed` (changes.rs).
--
-- Returns {kind, end, now, reason}: the force in effect after the
-- operation (for 'release', the one it ended); kind '' and end -1 when
-- there is none. A force whose end has passed is none.

local key, op = KEYS[1], ARGV[1]
local now
if ARGV[2] == '' then
  local clock = redis.call('TIME')
  now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
else
  now = tonumber(ARGV[2])
end

local f = redis.call('HMGET', key, 'fk', 'fend', 'frs')
local kind, ends, reason = f[1], f[2] and tonumber(f[2]), f[3]
if not kind or not ends or ends <= now then kind, ends, reason = '', -1, '' end

if op == 'force' then
  kind, ends, reason = ARGV[4], now + tonumber(ARGV[5]), ARGV[6]
  redis.call('HSET', key, 'fk', kind, 'fend', ends, 'frs', reason)
  -- The key outlives the force, whatever its idle expiry was.
  local keep = math.ceil((ends - now) / 1000) + tonumber(ARGV[3])
  if redis.call('PTTL', key) < keep then redis.call('PEXPIRE', key, keep) end
elseif op == 'release' then
  redis.call('HDEL', key, 'fk', 'fend', 'frs')
end
if op ~= 'read' then redis.pcall('PUBLISH', key .. ':changed', 'force') end
return {kind, ends, now, reason}
