/**
 * Single-use WebSocket tickets (seed 003's `POST /auth/websocket`): a short-lived random string
 * a page fetches with its real credentials and puts in the upgrade URL as `?ticket=`, so no
 * long-lived token lands in a URL. A store keeps each ticket's user until it is taken — once.
 */
import type { AuthenticatedUser } from "../auth/types.ts";

/**
 * Where tickets wait for their handshake. `take` must be atomic: of two handshakes racing with one
 * ticket, exactly one gets the user. `@agentsocket/redis`'s broker brings one that works across
 * instances (`SET PX` + `GETDEL`).
 */
export interface TicketStore {
  /** Keeps `user` under `ticket` for `ttlMs` milliseconds. */
  put(ticket: string, user: AuthenticatedUser, ttlMs: number): Promise<void>;
  /** Removes and returns the ticket's user; `undefined` when unknown, expired or already taken. */
  take(ticket: string): Promise<AuthenticatedUser | undefined>;
}

/** Longest accepted `?ticket=`; {@link newTicket} makes 43 characters. */
export const MAX_TICKET_LENGTH = 128;

/** A new ticket: 256 random bits, base64url. */
export function newTicket(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Options of {@link createMemoryTicketStore}. */
export interface MemoryTicketStoreOptions {
  /** Tickets kept at once; past it the oldest is dropped. @default 100000 */
  maxTickets?: number;
}

/**
 * Tickets in this process's memory: the default, for one instance. Bounded: expired tickets are
 * swept as new ones arrive, and past `maxTickets` the oldest goes.
 * @throws {TypeError} for a `maxTickets` that is not a positive integer.
 */
export function createMemoryTicketStore(options: MemoryTicketStoreOptions = {}): TicketStore {
  const maxTickets = options.maxTickets ?? 100_000;
  if (!Number.isInteger(maxTickets) || maxTickets < 1)
    throw new TypeError('The "maxTickets" option must be a positive integer');
  // Insertion order is expiry order when every ticket has the same lifetime; a sweep stops early.
  const tickets = new Map<string, { user: AuthenticatedUser; expiresAt: number }>();
  const sweep = (now: number) => {
    for (const [ticket, entry] of tickets) {
      if (entry.expiresAt > now && tickets.size < maxTickets) break;
      tickets.delete(ticket);
    }
  };
  return {
    async put(ticket, user, ttlMs) {
      const now = Date.now();
      sweep(now);
      tickets.set(ticket, { user, expiresAt: now + ttlMs });
    },
    async take(ticket) {
      const entry = tickets.get(ticket);
      if (entry === undefined) return undefined;
      tickets.delete(ticket);
      return entry.expiresAt > Date.now() ? entry.user : undefined;
    },
  };
}
