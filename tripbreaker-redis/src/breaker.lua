-- The whole gobreaker v2 state machine, run atomically by Redis: the same
-- steps as tripbreaker/src/breaker.rs and tripbreaker/src/window.rs, in the same
-- order, so every field matches the core on every step.
--
-- KEYS[1]  the breaker's hash (one key, so one slot in a cluster).
-- ARGV[1]  operation: 'acquire', 'record', 'sync' or 'read'.
-- ARGV[2]  now in microseconds, or '' for the Redis server's clock (TIME).
-- ARGV[3]  key expiry in milliseconds, refreshed by every call.
-- ARGV[4]  half-open limit (max_requests, or 1 if zero).
-- ARGV[5]  bucket length in microseconds (the interval for a fixed window); 0: never.
-- ARGV[6]  buckets in the window (1: a fixed window).
-- ARGV[7]  open timeout in microseconds.
-- ARGV[8]  trip rule: 'c' (consecutive failures) or 'r' (failure rate).
-- ARGV[9]  the rule's count: failures in a row, or minimum requests.
-- ARGV[10] the failure-rate ratio (a decimal that parses to the exact f64).
-- ARGV[11] backoff multiplier (0: none).  ARGV[12] backoff cap in microseconds.
-- ARGV[13] longest half-open wait in microseconds (-1: none).
-- ARGV[14] slow-call limit in microseconds (-1: none).
-- ARGV[15] the caller's last view of the state (0 closed, 1 half-open,
--          2 open until ARGV[16], 3 open for ARGV[16] more microseconds,
--          -1 none): used only when the key is missing, so a restarted
--          Redis never re-admits calls a breaker seen open (or a handle's
--          local breaker, while Redis was away, opened) would have rejected.
-- ARGV[17] the fingerprint of ARGV[4..14] as ARGV[18] describes them
--          (`name=value; …`): the first call records both; a call with
--          another fingerprint changes nothing and gets the error reply
--          `SETTINGS <the recorded description>`.
-- record:  ARGV[19] ticket epoch, ARGV[20] generation, ARGV[21] bucket age,
--          ARGV[22] admitted at (microseconds), ARGV[23] outcome
--          ('s' success, 'f' failure, 'x' excluded).
-- sync:    (fast mode: calls a handle admitted and counted itself while
--          closed) ARGV[19] epoch, ARGV[20] generation they were admitted
--          in, then ARGV[21..28] requests, successes, failures, exclusions,
--          failures before the first success, the longest run of failures,
--          trailing failures, trailing successes. Counted only if the
--          breaker is still closed in that generation; a failure among
--          them trips it as one recorded after the shared ones would have.
-- A run that changes the state publishes `epoch:generation` on
-- `KEYS[1]:changed` (changes.rs).
--
-- A force set by force.lua (fields `fk`, `fend`, `frs`) is obeyed first: while
-- it lasts the state is forced open or forced closed; once it has ended or
-- been released, the breaker goes on closed with fresh counts.
--
-- Returns {code, state, generation, epoch, age, now, expiry, force end,
--          requests, successes, failures, exclusions, consecutive successes,
--          consecutive failures, then per transition (from, to, at, reason,
--          and the six counts as they stood when it fired)}.
-- code: 1 admitted, 0 nothing to admit, -1 rejected open, -2 too many requests.
-- States: 0 closed, 1 half-open, 2 open, 3 forced open, 4 forced closed.
-- Expiry -1: nothing due. Force end -1: no force (else the state is forced).
-- Reasons (tripbreaker's `Reason`): 0 consecutive failures, 1 failure rate,
-- 3 slow call, 4 trial failed, 5 trials succeeded, 6 timeout elapsed,
-- 7 half-open wait expired, 8 forced, 9 released.

local MAX = 4294967295
local CLOSED, HALF_OPEN, OPEN, FORCED_OPEN, FORCED_CLOSED = 0, 1, 2, 3, 4
local CONSECUTIVE_FAILURES, FAILURE_RATE, SLOW_CALL, TRIAL_FAILED = 0, 1, 3, 4
local TRIALS_SUCCEEDED, TIMEOUT_ELAPSED, HALF_OPEN_WAIT_EXPIRED = 5, 6, 7
local FORCED, RELEASED = 8, 9

local key, op = KEYS[1], ARGV[1]
local now
local clock = redis.call('TIME')
local server_now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
if ARGV[2] == '' then now = server_now else now = tonumber(ARGV[2]) end
local ttl = tonumber(ARGV[3])
local limit = tonumber(ARGV[4])
local bucket = tonumber(ARGV[5])
local len = tonumber(ARGV[6])
local base_timeout = tonumber(ARGV[7])
local rule, rule_n, ratio = ARGV[8], tonumber(ARGV[9]), tonumber(ARGV[10])
local multiplier, backoff_cap = tonumber(ARGV[11]), tonumber(ARGV[12])
local half_open_wait = tonumber(ARGV[13])
local slow_call = tonumber(ARGV[14])
local rolling = len > 1

local function sat(n) if n > MAX then return MAX end return n end
local function zero() return {0, 0, 0, 0, 0, 0} end -- r s f x cs cf

-- The stored breaker, or a fresh closed one.
local b = {}
local raw = redis.call('HGETALL', key)
for i = 1, #raw, 2 do b[raw[i]] = raw[i + 1] end
-- One set of settings per breaker: refused before anything is read or written.
local fingerprint, description = ARGV[17], ARGV[18]
if b.fp ~= nil and b.fp ~= fingerprint then
  return redis.error_reply('SETTINGS ' .. (b.cfg or ''))
end
local fresh = b.st == nil
local st = tonumber(b.st) or CLOSED
local gen = tonumber(b.gen) or 0
local epoch = tonumber(b.epoch) or server_now
local start = tonumber(b.start) or now
local expiry = tonumber(b.exp) or -1
local open_timeout = tonumber(b.ot) or base_timeout
local age = tonumber(b.age) or 0
local total = zero()
if b.t then total = cmsgpack.unpack(b.t) end
local buckets = {}
if rolling then
  if b.w then buckets = cmsgpack.unpack(b.w) end
  for i = 1, len do buckets[i] = buckets[i] or zero() end
end
local transitions = {}

-- The window (window.rs).
local function slot(a) return (a % len) + 1 end

local function clear()
  total = zero()
  age = 0
  if rolling then for i = 1, len do buckets[i] = zero() end end
end

local function on_request()
  total[1] = sat(total[1] + 1)
  if rolling then local n = buckets[slot(age)]; n[1] = sat(n[1] + 1) end
end

local function count(c, outcome)
  if outcome == 's' then
    c[2] = sat(c[2] + 1); c[5] = sat(c[5] + 1); c[6] = 0
  elseif outcome == 'f' then
    c[3] = sat(c[3] + 1); c[6] = sat(c[6] + 1); c[5] = 0
  else
    c[4] = sat(c[4] + 1)
  end
end

local function on_outcome(a, outcome)
  if a > age or age - a >= len then return end
  count(total, outcome)
  if rolling then count(buckets[slot(a)], outcome) end
end

-- gobreaker's rule: a streak loses the evicted bucket's own streak only
-- when it equals that streak plus the other buckets' totals of its kind.
local function subtract(oldest)
  local old = buckets[oldest]
  local successes, failures = old[5], old[6]
  for i = 1, len do
    if i ~= oldest then
      successes = sat(successes + buckets[i][2])
      failures = sat(failures + buckets[i][3])
    end
  end
  if total[5] == successes then total[5] = math.max(total[5] - old[5], 0) end
  if total[6] == failures then total[6] = math.max(total[6] - old[6], 0) end
  for i = 1, 4 do total[i] = math.max(total[i] - old[i], 0) end
end

local function grow(to)
  if to <= age then return end
  if to - age >= len then clear(); age = to; return end
  while age < to do
    age = age + 1
    local oldest = slot(age)
    subtract(oldest)
    buckets[oldest] = zero()
  end
end

-- The state machine (breaker.rs).
local function start_new_generation(at)
  gen = gen + 1
  start = at
  clear()
  if st == CLOSED or st == FORCED_CLOSED then
    if bucket > 0 then expiry = at + bucket else expiry = -1 end
  elseif st == OPEN then
    expiry = at + open_timeout
  elseif st == FORCED_OPEN then
    expiry = -1
  elseif half_open_wait >= 0 then
    expiry = at + half_open_wait
  else
    expiry = -1
  end
end

local function set_state(to, at, reason)
  if st == to then return end
  local from = st
  local counts = {total[1], total[2], total[3], total[4], total[5], total[6]}
  st = to
  if from == HALF_OPEN and to == OPEN and multiplier > 0 then
    open_timeout = math.min(open_timeout * multiplier, math.max(backoff_cap, base_timeout))
  elseif to == OPEN or to == CLOSED then
    open_timeout = base_timeout
  end
  start_new_generation(at)
  transitions[#transitions + 1] = {from, to, at, reason, counts}
end

local function start_new_bucket(at)
  local a = math.floor((at - start) / bucket)
  if at < start then a = 0 end
  grow(a)
  expiry = start + (a + 1) * bucket
end

local function current_state()
  if expiry < 0 then return st end
  local counting = st == CLOSED or st == FORCED_CLOSED
  if counting and rolling then
    if expiry <= now then start_new_bucket(now) end
  elseif counting then
    if expiry < now then start_new_generation(now) end
  elseif st == OPEN then
    if expiry < now then set_state(HALF_OPEN, now, TIMEOUT_ELAPSED) end
  elseif st == HALF_OPEN and expiry < now then
    set_state(OPEN, now, HALF_OPEN_WAIT_EXPIRED)
  end
  return st
end

local function is_tripped()
  if rule == 'c' then return total[6] >= rule_n end
  local rate = 0
  if total[1] > 0 then rate = total[3] / total[1] end
  return total[1] >= rule_n and rate >= ratio
end

if fresh then
  start_new_generation(now)
  -- The key was lost (a restart, or no one used it for its whole expiry):
  -- resume from what the caller last saw, erring towards rejecting.
  local seen, seen_expiry = tonumber(ARGV[15]), tonumber(ARGV[16])
  if seen == OPEN then
    set_state(OPEN, now, TRIAL_FAILED) -- not reported: dropped below
    expiry = seen_expiry
    transitions = {}
  elseif seen == 3 then
    set_state(OPEN, now, TRIAL_FAILED)
    expiry = now + seen_expiry
    transitions = {}
  elseif seen == HALF_OPEN then
    set_state(OPEN, now, TRIAL_FAILED)
    transitions = {}
  end
end

-- The force in effect, if any: it decides before the state machine does.
local force_end, forced = -1, nil
local fend = tonumber(b.fend)
if b.fk ~= nil and fend ~= nil and fend > now then
  force_end = fend
  if b.fk == 'o' then forced = FORCED_OPEN else forced = FORCED_CLOSED end
elseif b.fk ~= nil then
  redis.call('HDEL', key, 'fk', 'fend', 'frs') -- ended: nothing to keep
end
if forced ~= nil then
  set_state(forced, now, FORCED)
elseif st == FORCED_OPEN or st == FORCED_CLOSED then
  set_state(CLOSED, now, RELEASED)
end

local code = 0
if op == 'acquire' then
  local state = current_state()
  if state == CLOSED or state == FORCED_CLOSED then
    on_request(); code = 1
  elseif state == HALF_OPEN then
    if total[1] - total[4] < limit then on_request(); code = 1 else code = -2 end
  else
    code = -1
  end
elseif op == 'record' then
  local state = current_state()
  if tonumber(ARGV[19]) == epoch and tonumber(ARGV[20]) == gen then
    local a, outcome = tonumber(ARGV[21]), ARGV[23]
    local trip, trial = CONSECUTIVE_FAILURES, TRIAL_FAILED
    if rule ~= 'c' then trip = FAILURE_RATE end
    if outcome == 's' and slow_call >= 0 and now - tonumber(ARGV[22]) > slow_call then
      outcome = 'f'
      trip, trial = SLOW_CALL, SLOW_CALL
    end
    if outcome == 's' then
      if state == CLOSED or state == FORCED_CLOSED then
        on_outcome(a, 's')
      elseif state == HALF_OPEN then
        on_outcome(a, 's')
        if total[5] >= limit then set_state(CLOSED, now, TRIALS_SUCCEEDED) end
      end
    elseif outcome == 'f' then
      if state == CLOSED then
        on_outcome(a, 'f')
        if is_tripped() then set_state(OPEN, now, trip) end
      elseif state == FORCED_CLOSED then
        on_outcome(a, 'f') -- counted, never tripping
      elseif state == HALF_OPEN then
        set_state(OPEN, now, trial)
      end
    elseif state ~= OPEN and state ~= FORCED_OPEN then
      on_outcome(a, 'x')
    end
  end
elseif op == 'sync' then
  local state = current_state()
  if state == CLOSED and tonumber(ARGV[19]) == epoch and tonumber(ARGV[20]) == gen then
    local n = {}
    for i = 21, 28 do n[#n + 1] = tonumber(ARGV[i]) end
    local r, s, f, x, lead_f, run_f, tail_f, tail_s = unpack(n)
    -- The longest streak of failures the shared counts went through.
    local longest = math.max(total[6] + lead_f, run_f)
    local function merge(c)
      c[1] = sat(c[1] + r); c[2] = sat(c[2] + s); c[3] = sat(c[3] + f); c[4] = sat(c[4] + x)
      if f > 0 then c[5] = tail_s else c[5] = sat(c[5] + s) end
      if s > 0 then c[6] = tail_f else c[6] = sat(c[6] + f) end
    end
    merge(total)
    if rolling then merge(buckets[slot(age)]) end
    if f > 0 then
      if rule == 'c' and longest >= rule_n then
        set_state(OPEN, now, CONSECUTIVE_FAILURES)
      elseif rule ~= 'c' and is_tripped() then
        set_state(OPEN, now, FAILURE_RATE)
      end
    end
  end
else
  current_state()
end

local fields = {'st', st, 'gen', gen, 'epoch', epoch, 'start', start, 'exp', expiry,
  'ot', open_timeout, 'age', age, 't', cmsgpack.pack(total)}
if rolling then
  fields[#fields + 1] = 'w'
  fields[#fields + 1] = cmsgpack.pack(buckets)
end
if b.fp == nil then
  fields[#fields + 1] = 'fp'; fields[#fields + 1] = fingerprint
  fields[#fields + 1] = 'cfg'; fields[#fields + 1] = description
end
redis.call('HSET', key, unpack(fields))
-- A forced key outlives its force (force.lua set it so).
if force_end < 0 or redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end

-- Fast handles stop admitting by themselves as soon as they hear of it.
-- pcall: a user the ACL denies the channel still runs the breaker.
if #transitions > 0 then
  redis.pcall('PUBLISH', key .. ':changed', string.format('%d:%d', epoch, gen))
end

local reply = {code, st, gen, epoch, age, now, expiry, force_end}
for i = 1, 6 do reply[#reply + 1] = total[i] end
for _, t in ipairs(transitions) do
  reply[#reply + 1] = t[1]; reply[#reply + 1] = t[2]; reply[#reply + 1] = t[3]
  reply[#reply + 1] = t[4]
  for i = 1, 6 do reply[#reply + 1] = t[5][i] end
end
return reply
