/**
 * The clients `ai:reconnect` may name: those connected now and those gone for less than the
 * reconnect window, each with the user it authenticated as, and — for a gone one — what moves to
 * the client that takes it over: its Socket.IO rooms and its resumable streams. A client may only
 * claim a previous client of its own user, once. Expiry is lazy, so no timer runs; a stream left
 * unclaimed ends on its own (`resume.graceMs`).
 */
import type { HeldStream } from "./resumable-streams.ts";

/** What a client left behind. */
export interface ParkedClient {
  /** Its rooms of the namespace (its own id room aside). */
  rooms: string[];
  /** Its streams that were running (or read) when it went away. */
  streams: HeldStream[];
}

export interface KnownClients {
  connected(clientId: string, userId: string | undefined): void;
  disconnected(clientId: string, parked?: ParkedClient): void;
  /**
   * What `userId` takes over from `previousClientId` (a successful claim forgets it); `"live"`
   * when that client of the same user is still connected (disconnect it, then claim again).
   */
  claim(previousClientId: string, userId: string | undefined): ParkedClient | "live" | undefined;
  /** Forgets every gone client; the streams they left behind (to abort at shutdown). */
  clear(): HeldStream[];
}

interface Entry {
  userId: string | undefined;
  /** When the client went away; `undefined` while it is connected. */
  goneAt: number | undefined;
  parked?: ParkedClient;
}

const NOTHING: ParkedClient = Object.freeze({ rooms: [], streams: [] }) as ParkedClient;

export function createKnownClients(options: { windowMs: number; max: number }): KnownClients {
  const { windowMs, max } = options;
  const gone = new Map<string, Entry>(); // in disconnection order, oldest first
  const live = new Map<string, Entry>();

  const sweep = (now: number) => {
    for (const [id, entry] of gone) {
      if (gone.size <= max && now - entry.goneAt! < windowMs) break;
      gone.delete(id);
    }
  };

  return {
    connected(clientId, userId) {
      live.set(clientId, { userId, goneAt: undefined });
    },
    disconnected(clientId, parked) {
      const entry = live.get(clientId);
      if (entry === undefined) return;
      live.delete(clientId);
      const now = Date.now();
      gone.set(clientId, { userId: entry.userId, goneAt: now, ...(parked ? { parked } : {}) });
      sweep(now);
    },
    claim(previousClientId, userId) {
      sweep(Date.now());
      if (live.get(previousClientId)?.userId === userId && live.has(previousClientId)) {
        return "live";
      }
      const entry = gone.get(previousClientId);
      if (entry === undefined || entry.userId !== userId) return undefined;
      gone.delete(previousClientId);
      return entry.parked ?? NOTHING;
    },
    clear() {
      const streams = [...gone.values()].flatMap((entry) => entry.parked?.streams ?? []);
      gone.clear();
      return streams;
    },
  };
}
