/**
 * The clients `ai:reconnect` may name: those connected now and those gone for less than the
 * reconnect window, each with the user it authenticated as. A client may only claim a previous
 * client of its own user, once. Nothing moves across yet (stream resume is a later issue): the
 * previous client's streams were aborted when it went away. Expiry is lazy, so no timer runs.
 */

export interface KnownClients {
  connected(clientId: string, userId: string | undefined): void;
  disconnected(clientId: string): void;
  /** Whether `userId` may take over `previousClientId`; a successful claim forgets it. */
  claim(previousClientId: string, userId: string | undefined): boolean;
}

interface Entry {
  userId: string | undefined;
  /** When the client went away; `undefined` while it is connected. */
  goneAt: number | undefined;
}

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
    disconnected(clientId) {
      const entry = live.get(clientId);
      if (entry === undefined) return;
      live.delete(clientId);
      const now = Date.now();
      gone.set(clientId, { userId: entry.userId, goneAt: now });
      sweep(now);
    },
    claim(previousClientId, userId) {
      sweep(Date.now());
      const entry = live.get(previousClientId) ?? gone.get(previousClientId);
      if (entry === undefined || entry.userId !== userId) return false;
      live.delete(previousClientId);
      gone.delete(previousClientId);
      return true;
    },
  };
}
