/**
 * Keys and Lua scripts of the Redis stream log. Every key of one stream, and its live channel,
 * share the hash tag `{s:<streamId>}`, so each script (and its `SPUBLISH`) runs on one slot of a
 * Redis Cluster:
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
 * KEYS: meta, log. ARGV: now, channel, publish command, then per frame: offset, frame, bytes,
 * terminal (0/1). Checks the writer's contract frame by frame, appends and publishes each,
 * then refreshes the lifetimes, atomically. Returns `{code, frames appended}`.
 */
export const APPEND =
  script(`local m = redis.call('hmget', KEYS[1], 'st', 'l', 'b', 'mf', 'mb', 'at', 'ct', 'mt', 'lu')
if m[1] ~= 'a' then return {'NOT_FOUND', 0} end
local now = tonumber(ARGV[1])
if tonumber(m[9]) <= now then return {'NOT_FOUND', 0} end
local first, last, bytes = tonumber(m[2]), tonumber(m[2]), tonumber(m[3])
local done, code = false, 'OK'
for i = 4, #ARGV, 4 do
  local offset, size, terminal = tonumber(ARGV[i]), tonumber(ARGV[i + 2]), ARGV[i + 3] == '1'
  if done then code = 'NOT_FOUND' break end
  if offset ~= last + 1 then code = 'INVALID_MESSAGE' break end
  if not terminal and (offset > tonumber(m[4]) or bytes + size > tonumber(m[5])) then code = 'STREAM_TOO_LARGE' break end
  if terminal then
    redis.call('xadd', KEYS[2], ARGV[i] .. '-0', 'd', ARGV[i + 1], 't', '1')
  else
    redis.call('xadd', KEYS[2], ARGV[i] .. '-0', 'd', ARGV[i + 1])
  end
  redis.call(ARGV[3], ARGV[2], ARGV[i] .. ':' .. ARGV[i + 3] .. ':' .. ARGV[i + 1])
  last, bytes, done = offset, bytes + size, terminal
end
if last == first then return {code, 0} end
local ttl = tonumber(done and m[7] or m[6])
redis.call('hset', KEYS[1], 'l', last, 'b', bytes, 'ua', ARGV[1], 'lu', now + ttl, 'st', done and 'd' or 'a')
redis.call('pexpire', KEYS[2], ttl)
redis.call('pexpire', KEYS[1], math.max(ttl, tonumber(m[8])))
return {code, last - first}`);

/** KEYS: meta. ARGV: now. Records a reader; nothing for a stream that is gone. */
export const TOUCH = script(`if redis.call('exists', KEYS[1]) == 0 then return 0 end
redis.call('hset', KEYS[1], 'r', ARGV[1])
return 1`);
