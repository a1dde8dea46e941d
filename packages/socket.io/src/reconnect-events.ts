/**
 * `ai:reconnect {previousClientId, streams?}` → `ai:reconnect:success` or `ai:error`: a client
 * takes over a previous client of its own user — its rooms, and (with `agent.resume`) its
 * streams, which go on here from their logs. A gone client's record waits in a
 * {@link ReconnectStore} for the reconnect window: in this process by default, in Redis with a
 * shared store, so the previous client may have been on any instance. Streams this instance runs
 * move as they are; another instance's `ai:stream`s are read from the shared log (`adopt`), and
 * `ai:cancel` reaches the model there.
 */
import type { Socket } from "socket.io";
import { adoptedAiEvents } from "./adopted-ai-stream.ts";
import { isRecord, type ClientContext } from "./client-context.ts";
import type { ClientRecord, ReconnectStore } from "./known-clients.ts";
import type { HeldStream, ResumableStreams } from "./resumable-streams.ts";

/** The chat turn's key among a client's streams (chat-events.ts). */
const CHAT_KEY = "chat";

/** `ai:reconnect`'s `streams`: the `tokenCount` of the last `ai:token` of each stream. */
function tokenCounts(value: unknown): Record<string, number> | undefined | false {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) return false;
  for (const count of Object.values(value)) {
    if (!Number.isInteger(count) || (count as number) < 0) return false;
  }
  return value as Record<string, number>;
}

/** The binding's side of `ai:reconnect`, shared by its clients. */
export interface Reconnects {
  /** A client went away: its record waits for `ai:reconnect` (its streams were released). */
  park(socket: Socket, userId: string | undefined, rooms: string[], streams: HeldStream[]): void;
  /** Adds the `ai:reconnect` handler to one client. */
  serve(client: ClientContext, live: (clientId: string) => Socket | undefined): void;
  /** Forgets what gone clients left here; the streams this instance runs of them (to abort). */
  clear(): HeldStream[];
}

export function createReconnects(options: {
  store: ReconnectStore;
  windowMs: number;
  resumable: ResumableStreams | undefined;
  userOf: (socket: Socket) => string | undefined;
  report: (error: unknown, userId: string | undefined) => void;
}): Reconnects {
  const { store, windowMs, resumable, userOf, report } = options;
  /** Streams this instance runs whose client went away, by log id, for the reconnect window. */
  const parked = new Map<string, HeldStream>();
  /** Records on their way into the store, so a claim right after a disconnect finds them. */
  const parking = new Map<string, Promise<void>>();
  const timers = new Set<ReturnType<typeof setTimeout>>();

  const put = (clientId: string, userId: string | undefined, record: ClientRecord) => {
    const done = store
      .park(clientId, userId, record, windowMs)
      .catch((error: unknown) => report(error, userId))
      .finally(() => {
        if (parking.get(clientId) === done) parking.delete(clientId);
      });
    parking.set(clientId, done);
  };

  const claim = async (previousClientId: string, socket: Socket) => {
    const userId = userOf(socket);
    await parking.get(previousClientId);
    try {
      return await store.claim(previousClientId, userId);
    } catch (error) {
      report(error, userId);
      return undefined;
    }
  };

  /** The held stream a record names: this instance's own, else read from the shared log. */
  const heldOf = (key: string, streamId: string, startedAt: number) => {
    const own = parked.get(streamId);
    if (own !== undefined) {
      parked.delete(streamId);
      return own;
    }
    if (resumable === undefined) return undefined;
    // A chat turn's ids live with the instance that runs it: it cannot go on elsewhere.
    if (key === CHAT_KEY) return void resumable.cancel(streamId);
    return resumable.adopt(key, streamId, startedAt, adoptedAiEvents(key.slice(3), startedAt));
  };

  const take = (
    client: ClientContext,
    record: ClientRecord,
    positions?: Record<string, number>,
  ) => {
    const { socket } = client;
    if (record.rooms.length > 0) void socket.join(record.rooms);
    const moved: Array<{ held: HeldStream; skip: number }> = [];
    for (const entry of record.streams) {
      const held = heldOf(entry.key, entry.streamId, entry.startedAt);
      if (held === undefined) continue;
      if (!client.streams.adopt(held.key, held.controller)) {
        held.controller.abort(); // its key is taken here by a newer stream of the same name
        continue;
      }
      const had = held.key === CHAT_KEY ? undefined : positions?.[held.key.slice(3)];
      moved.push({ held, skip: Math.min(had ?? entry.delivered, entry.delivered) });
    }
    return moved;
  };

  return {
    park(socket, userId, rooms, streams) {
      const own = streams.filter((held) => held.owned); // the others run elsewhere
      for (const held of own) parked.set(held.streamId, held);
      if (own.length > 0) {
        const forget = setTimeout(() => {
          timers.delete(forget);
          for (const held of own)
            if (parked.get(held.streamId) === held) parked.delete(held.streamId);
        }, windowMs);
        forget.unref();
        timers.add(forget);
      }
      const records = streams.map(({ key, streamId, delivered, startedAt }) => ({
        key,
        streamId,
        delivered,
        startedAt,
      }));
      put(socket.id, userId, { rooms, streams: records });
    },
    clear() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const streams = [...parked.values()];
      parked.clear();
      return streams;
    },
    serve(client, live) {
      const { socket } = client;
      const aiError = (code: string, error: string, details?: string) =>
        void socket.emit(
          "ai:error",
          details === undefined ? { error, code } : { error, code, details },
        );
      const reconnect = async (data: unknown) => {
        const previousClientId = isRecord(data) ? data.previousClientId : undefined;
        if (typeof previousClientId !== "string" || previousClientId === "") {
          return aiError("VALIDATION_FAILED", "Invalid ai:reconnect", "previousClientId: Required");
        }
        const positions = isRecord(data) ? tokenCounts(data.streams) : undefined;
        if (positions === false) {
          const details = "streams: Expected { [streamId]: tokenCount } with integer counts >= 0";
          return aiError("VALIDATION_FAILED", "Invalid ai:reconnect", details);
        }
        if (previousClientId === socket.id) return aiError("NOT_FOUND", "Unknown previous client");
        // Still connected here, as the same user: disconnected first (which parks its record).
        const previous = live(previousClientId);
        if (previous !== undefined && userOf(previous) === userOf(socket))
          previous.disconnect(true);
        const record = await claim(previousClientId, socket);
        // The same answer for unknown, expired and other users' clients: ids cannot be probed.
        if (record === undefined) return aiError("NOT_FOUND", "Unknown previous client");
        // Gone while the record was fetched: it waits again, for the next client.
        if (!socket.connected) return put(previousClientId, userOf(socket), record);
        const moved = take(client, record, positions);
        socket.emit("ai:reconnect:success", {
          previousClientId,
          newClientId: socket.id,
          rooms: record.rooms,
          streams: moved
            .filter(({ held }) => held.key !== CHAT_KEY)
            .map(({ held }) => held.key.slice(3)),
        });
        for (const { held, skip } of moved) {
          client.held.set(held.key, held);
          void held
            .moveTo(socket, client.identity.userId, skip)
            .catch((error: unknown) => client.report(error, "ai:reconnect"))
            .finally(() => {
              client.streams.end(held.key, held.controller);
              if (client.held.get(held.key) === held) client.held.delete(held.key);
            });
        }
      };
      socket.on("ai:reconnect", (data: unknown) => {
        reconnect(data).catch((error: unknown) => {
          client.report(error, "ai:reconnect");
          aiError("INTERNAL_ERROR", "Internal error");
        });
      });
    },
  };
}
