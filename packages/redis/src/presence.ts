/**
 * Cluster presence on Redis, after Centrifuge's presence scripts (which work on Redis 7.0, before
 * hash-field TTLs): per room a HASH connection → user, a ZSET connection → expiry and a HASH
 * user → connection count, kept consistent by Lua. A node refreshes its memberships every
 * heartbeat; a dead node's entries pass their expiry and the next read drops them. Nodes live in
 * one HASH with their last heartbeat.
 */
import type { BrokerNode, PresenceMember, PresenceNode, PresenceStore } from "@agentsocket/core";
import { runScript, script, type CommandSender } from "./lua.ts";
import { nodesKey, roomKeys } from "./wire.ts";

/** Removes one connection from a room's three keys (KEYS: members, expiries, users). */
const DROP = `local function drop(id)
  redis.call('zrem', KEYS[2], id)
  local user = redis.call('hget', KEYS[1], id)
  if not user then return end
  redis.call('hdel', KEYS[1], id)
  if user ~= '' and redis.call('hincrby', KEYS[3], user, -1) <= 0 then redis.call('hdel', KEYS[3], user) end
end
`;

/** ARGV: expiresAt, key TTL (ms), then (connection id, user id or "") pairs. */
const ADD = `for i = 3, #ARGV, 2 do
  local id, user = ARGV[i], ARGV[i + 1]
  if redis.call('hset', KEYS[1], id, user) == 1 and user ~= '' then redis.call('hincrby', KEYS[3], user, 1) end
  redis.call('zadd', KEYS[2], ARGV[1], id)
end
for k = 1, 3 do redis.call('pexpire', KEYS[k], ARGV[2]) end
return 0`;

/** ARGV: connection ids. */
const REMOVE = `${DROP}for i = 1, #ARGV do drop(ARGV[i]) end
return 0`;

/** ARGV: now. Drops expired members, then counts. */
const STATS = `${DROP}for _, id in ipairs(redis.call('zrangebyscore', KEYS[2], '-inf', ARGV[1])) do drop(id) end
return { redis.call('hlen', KEYS[1]), redis.call('hlen', KEYS[3]) }`;

const SCRIPTS = { add: script(ADD), remove: script(REMOVE), stats: script(STATS) };

export class RedisPresence implements PresenceStore {
  constructor(
    private readonly redis: CommandSender,
    private readonly prefix: string,
    private readonly ttlMs: number,
    private readonly node: () => BrokerNode | undefined,
  ) {}

  add(member: PresenceMember): Promise<void> {
    return this.#add(member.room, [member]);
  }

  async remove(member: PresenceMember): Promise<void> {
    await this.#run(SCRIPTS.remove, roomKeys(this.prefix, member.room), [member.connectionId]);
  }

  async roomInfo(room: string): Promise<{ memberCount: number; userCount: number }> {
    const reply = await this.#run(SCRIPTS.stats, roomKeys(this.prefix, room), [String(Date.now())]);
    const [memberCount, userCount] = reply as [number, number];
    return { memberCount: Number(memberCount), userCount: Number(userCount) };
  }

  async nodes(): Promise<PresenceNode[]> {
    const flat = (await this.redis.sendCommand(["HGETALL", nodesKey(this.prefix)])) as
      string[] | Record<string, string>;
    const entries = Array.isArray(flat) ? pairs(flat) : Object.entries(flat);
    const oldest = Date.now() - this.ttlMs;
    const live: PresenceNode[] = [];
    const stale: string[] = [];
    for (const [id, json] of entries) {
      const info = parseNode(json);
      if (info === undefined || info.lastSeen < oldest) stale.push(id);
      else live.push({ id, ...info });
    }
    if (stale.length > 0)
      this.redis.sendCommand(["HDEL", nodesKey(this.prefix), ...stale]).catch(() => {});
    return live.sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Writes this node's entry and refreshes every membership (also the restore after an outage). */
  async heartbeat(): Promise<void> {
    const node = this.node();
    if (node === undefined) return;
    const info = JSON.stringify({ connections: node.connectionCount(), lastSeen: Date.now() });
    const writes = [this.redis.sendCommand(["HSET", nodesKey(this.prefix), node.nodeId, info])];
    for (const [room, members] of byRoom(node.memberships())) writes.push(this.#add(room, members));
    await Promise.all(writes);
  }

  /** Clean shutdown: this node's memberships and node entry, at once. */
  async removeNode(): Promise<void> {
    const node = this.node();
    if (node === undefined) return;
    const writes = [this.redis.sendCommand(["HDEL", nodesKey(this.prefix), node.nodeId])];
    for (const [room, members] of byRoom(node.memberships()))
      writes.push(
        this.#run(
          SCRIPTS.remove,
          roomKeys(this.prefix, room),
          members.map((m) => m.connectionId),
        ),
      );
    await Promise.all(writes);
  }

  async #add(room: string, members: readonly PresenceMember[]): Promise<void> {
    const args = [String(Date.now() + this.ttlMs), String(this.ttlMs)];
    for (const member of members) args.push(member.connectionId, member.userId ?? "");
    await this.#run(SCRIPTS.add, roomKeys(this.prefix, room), args);
  }

  #run(lua: Parameters<typeof runScript>[1], keys: string[], args: string[]): Promise<unknown> {
    return runScript(this.redis, lua, keys, args);
  }
}

function pairs(flat: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}

function parseNode(json: string): { connections: number; lastSeen: number } | undefined {
  try {
    const { connections, lastSeen } = JSON.parse(json) as Record<string, unknown>;
    if (typeof connections === "number" && typeof lastSeen === "number")
      return { connections, lastSeen };
  } catch {
    // not ours: treated as stale
  }
  return undefined;
}

function byRoom(memberships: Iterable<PresenceMember>): Map<string, PresenceMember[]> {
  const rooms = new Map<string, PresenceMember[]>();
  for (const member of memberships) {
    const list = rooms.get(member.room);
    if (list === undefined) rooms.set(member.room, [member]);
    else list.push(member);
  }
  return rooms;
}
