/**
 * `createRedisStreamStore()`: the stream log of resumable streams on Redis, shared by every
 * instance, so a client may resume on another instance than the one running its stream. Each
 * append is one Lua script (contract check, `XADD <offset>-0`, lifetimes, live publish); readers
 * follow the live channel and read the log with `XRANGE`; cancel requests travel to the owner's
 * channel. Two connections: commands (no offline queue: an outage fails fast) and subscriptions.
 */
import {
  newStreamMeta,
  type StoredFrame,
  type StreamMeta,
  type StreamStore,
} from "@agentsocket/core";
import { runScript } from "./lua.ts";
import { createAppender } from "./stream-append.ts";
import { connectStreamStore } from "./stream-connections.ts";
import { metaFromHash, toHashArgs } from "./stream-meta.ts";
import { resolveStreamStoreOptions, type RedisStreamStoreOptions } from "./stream-options.ts";
import { createOwnerRegistry } from "./stream-owners.ts";
import { CREATE, TOUCH, indexKeys, streamKeys } from "./stream-scripts.ts";

/** A {@link StreamStore} on Redis. */
export interface RedisStreamStore extends StreamStore {
  /** Resolves once both connections are up (rejects after `connectTimeoutMs`). */
  ready(): Promise<void>;
}

/**
 * Creates a stream store on Redis (node-redis 6). It connects at once; close it with `close()`.
 * @throws {TypeError} naming the first invalid option.
 * @example
 * const store = createRedisStreamStore({ url: process.env.REDIS_URL! });
 * createServer(neurolink, { framework: "hono", config: { agent: { resume: { store } } } });
 */
export function createRedisStreamStore(options: RedisStreamStoreOptions): RedisStreamStore {
  const settings = resolveStreamStoreOptions(options);
  const { prefix } = settings;
  const { send, sender, appendSender, ready, listen, close, sharded } =
    connectStreamStore(settings);
  const write = createAppender(appendSender, prefix, sharded, settings.appendBatchMs);

  const readMeta = async (streamId: string): Promise<StreamMeta | undefined> => {
    const flat = (await send(["HGETALL", streamKeys(prefix, streamId).meta])) as
      string[] | Record<string, string>;
    return metaFromHash(streamId, flat, Date.now());
  };

  /** The metas of the ids in `index` (dropping ids whose meta is gone). */
  const metasOf = async (index: string): Promise<StreamMeta[]> => {
    const ids = (await send(["ZRANGE", index, "0", "-1"])) as string[];
    const metas = await Promise.all(ids.map((id) => readMeta(id)));
    const gone = ids.filter((_, i) => metas[i] === undefined);
    if (gone.length > 0) send(["ZREM", index, ...gone]).catch(() => {});
    return metas.filter((meta): meta is StreamMeta => meta !== undefined);
  };

  let sequence = 0;
  const owners = createOwnerRegistry(send, listen, prefix, sharded);

  return {
    ready,

    async create(init) {
      const now = Date.now();
      const meta = newStreamMeta(init, now);
      const { streamId, retention } = meta;
      // Microsecond-ish scores: two streams created in one millisecond keep their order.
      const score = now * 1000 + (sequence++ % 1000);
      const metaTtl = Math.max(retention.activeTtlMs, retention.metaTtlMs);
      const keys = streamKeys(prefix, streamId);
      const created = await runScript(
        sender,
        CREATE,
        [keys.meta],
        [String(metaTtl), ...toHashArgs(meta, now)],
      );
      if (Number(created) !== 1)
        throw new TypeError(`The "streamId" ${streamId} is already in use`);
      const indexes: string[] = [];
      if (meta.userId !== undefined) indexes.push(indexKeys.user(prefix, meta.userId));
      if (meta.scope !== undefined)
        indexes.push(indexKeys.scope(prefix, meta.userId ?? "", meta.scope));
      if (meta.sessionId !== undefined) indexes.push(indexKeys.session(prefix, meta.sessionId));
      if (meta.connectionId !== undefined)
        indexes.push(indexKeys.connection(prefix, meta.connectionId));
      await Promise.all(
        indexes.flatMap((index) => [
          send(["ZADD", index, String(score), streamId]),
          send(["ZREMRANGEBYSCORE", index, "-inf", String((now - retention.metaTtlMs) * 1000)]),
          send(["PEXPIRE", index, String(metaTtl)]),
        ]),
      );
      return meta;
    },

    append: (streamId, frame) => write(streamId, frame, false),
    end: (streamId, frame) => write(streamId, frame, true),

    async read(streamId, afterOffset, limit) {
      const keys = streamKeys(prefix, streamId);
      const range = ["XRANGE", keys.log, `(${Math.max(0, afterOffset)}-0`, "+"];
      if (limit !== undefined) range.push("COUNT", String(Math.max(1, limit)));
      const [flat, entries] = await Promise.all([send(["HGETALL", keys.meta]), send(range)]);
      const meta = metaFromHash(streamId, flat as string[] | Record<string, string>, Date.now());
      if (meta === undefined) return undefined;
      if (meta.state === "expired" || limit === 0) return { meta, frames: [] };
      const frames = (entries as [string, string[]][]).map(([id, fields]) => {
        const stored: StoredFrame = {
          offset: Number.parseInt(id, 10),
          frame: fieldOf(fields, "d"),
        };
        if (fieldOf(fields, "t") === "1") stored.terminal = true;
        return stored;
      });
      return { meta, frames };
    },

    async follow(streamId, onFrame) {
      return listen(streamKeys(prefix, streamId).live, (message) => {
        const first = message.indexOf(":");
        const second = message.indexOf(":", first + 1);
        const frame: StoredFrame = {
          offset: Number(message.slice(0, first)),
          frame: message.slice(second + 1),
        };
        if (message.slice(first + 1, second) === "1") frame.terminal = true;
        onFrame(frame);
      });
    },

    meta: readMeta,

    async findActive({ userId, scope }, { includeDone = false } = {}) {
      const metas = await metasOf(indexKeys.scope(prefix, userId ?? "", scope));
      const wanted = metas.filter(
        (meta) =>
          meta.userId === userId &&
          (meta.state === "active" || (includeDone && meta.state === "done")),
      );
      return wanted.at(-1);
    },

    async list({ userId, sessionId, connectionId, includeDone = false }) {
      const index =
        connectionId !== undefined
          ? indexKeys.connection(prefix, connectionId)
          : sessionId !== undefined
            ? indexKeys.session(prefix, sessionId)
            : userId !== undefined
              ? indexKeys.user(prefix, userId)
              : undefined;
      if (index === undefined)
        throw new TypeError("list() needs a userId, sessionId or connectionId");
      return (await metasOf(index)).filter(
        (meta) =>
          (userId === undefined || meta.userId === userId) &&
          (sessionId === undefined || meta.sessionId === sessionId) &&
          (connectionId === undefined || meta.connectionId === connectionId) &&
          (meta.state === "active" || (includeDone && meta.state === "done")),
      );
    },

    async touchReader(streamId) {
      await runScript(sender, TOUCH, [streamKeys(prefix, streamId).meta], [String(Date.now())]);
    },

    async requestCancel(streamId) {
      const meta = await readMeta(streamId);
      if (meta === undefined || meta.state !== "active") return false;
      await owners.requestCancel(meta.ownerNode, streamId);
      return true;
    },

    onCancel: (ownerNode, listener) => owners.onCancel(ownerNode, listener),
    ownerAlive: (ownerNode) => owners.alive(ownerNode),

    async close() {
      owners.close();
      await close();
    },
  };
}

function fieldOf(fields: string[] | Record<string, string>, name: string): string {
  if (!Array.isArray(fields)) return fields[name] ?? "";
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1]!;
  return "";
}
