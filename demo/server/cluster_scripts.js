// The cluster's state changes, each one Lua script that Redis runs atomically: a seq is assigned,
// a frame kept for replay and published to the instance holding the recipient's socket in one
// step, so two instances can never give two frames the same seq or deliver one twice.
// docs/ARCHITECTURE.md, "Cluster mode", lists the keys.
//
// Keys (P = the key prefix, default "rtc:"):
//   P p:<id>       hash: room, name, sid, sh, sub, summary, epoch, inst, out, in, bytes
//   P l:<id>       sorted set: the unacked reliable frames for <id>, score = seq, member = the text
//   P r:<room>     hash: member id -> summary JSON ({"id","name"})
//   P ip:<inst>    set: ids attached to an instance
//   P grace        sorted set: detached ids, score = when their grace period ends (ms)
//   P g:<sid>      a session whose grace period ran out (a resume gets the id, a fresh session)
//   P v:<sid>      a session revoked by leave
//   P bytes        every peer's unacked bytes, against the cluster-wide cap
//   P instances    set of instance ids; P hb:<inst> is each one's heartbeat (TTL)
//   P cluster      a random marker: missing or changed means Redis lost its data
//
// Messages published to `P i:<inst>`, one line each:
//   "f <id> <epoch> <seq> <text>"   a reliable frame for a socket attached there
//   "r <id> <epoch>"                that attach was replaced by a resume elsewhere: close it
//   "s <id> <epoch>"                its replay queue is full and it does not ack: close it

/** The shared Lua functions, with the limits and prefix baked in. */
function prelude({ prefix, maxReplayBytes, maxTotalReplayBytes }) {
  return `
local P = ${JSON.stringify(prefix)}
local MAXP = ${Number(maxReplayBytes)}
local MAXT = ${Number(maxTotalReplayBytes)}

local function publish(inst, line)
  if inst and inst ~= '' then redis.call('PUBLISH', P .. 'i:' .. inst, line) end
end

-- Numbers the frame with the recipient's next seq, keeps it until acked, sends it to its socket.
local function deliver(id, typ, rest, signal)
  local pk = P .. 'p:' .. id
  local p = redis.call('HMGET', pk, 'out', 'bytes', 'inst', 'epoch')
  if not p[1] then return 'unknown-peer' end
  local seq = tonumber(p[1]) + 1
  local text = '{"type":"' .. typ .. '","seq":' .. seq .. rest
  local bytes = tonumber(p[2])
  local total = tonumber(redis.call('GET', P .. 'bytes') or '0')
  if bytes + #text > MAXP or total + #text > MAXT then
    if signal then return 'backlogged' end
    publish(p[3], 's ' .. id .. ' ' .. p[4])
    return 'dropped'
  end
  redis.call('HSET', pk, 'out', seq, 'bytes', bytes + #text)
  redis.call('INCRBY', P .. 'bytes', #text)
  redis.call('ZADD', P .. 'l:' .. id, seq, text)
  publish(p[3], 'f ' .. id .. ' ' .. p[4] .. ' ' .. seq .. ' ' .. text)
  return 'ok'
end

-- Drops the frames up to seq 'upto' (acked, or the peer is gone).
local function trim(id, upto)
  local lk = P .. 'l:' .. id
  local gone = redis.call('ZRANGEBYSCORE', lk, '-inf', upto)
  if #gone == 0 then return end
  local n = 0
  for _, t in ipairs(gone) do n = n + #t end
  redis.call('ZREMRANGEBYSCORE', lk, '-inf', upto)
  redis.call('HINCRBY', P .. 'p:' .. id, 'bytes', -n)
  redis.call('DECRBY', P .. 'bytes', n)
end

-- Removes a peer and tells the rest of its room why.
local function remove(id, reason)
  local pk = P .. 'p:' .. id
  local p = redis.call('HMGET', pk, 'room', 'inst')
  if not p[1] then return end
  local rk = P .. 'r:' .. p[1]
  redis.call('HDEL', rk, id)
  if p[2] ~= '' then redis.call('SREM', P .. 'ip:' .. p[2], id) end
  redis.call('ZREM', P .. 'grace', id)
  trim(id, '+inf')
  redis.call('DEL', P .. 'l:' .. id, pk)
  local rest = ',"id":' .. cjson.encode(id) .. ',"reason":"' .. reason .. '"}'
  for _, other in ipairs(redis.call('HKEYS', rk)) do deliver(other, 'peer-left', rest, false) end
end

-- The room's members other than id, as summary JSON strings.
local function others(room, id)
  local all = redis.call('HGETALL', P .. 'r:' .. room)
  local out = {}
  for i = 1, #all, 2 do
    if all[i] ~= id then out[#out + 1] = all[i + 1] end
  end
  return out
end

-- Is this (id, epoch) still the peer's current attach?  Returns the hash fields asked for, or an
-- error word.
local function current(id, epoch, ...)
  local p = redis.call('HMGET', P .. 'p:' .. id, 'epoch', ...)
  if not p[1] then return nil, 'missing' end
  if tonumber(p[1]) ~= tonumber(epoch) then return nil, 'replaced' end
  return p
end
`;
}

// ARGV: room, id, name, summary, sid, sh, sub, inst, out, maxPeers, mode ('new' | 'resume'),
//       token sid, token sh (resume)
// A resume whose peer is gone: 'fresh' (grace expired: same id, the new session given) or
// 'restored' (Redis lost it: the token's session, numbering after the client's lastSeq).
// Returns {kind, epoch, ...other members' summaries}.
const JOIN = `
local room, id, name, summary = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local sid, sh, sub, inst, out = ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9]
local kind = 'new'
if ARGV[11] == 'resume' then
  if redis.call('EXISTS', P .. 'v:' .. ARGV[12]) == 1 then return {'revoked'} end
  if redis.call('EXISTS', P .. 'g:' .. ARGV[12]) == 1 then
    kind = 'fresh'
    out = '0'
  else
    kind = 'restored'
    sid, sh = ARGV[12], ARGV[13]
  end
end
if redis.call('EXISTS', P .. 'p:' .. id) == 1 then return {'taken'} end
local rk = P .. 'r:' .. room
if redis.call('HLEN', rk) >= tonumber(ARGV[10]) then return {'full'} end
local members = others(room, id)
for _, other in ipairs(redis.call('HKEYS', rk)) do deliver(other, 'peer-joined', ',"peer":' .. summary .. '}', false) end
redis.call('HSET', rk, id, summary)
redis.call('HSET', P .. 'p:' .. id, 'room', room, 'name', name, 'summary', summary, 'sid', sid, 'sh', sh,
  'sub', sub, 'epoch', 1, 'inst', inst, 'out', out, 'in', 0, 'bytes', 0)
redis.call('SADD', P .. 'ip:' .. inst, id)
local reply = {kind, 1}
for _, m in ipairs(members) do reply[#reply + 1] = m end
return reply
`;

// ARGV: id, sid, room, inst, lastSeq
// The same session on a new socket: the attach moves here (the old socket, wherever it is, is
// told to close), the frames the client has are dropped and the rest returned for replay.
// Returns {'ok', epoch, inSeq, name, memberCount, ...members, ...replay texts} or {word}.
const RESUME = `
local id, sid, room, inst, lastSeq = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
if redis.call('EXISTS', P .. 'v:' .. sid) == 1 then return {'revoked'} end
local pk = P .. 'p:' .. id
local p = redis.call('HMGET', pk, 'sid', 'room', 'epoch', 'inst', 'out', 'in', 'name')
if not p[1] then return {'missing'} end
if p[1] ~= sid or p[2] ~= room then return {'other'} end
local epoch = tonumber(p[3]) + 1
if p[4] ~= '' then
  publish(p[4], 'r ' .. id .. ' ' .. p[3])
  redis.call('SREM', P .. 'ip:' .. p[4], id)
end
redis.call('HSET', pk, 'epoch', epoch, 'inst', inst)
redis.call('ZREM', P .. 'grace', id)
redis.call('SADD', P .. 'ip:' .. inst, id)
trim(id, math.min(lastSeq, tonumber(p[5])))
local members = others(room, id)
local reply = {'ok', epoch, tonumber(p[6]), p[7], #members}
for _, m in ipairs(members) do reply[#reply + 1] = m end
for _, t in ipairs(redis.call('ZRANGEBYSCORE', P .. 'l:' .. id, '(' .. lastSeq, '+inf')) do reply[#reply + 1] = t end
return reply
`;

// ARGV: from, epoch, seq, to, rest. Exactly once: the client's seq is consumed in the same step
// as the frame is delivered, so a resend after any crash is recognised.
const RELAY = `
local from, epoch, seq, to, rest = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5]
local p, err = current(from, epoch, 'in', 'room')
if not p then return {err} end
if seq <= tonumber(p[2]) then return {'dup', tonumber(p[2])} end
redis.call('HSET', P .. 'p:' .. from, 'in', seq)
if to == from then return {'self', seq} end
if redis.call('HGET', P .. 'p:' .. to, 'room') ~= p[3] then return {'unknown-peer', seq} end
return {deliver(to, 'signal', rest, true), seq}
`;

// ARGV: id, epoch, seq
const ACK = `
local p, err = current(ARGV[1], ARGV[2], 'out')
if not p then return err end
if tonumber(ARGV[3]) > tonumber(p[2]) then return 'beyond' end
trim(ARGV[1], ARGV[3])
return 'ok'
`;

// ARGV: id, epoch, sid, revokedTtlMs
const LEAVE = `
local p, err = current(ARGV[1], ARGV[2])
if not p then return err end
redis.call('SET', P .. 'v:' .. ARGV[3], '1', 'PX', ARGV[4])
remove(ARGV[1], 'left')
return 'ok'
`;

// ARGV: id, epoch, inst, graceEndsAt. The socket closed without leave: the grace period starts.
const DETACH = `
local p, err = current(ARGV[1], ARGV[2], 'inst')
if not p then return err end
if p[2] ~= ARGV[3] then return 'moved' end
redis.call('HSET', P .. 'p:' .. ARGV[1], 'inst', '')
redis.call('SREM', P .. 'ip:' .. ARGV[3], ARGV[1])
redis.call('ZADD', P .. 'grace', ARGV[4], ARGV[1])
return 'ok'
`;

// ARGV: id, epoch, inst. Redis came back (with its data): this instance still holds the socket
// of that attach, so it is attached here again even if another instance reaped it meanwhile.
const REATTACH = `
local p, err = current(ARGV[1], ARGV[2], 'inst')
if not p then return err end
if p[2] ~= ARGV[3] then
  if p[2] ~= '' then return 'moved' end
  redis.call('HSET', P .. 'p:' .. ARGV[1], 'inst', ARGV[3])
  redis.call('ZREM', P .. 'grace', ARGV[1])
  redis.call('SADD', P .. 'ip:' .. ARGV[3], ARGV[1])
end
return 'ok'
`;

// ARGV: id, now, goneTtlMs. Whoever runs this first for an id ends its grace period.
const EXPIRE = `
local score = redis.call('ZSCORE', P .. 'grace', ARGV[1])
if not score or tonumber(score) > tonumber(ARGV[2]) then return 0 end
local p = redis.call('HMGET', P .. 'p:' .. ARGV[1], 'inst', 'sid')
if not p[2] then
  redis.call('ZREM', P .. 'grace', ARGV[1])
  return 0
end
if p[1] ~= '' then
  redis.call('ZREM', P .. 'grace', ARGV[1])
  return 0
end
redis.call('SET', P .. 'g:' .. p[2], '1', 'PX', ARGV[3])
remove(ARGV[1], 'timeout')
return 1
`;

// ARGV: inst, graceEndsAt. An instance whose heartbeat expired (killed): its peers are detached.
const REAP = `
if redis.call('EXISTS', P .. 'hb:' .. ARGV[1]) == 1 then return -1 end
if redis.call('SREM', P .. 'instances', ARGV[1]) == 0 then return -1 end
local n = 0
for _, id in ipairs(redis.call('SMEMBERS', P .. 'ip:' .. ARGV[1])) do
  if redis.call('HGET', P .. 'p:' .. id, 'inst') == ARGV[1] then
    redis.call('HSET', P .. 'p:' .. id, 'inst', '')
    redis.call('ZADD', P .. 'grace', ARGV[2], id)
    n = n + 1
  end
end
redis.call('DEL', P .. 'ip:' .. ARGV[1])
return n
`;

// ARGV: id, after: the frames after seq 'after' (a gap in what the instance received).
const FRAMES = `
return redis.call('ZRANGEBYSCORE', P .. 'l:' .. ARGV[1], '(' .. ARGV[2], '+inf')
`;

export function clusterScripts(limits) {
  const head = prelude(limits);
  const scripts = { JOIN, RESUME, RELAY, ACK, LEAVE, DETACH, REATTACH, EXPIRE, REAP, FRAMES };
  return Object.fromEntries(Object.entries(scripts).map(([name, body]) => [name, head + body]));
}
