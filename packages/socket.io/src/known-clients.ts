/**
 * Where the clients `ai:reconnect` may name wait: a gone client's record — the user it
 * authenticated as, its Socket.IO rooms, and its resumable streams (the log's id and how many
 * text events the server sent it) — kept for the reconnect window and taken over once, by the
 * same user only. {@link ReconnectStore} is the contract; this file holds the in-memory store of
 * one process (the default). `@agentsocket/redis` keeps the records in Redis
 * (`broker.reconnectStore()`), so a client may reconnect to any instance.
 */

/** One stream a gone client held: enough for any instance to go on with it from its log. */
export interface StreamRecord {
  /** Its key among the client's streams (`chat`, `ai:<streamId>`). */
  key: string;
  /** The id of its log in the agent's stream store. */
  streamId: string;
  /** Text events the server sent the client before it went away. */
  delivered: number;
  /** When the stream started (ms since the epoch), for `ai:done`'s `duration`. */
  startedAt: number;
}

/** What a client left behind. Plain data: a shared store keeps it as JSON. */
export interface ClientRecord {
  /** Its rooms of the namespace (its own id room aside). */
  rooms: string[];
  /** Its streams that were running (or read) when it went away. */
  streams: StreamRecord[];
}

/**
 * Where gone clients wait for `ai:reconnect`. Every method may reject (a shared store down):
 * the binding then answers as for an unknown client.
 */
export interface ReconnectStore {
  /** Keeps the record of `clientId` (of `userId`) for `windowMs`. */
  park(
    clientId: string,
    userId: string | undefined,
    record: ClientRecord,
    windowMs: number,
  ): Promise<void>;
  /**
   * Takes the record of `clientId` when it is still kept and belongs to `userId`: atomically,
   * so of two claims at once only one gets it; a taken record is gone.
   */
  claim(clientId: string, userId: string | undefined): Promise<ClientRecord | undefined>;
}

interface Entry {
  userId: string | undefined;
  until: number;
  record: ClientRecord;
}

/**
 * The records of one process, at most `max` (the oldest go first). Expiry is lazy: no timer runs.
 */
export function createMemoryReconnectStore(options: { max: number }): ReconnectStore {
  const { max } = options;
  const gone = new Map<string, Entry>(); // in parking order, oldest first

  const sweep = (now: number) => {
    for (const [id, entry] of gone) {
      if (gone.size <= max && entry.until > now) break;
      gone.delete(id);
    }
  };

  return {
    async park(clientId, userId, record, windowMs) {
      const now = Date.now();
      gone.delete(clientId);
      gone.set(clientId, { userId, until: now + windowMs, record });
      sweep(now);
    },
    async claim(clientId, userId) {
      const now = Date.now();
      sweep(now);
      const entry = gone.get(clientId);
      if (entry === undefined || entry.userId !== userId || entry.until <= now) return undefined;
      gone.delete(clientId);
      return entry.record;
    },
  };
}
