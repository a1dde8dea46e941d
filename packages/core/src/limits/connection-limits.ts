/**
 * What the connection manager asks before and after an upgrade on behalf of the limits: per-address
 * and per-user caps, `?ticket=` redemption, first-message auth, and the tickets it issues. One
 * instance per manager; the manager calls it from a handful of places and nothing else.
 */
import type { ConnectionEvents, UpgradeAccepted, UpgradeRejected } from "../adapter-types.ts";
import type { AuthResult, Authenticator } from "../auth/authenticate.ts";
import type { AuthenticatedUser, UpgradeRequest } from "../auth/types.ts";
import type { ResolvedConfig } from "../config.ts";
import { CloseCode, WebSocketConnectionError } from "../errors.ts";
import { reject } from "../handshake.ts";
import { closeSocket } from "../managed-connection.ts";
import { readQuery } from "../request.ts";
import type { SocketLike, WebSocketConnection } from "../types.ts";
import { holdForFirstMessage, resolveFirstMessage } from "./first-message.ts";
import { resolveCap, resolveRateLimit, resolveTickets } from "./options.ts";
import {
  createMemoryTicketStore,
  MAX_TICKET_LENGTH,
  newTicket,
  type TicketStore,
} from "./tickets.ts";
import { ClusterUserPlaces } from "./user-places.ts";

/** The manager, as the limits see it. */
export interface LimitsHost {
  readonly config: Readonly<ResolvedConfig>;
  readonly shuttingDown: boolean;
  getConnectionCount(): number;
  /** Registers a socket whose first-message auth succeeded. */
  accept(socket: SocketLike, decision: UpgradeAccepted): ConnectionEvents;
}

/** A handshake's authentication, or `awaitingAuth`: it authenticates with its first frame. */
export type UpgradeAuth = AuthResult | { ok: true; user?: undefined; awaitingAuth: true };

/** A ticket, as `POST {basePath}/auth/websocket` answers it. */
export interface IssuedTicket {
  ticket: string;
  /** When the ticket stops being accepted (ms since epoch). */
  expiresAt: number;
}

/** The managed connection, as {@link ConnectionLimits.opened} sees it. */
interface Opening {
  readonly connection: WebSocketConnection;
  report(error: Error): void;
  discard(): void;
}

const LIMITS = new WeakMap<object, ConnectionLimits>();

/** The limits of a manager (for the ticket route). */
export function limitsOf(manager: object): ConnectionLimits | undefined {
  return LIMITS.get(manager);
}

/** An IPv4 peer on a dual-stack socket is the same peer as on an IPv4 one. */
const addressOf = (remote: string | undefined) =>
  remote?.startsWith("::ffff:") ? remote.slice(7) : remote;

export class ConnectionLimits {
  readonly #perUser: number | undefined;
  readonly #perAddress: number | undefined;
  readonly #tickets: { ttlMs: number; store: TicketStore } | undefined;
  readonly #firstMessage: ReturnType<typeof resolveFirstMessage>;
  /** `maxConnectionsPerUser` across the cluster, when the broker keeps limits (issue 13). */
  readonly #places: ClusterUserPlaces | undefined;
  /** Open (and first-message pending) connections per remote address. */
  readonly #byAddress = new Map<string, number>();
  #pending = 0;

  /** @throws {TypeError} naming the first invalid limit option. */
  constructor(
    private readonly host: LimitsHost,
    private readonly authenticate: Authenticator,
    private readonly byUser: ReadonlyMap<string, ReadonlySet<unknown>>,
  ) {
    const { config } = host;
    resolveRateLimit(config.rateLimit); // checked up front; each connection's bucket reads it
    this.#perUser = resolveCap("maxConnectionsPerUser", config.maxConnectionsPerUser);
    this.#perAddress = resolveCap("maxConnectionsPerIp", config.maxConnectionsPerIp);
    const authOn = config.auth !== undefined && config.auth.strategy !== "none";
    const tickets = resolveTickets(config.tickets);
    if (tickets && authOn) {
      const store = tickets.store ?? config.broker?.tickets ?? createMemoryTicketStore();
      this.#tickets = { ttlMs: tickets.ttlMs, store };
    }
    this.#firstMessage = resolveFirstMessage(config.auth);
    const store = this.#perUser !== undefined ? config.broker?.limits : undefined;
    this.#places = store ? new ClusterUserPlaces(store, this.#perUser!) : undefined;
    LIMITS.set(host, this);
  }

  /** Whether tickets are issued and accepted (auth is configured and tickets not turned off). */
  get ticketsEnabled(): boolean {
    return this.#tickets !== undefined;
  }

  /**
   * Authenticates a handshake: the address cap, then a `?ticket=` (which decides alone) or the
   * configured credentials (none, with first-message auth on: `awaitingAuth`), then the user cap.
   */
  async authorize(request: UpgradeRequest): Promise<UpgradeAuth | UpgradeRejected> {
    const address = addressOf(request.remoteAddress);
    if (this.#perAddress !== undefined && address !== undefined) {
      if ((this.#byAddress.get(address) ?? 0) >= this.#perAddress)
        return reject(
          "MAX_CONNECTIONS_PER_IP",
          `At most ${this.#perAddress} connections per address`,
        );
    }
    const ticket = this.#tickets ? readQuery(request).get("ticket") : null;
    const auth = ticket ? await this.#redeem(ticket) : await this.authenticate(request);
    if (!auth.ok && "missing" in auth && auth.missing && this.#firstMessage) {
      const { maxConnections } = this.host.config;
      if (this.host.getConnectionCount() + this.#pending >= maxConnections)
        return reject("MAX_CONNECTIONS", `Maximum connections (${maxConnections}) reached`);
      return { ok: true, awaitingAuth: true };
    }
    if (!auth.ok) return auth;
    return this.#userRefusal(auth.user) ?? this.#clusterRefusal(auth);
  }

  /**
   * Holds a socket that authenticates with its first frame; the manager's `accept` registers it
   * once that frame is a valid `{type:"auth", payload:{token}}`.
   */
  hold(socket: SocketLike, decision: UpgradeAccepted): ConnectionEvents {
    const address = addressOf(decision.remoteAddress);
    this.#pending++;
    this.#count(address, 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.#pending--;
      this.#count(address, -1);
    };
    return holdForFirstMessage({
      socket,
      decision,
      settings: this.#firstMessage!,
      auth: this.host.config.auth!,
      closeTimeout: this.host.config.closeTimeout,
      authenticate: async (request) => {
        const auth = await this.authenticate(request);
        return auth.ok ? (this.#userRefusal(auth.user) ?? this.#clusterRefusal(auth)) : auth;
      },
      accept: (accepted) => {
        release();
        return this.host.accept(socket, accepted);
      },
      release,
    });
  }

  /**
   * Called as an accepted socket is registered: refuses (and closes with 1008) one whose user
   * reached the cap while it was upgrading, else counts its address. @returns whether it may open.
   */
  opened(managed: Opening, socket: SocketLike): boolean {
    const { connection } = managed;
    const user = connection.user;
    if (
      user &&
      this.#perUser !== undefined &&
      (this.byUser.get(user.id)?.size ?? 0) >= this.#perUser
    ) {
      this.#places?.refused(user.id);
      const message = `At most ${this.#perUser} connections per user`;
      const code = "MAX_CONNECTIONS_PER_USER";
      managed.report(new WebSocketConnectionError(message, { code, connectionId: connection.id }));
      managed.discard();
      closeSocket(socket, CloseCode.POLICY_VIOLATION, "Too many connections");
      return false;
    }
    if (user) this.#places?.opened(connection.id, user.id);
    this.#count(addressOf(connection.metadata.remoteAddress as string | undefined), 1);
    return true;
  }

  /** Called as a registered connection goes away. */
  closed(connection: WebSocketConnection): void {
    this.#places?.closed(connection.id);
    this.#count(addressOf(connection.metadata.remoteAddress as string | undefined), -1);
  }

  /**
   * Issues a ticket for `user`, good for one handshake within `tickets.ttlMs`.
   * @throws {WebSocketConnectionError} `NOT_FOUND` when tickets are off; the store's own error
   *   when it fails (a Redis store while Redis is down).
   */
  async issue(user: AuthenticatedUser): Promise<IssuedTicket> {
    const tickets = this.#tickets;
    if (tickets === undefined)
      throw new WebSocketConnectionError("Tickets are not enabled", { code: "NOT_FOUND" });
    const ticket = newTicket();
    const expiresAt = Date.now() + tickets.ttlMs;
    await tickets.store.put(ticket, user, tickets.ttlMs);
    return { ticket, expiresAt };
  }

  async #redeem(ticket: string): Promise<AuthResult> {
    const invalid = {
      ok: false as const,
      error: new WebSocketConnectionError("Invalid or expired ticket", { code: "UNAUTHORIZED" }),
    };
    if (ticket.length > MAX_TICKET_LENGTH) return invalid;
    let user: AuthenticatedUser | undefined;
    try {
      user = await this.#tickets!.store.take(ticket);
    } catch (cause) {
      const message = "Tickets cannot be checked right now";
      return {
        ok: false,
        error: new WebSocketConnectionError(message, { code: "BROKER_UNAVAILABLE", cause }),
      };
    }
    return user === undefined ? invalid : { ok: true, user };
  }

  #userRefusal(user: AuthenticatedUser | undefined): UpgradeRejected | undefined {
    if (user === undefined || this.#perUser === undefined) return undefined;
    if ((this.byUser.get(user.id)?.size ?? 0) < this.#perUser) return undefined;
    return reject("MAX_CONNECTIONS_PER_USER", `At most ${this.#perUser} connections per user`);
  }

  /** The user cap across the cluster: one round trip to the broker's limit store. */
  #clusterRefusal(
    auth: AuthResult & { ok: true },
  ): AuthResult | Promise<AuthResult | UpgradeRejected> {
    const user = auth.user;
    if (this.#places === undefined || user === undefined) return auth; // no round trip
    const message = `At most ${this.#perUser} connections per user`;
    return this.#places
      .take(user.id)
      .then((taken) => (taken ? auth : reject("MAX_CONNECTIONS_PER_USER", message)));
  }

  #count(address: string | undefined, delta: number): void {
    if (address === undefined || this.#perAddress === undefined) return;
    const next = (this.#byAddress.get(address) ?? 0) + delta;
    if (next <= 0) this.#byAddress.delete(address);
    else this.#byAddress.set(address, next);
  }
}
