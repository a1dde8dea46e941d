/**
 * Keys and Lua scripts of the Redis stream log. Every key of one stream, and its live channel,
 * share the hash tag `{s:<streamId>}` (the store speaks to one server; a cluster-aware store would
 * group each append call's runs by slot):
 *
 * | key                         | type    | holds                                                    |
 * | --------------------------- | ------- | -------------------------------------------------------- |
 * | `<prefix>:{s:<id>}:meta`    | HASH    | epoch, owner, user, scope, state, last offset, bounds…   |
 * | `<prefix>:{s:<id>}:log`     | STREAM  | entry `<offset>-0`, field `d` = frame (`t` on the last)   |
 * | `<prefix>:{s:<id>}:live`    | channel | `<offset>:<0|1>:<frame>` for each append                 |
 * | `<prefix>:{sn:<node>}`      | channel | stream ids to cancel, for the owner node                 |
 * | `<prefix>:{u:<user>}:streams` (also `c:`, `ss:`, `cn:`) | ZSET | stream ids by creation time (lookups) |
 */
import { script } from "./lua.ts";

const tagged = (kind: string, ...parts: string[]) =>
  `{${kind}:${parts.map((part) => encodeURIComponent(part)).join(":")}}`;

/** The keys and the live channel of one stream. */
export const streamKeys = (prefix: string, streamId: string) => {
  const base = `${prefix}:${tagged("s", streamId)}`;
  return { meta: `${base}:meta`, log: `${base}:log`, live: `${base}:live` };
};

/** The channel on which a node hears cancel requests for the streams it runs. */
export const ownerChannel = (prefix: string, ownerNode: string): string =>
  `${prefix}:${tagged("sn", ownerNode)}`;

/** Lookup indexes (ZSET of stream ids): by user, by user and scope, by session, by connection. */
export const indexKeys = {
  user: (prefix: string, userId: string) => `${prefix}:${tagged("u", userId)}:streams`,
  scope: (prefix: string, userId: string, scope: string) =>
    `${prefix}:${tagged("c", userId, scope)}:streams`,
  session: (prefix: string, sessionId: string) => `${prefix}:${tagged("ss", sessionId)}:streams`,
  connection: (prefix: string, connectionId: string) =>
    `${prefix}:${tagged("cn", connectionId)}:streams`,
};

/** KEYS: meta. ARGV: meta TTL (ms), then field/value pairs. 0 when the stream exists. */
export const CREATE = script(`if redis.call('exists', KEYS[1]) == 1 then return 0 end
redis.call('hset', KEYS[1], unpack(ARGV, 2))
redis.call('pexpire', KEYS[1], ARGV[1])
return 1`);

/**
 * Appends runs of frames, of one stream or several, in order. KEYS: meta and log of each run.
 * ARGV: now, publish command, then per run: its frame count (negated when its last frame is the
 * terminal one), its first offset, its frames. Checks the writer's contract frame by frame (a
 * frame's size is its byte length), appends each and publishes it on the stream's live channel,
 * then refreshes the run's lifetimes; a run stops at its first refused frame. Returns
 * `{run, code, frames appended}` for each run not appended in full (nothing when all were).
 */
export const APPEND = script(`local now, publish, out, a = tonumber(ARGV[1]), ARGV[2], {}, 3
for k = 1, #KEYS, 2 do
  local n, first = tonumber(ARGV[a]), tonumber(ARGV[a + 1])
  local ends = n < 0
  if ends then n = -n end
  local from = a + 2
  a = from + n
  local m = redis.call('hmget', KEYS[k], 'st', 'l', 'b', 'mf', 'mb', 'at', 'ct', 'mt', 'lu')
  local code, count = 'OK', 0
  if m[1] ~= 'a' or tonumber(m[9]) <= now then code = 'NOT_FOUND'
  elseif first ~= tonumber(m[2]) + 1 then code = 'INVALID_MESSAGE'
  else
    local channel = string.sub(KEYS[k], 1, -5) .. 'live'
    local bytes, maxFrames, maxBytes = tonumber(m[3]), tonumber(m[4]), tonumber(m[5])
    local done = false
    for i = 0, n - 1 do
      local frame, offset = ARGV[from + i], first + i
      done = ends and i == n - 1
      if not done and (offset > maxFrames or bytes + #frame > maxBytes) then code = 'STREAM_TOO_LARGE' break end
      if done then
        redis.call('xadd', KEYS[k + 1], offset .. '-0', 'd', frame, 't', '1')
        redis.call(publish, channel, offset .. ':1:' .. frame)
      else
        redis.call('xadd', KEYS[k + 1], offset .. '-0', 'd', frame)
        redis.call(publish, channel, offset .. ':0:' .. frame)
      end
      bytes, count = bytes + #frame, count + 1
    end
    if count > 0 then
      local ttl = tonumber(done and m[7] or m[6])
      redis.call('hset', KEYS[k], 'l', first + count - 1, 'b', bytes, 'ua', now, 'lu', now + ttl, 'st', done and 'd' or 'a')
      redis.call('pexpire', KEYS[k + 1], ttl)
      redis.call('pexpire', KEYS[k], math.max(ttl, tonumber(m[8])))
    end
  end
  if count < n then
    out[#out + 1] = (k + 1) / 2
    out[#out + 1] = code
    out[#out + 1] = count
  end
end
return out`);

/** KEYS: meta. ARGV: now. Records a reader; nothing for a stream that is gone. */
export const TOUCH = script(`if redis.call('exists', KEYS[1]) == 0 then return 0 end
redis.call('hset', KEYS[1], 'r', ARGV[1])
return 1`);
