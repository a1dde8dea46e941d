/**
 * The connection registry: handshake decisions, limits, heartbeat, lookups, send and broadcast.
 */
import type { ConnectionEvents, UpgradeAccepted, UpgradeDecision } from "./adapter-types.ts";
import { createAuthenticator, type Authenticator } from "./auth/authenticate.ts";
import { parseRequestUrl, readHeader } from "./auth/request.ts";
import type { UpgradeRequest } from "./auth/types.ts";
import { invokeSafely } from "./callbacks.ts";
import { resolveConfig, type ResolvedConfig } from "./config.ts";
import { CloseCode, WebSocketConnectionError, WebSocketError, type ErrorCode } from "./errors.ts";
import { exceedsBytes, normalizeIncoming } from "./frame-data.ts";
import { createHeartbeat, unrefTimer, type Heartbeat } from "./heartbeat.ts";
import { connectedFrame, parseSystemFrame, pingFrame, pongFrame } from "./system-frames.ts";
import {
  OPEN,
  type SocketLike,
  type WebSocketConfig,
  type WebSocketConnection,
  type WebSocketData,
  type WebSocketHandler,
} from "./types.ts";

interface Entry {
  connection: WebSocketConnection;
  handler: WebSocketHandler | undefined;
  pingSentAt: number;
  lastActivity(): number;
  closed: boolean;
  waiters: (() => void)[] | undefined;
}

const trimSlash = (path: string) =>
  path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;

/**
 * Owns every WebSocket connection of a server, whatever framework accepted it.
 * @example
 * const manager = new WebSocketConnectionManager({ maxConnections: 500 });
 * manager.registerHandler("/ws", { onMessage: (conn, msg) => manager.send(conn.id, msg.data) });
 */
export class WebSocketConnectionManager {
  /** The resolved configuration (defaults filled in). */
  readonly config: Readonly<ResolvedConfig>;
  readonly #authenticate: Authenticator;
  readonly #handlers = new Map<string, WebSocketHandler>();
  readonly #entries = new Map<string, Entry>();
  readonly #byUser = new Map<string, Set<Entry>>();
  readonly #byPath = new Map<string, Set<Entry>>();
  readonly #heartbeat: Heartbeat;

  /** @throws {TypeError} naming the first invalid option. */
  constructor(config: WebSocketConfig = {}) {
    this.config = resolveConfig(config);
    this.#authenticate = createAuthenticator(this.config.auth);
    this.#heartbeat = createHeartbeat<Entry>({
      pingInterval: this.config.pingInterval,
      pongTimeout: this.config.pongTimeout,
      targets: () => this.#entries.values(),
      ping: (entry) => this.#ping(entry),
      expire: (entry) => this.#expire(entry),
    });
  }

  /** Registers the callbacks for connections on `path` (replacing earlier ones). */
  registerHandler(path: string, handler: WebSocketHandler): void {
    if (typeof path !== "string" || !path.startsWith("/")) {
      throw new TypeError(
        `registerHandler: path must start with "/" (got ${JSON.stringify(path)})`,
      );
    }
    this.#handlers.set(trimSlash(path), handler);
  }

  /** The paths this manager serves: every registered handler's, and `config.path`. */
  paths(): string[] {
    return [...new Set([this.config.path, ...this.#handlers.keys()])];
  }

  /** Whether an upgrade request for `pathname` belongs to this manager. */
  handlesPath(pathname: string): boolean {
    const path = trimSlash(pathname);
    return path === this.config.path || this.#handlers.has(path);
  }

  /**
   * Decides a handshake before any upgrade: path, `Origin`, capacity, then auth.
   * Never throws; a rejection carries the HTTP status to answer with.
   */
  async authorizeUpgrade(request: UpgradeRequest): Promise<UpgradeDecision> {
    const path = trimSlash(parseRequestUrl(request.url).pathname);
    if (!this.handlesPath(path)) {
      return reject(404, "NOT_FOUND", `No WebSocket endpoint at ${path}`);
    }
    const { allowedOrigins, maxConnections } = this.config;
    const origin = readHeader(request.headers, "origin");
    if (
      allowedOrigins &&
      origin !== undefined &&
      !allowedOrigins.includes("*") &&
      !allowedOrigins.includes(origin)
    ) {
      return reject(403, "ORIGIN_NOT_ALLOWED", `Origin ${origin} is not allowed`);
    }
    if (this.#entries.size >= maxConnections) {
      const rejected = reject(
        503,
        "MAX_CONNECTIONS",
        `Maximum connections (${maxConnections}) reached`,
      );
      this.#reportRefusal(path, rejected.error);
      return rejected;
    }
    const auth = await this.#authenticate(request);
    if (!auth.ok) return { ok: false, status: auth.error.status ?? 401, error: auth.error };
    const decision: UpgradeAccepted = { ok: true, path };
    if (auth.user) decision.user = auth.user;
    if (request.remoteAddress) decision.remoteAddress = request.remoteAddress;
    return decision;
  }

  /**
   * Registers an upgraded socket and returns the events its adapter must forward.
   * Sends the `connected` frame, then runs `onOpen`.
   */
  accept(socket: SocketLike, decision: UpgradeAccepted): ConnectionEvents {
    const now = Date.now();
    const metadata: WebSocketConnection["metadata"] = { path: decision.path };
    if (decision.remoteAddress) metadata.remoteAddress = decision.remoteAddress;
    const connection: WebSocketConnection = {
      id: crypto.randomUUID(),
      socket,
      metadata,
      createdAt: now,
      lastActivity: now,
      ...(decision.user ? { user: decision.user } : {}),
    };
    const entry: Entry = {
      connection,
      handler: this.#handlers.get(decision.path),
      pingSentAt: 0,
      lastActivity: () => connection.lastActivity,
      closed: false,
      waiters: undefined,
    };
    const events = this.#eventsFor(entry);

    // Handshakes authorized concurrently can overshoot the limit; the late ones close here.
    if (this.#entries.size >= this.config.maxConnections) {
      entry.closed = true;
      const error = new WebSocketConnectionError(
        `Maximum connections (${this.config.maxConnections}) reached`,
        {
          code: "MAX_CONNECTIONS",
          connectionId: connection.id,
          closeCode: CloseCode.TRY_AGAIN_LATER,
        },
      );
      this.#report(entry, error);
      closeSocket(socket, CloseCode.TRY_AGAIN_LATER, "Try again later");
      return events;
    }

    this.#entries.set(connection.id, entry);
    addTo(this.#byPath, decision.path, entry);
    if (decision.user) addTo(this.#byUser, decision.user.id, entry);
    this.#heartbeat.start();
    if (this.config.systemFrames) socket.send(connectedFrame(connection.id, now));
    invokeSafely(entry.handler?.onOpen, (e) => this.#report(entry, e, "onOpen"), connection);
    return events;
  }

  getConnection(id: string): WebSocketConnection | undefined {
    return this.#entries.get(id)?.connection;
  }

  getAllConnections(): WebSocketConnection[] {
    return Array.from(this.#entries.values(), (entry) => entry.connection);
  }

  getConnectionsByUser(userId: string): WebSocketConnection[] {
    return Array.from(this.#byUser.get(userId) ?? [], (entry) => entry.connection);
  }

  getConnectionsByPath(path: string): WebSocketConnection[] {
    return Array.from(this.#byPath.get(trimSlash(path)) ?? [], (entry) => entry.connection);
  }

  getConnectionCount(): number {
    return this.#entries.size;
  }

  /** Sends one frame to one connection. @returns whether the connection was open to send to. */
  send(id: string, data: WebSocketData): boolean {
    const entry = this.#entries.get(id);
    if (entry === undefined || entry.connection.socket.readyState !== OPEN) return false;
    entry.connection.socket.send(data);
    return true;
  }

  /**
   * Sends one frame to every open connection that `filter` accepts.
   * @returns the number of connections it was sent to.
   */
  broadcast(data: WebSocketData, filter?: (connection: WebSocketConnection) => boolean): number {
    let sent = 0;
    for (const { connection } of this.#entries.values()) {
      if (connection.socket.readyState !== OPEN || (filter && !filter(connection))) continue;
      connection.socket.send(data);
      sent++;
    }
    return sent;
  }

  /**
   * Closes one connection; resolves once it has closed (terminating it after `closeTimeout`).
   * Unknown ids resolve at once.
   */
  close(id: string, code: number = CloseCode.NORMAL, reason = ""): Promise<void> {
    const entry = this.#entries.get(id);
    if (entry === undefined || entry.closed) return Promise.resolve();
    const closed = new Promise<void>((resolve) => (entry.waiters ??= []).push(resolve));
    closeSocket(entry.connection.socket, code, reason);
    const timer = setTimeout(() => this.#terminate(entry), this.config.closeTimeout);
    unrefTimer(timer);
    return closed.finally(() => clearTimeout(timer));
  }

  /** Closes every connection (1001 by default: the server is going away). */
  async closeAll(
    code: number = CloseCode.GOING_AWAY,
    reason = "Server shutting down",
  ): Promise<void> {
    await Promise.all(Array.from(this.#entries.keys(), (id) => this.close(id, code, reason)));
  }

  #eventsFor(entry: Entry): ConnectionEvents {
    return {
      id: entry.connection.id,
      message: (data, isBinary) => this.#onMessage(entry, data, isBinary),
      pong: () => {
        entry.pingSentAt = 0;
        entry.connection.lastActivity = Date.now();
      },
      close: (code, reason) => this.#onClose(entry, code, reason),
      error: (error) => this.#onTransportError(entry, error),
    };
  }

  #onMessage(entry: Entry, data: WebSocketData, isBinary: boolean): void {
    if (entry.closed) return;
    const { connection } = entry;
    const { maxMessageSize } = this.config;
    if (exceedsBytes(data, maxMessageSize)) {
      this.#tooLarge(entry);
      return;
    }
    connection.lastActivity = Date.now();
    entry.pingSentAt = 0;
    const payload = normalizeIncoming(data, isBinary);
    if (typeof payload === "string" && this.config.systemFrames) {
      const system = parseSystemFrame(payload);
      if (system?.type === "ping") connection.socket.send(pongFrame(system.timestamp));
      if (system) return;
    }
    const message = {
      type: typeof payload === "string" ? ("text" as const) : ("binary" as const),
      data: payload,
      timestamp: connection.lastActivity,
    };
    invokeSafely(
      entry.handler?.onMessage,
      (e) => this.#report(entry, e, "onMessage"),
      connection,
      message,
    );
  }

  #tooLarge(entry: Entry): void {
    const limit = this.config.maxMessageSize;
    const error = new WebSocketError(`Message exceeds max size (${limit} bytes)`, {
      code: "MESSAGE_TOO_LARGE",
      connectionId: entry.connection.id,
      closeCode: CloseCode.MESSAGE_TOO_BIG,
    });
    this.#report(entry, error);
    closeSocket(entry.connection.socket, CloseCode.MESSAGE_TOO_BIG, "Message too big");
  }

  #onTransportError(entry: Entry, cause: unknown): void {
    // `ws` enforces its own maxPayload before core sees the frame; report it the same way.
    if ((cause as { code?: unknown })?.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") {
      this.#tooLarge(entry);
      return;
    }
    const message = cause instanceof Error ? cause.message : "Transport error";
    this.#report(
      entry,
      new WebSocketError(message, {
        code: "TRANSPORT_ERROR",
        connectionId: entry.connection.id,
        cause,
      }),
    );
  }

  #onClose(entry: Entry, code: number, reason: string): void {
    if (!this.#entries.has(entry.connection.id)) {
      entry.closed = true;
      return;
    }
    entry.closed = true;
    const { connection } = entry;
    this.#entries.delete(connection.id);
    removeFrom(this.#byPath, connection.metadata.path, entry);
    if (connection.user) removeFrom(this.#byUser, connection.user.id, entry);
    if (this.#entries.size === 0) this.#heartbeat.stop();
    for (const resolve of entry.waiters ?? []) resolve();
    entry.waiters = undefined;
    invokeSafely(
      entry.handler?.onClose,
      (e) => this.#report(entry, e, "onClose"),
      connection,
      code,
      reason,
    );
  }

  #ping(entry: Entry): void {
    const { socket } = entry.connection;
    if (socket.readyState !== OPEN) return;
    try {
      if (socket.ping) socket.ping();
      else socket.send(pingFrame());
    } catch (error) {
      this.#onTransportError(entry, error);
    }
  }

  #expire(entry: Entry): void {
    const error = new WebSocketConnectionError(`No pong within ${this.config.pongTimeout} ms`, {
      code: "PONG_TIMEOUT",
      connectionId: entry.connection.id,
    });
    this.#report(entry, error);
    this.#terminate(entry);
  }

  #terminate(entry: Entry): void {
    const { socket } = entry.connection;
    try {
      if (socket.terminate) socket.terminate();
      else socket.close(CloseCode.GOING_AWAY, "Terminated");
    } catch {
      // The socket is already gone; the registry cleanup below is what matters.
    }
    this.#onClose(entry, 1006, "");
  }

  #report(entry: Entry, error: Error, callback?: string): void {
    const reported =
      error instanceof WebSocketError
        ? error
        : new WebSocketError(`${callback ?? "handler"} failed: ${error.message}`, {
            code: "HANDLER_ERROR",
            connectionId: entry.connection.id,
            cause: error,
          });
    const onError = entry.handler?.onError;
    if (onError === undefined) {
      console.error(`[agentsocket] ${reported.code}: ${reported.message}`);
      return;
    }
    // An onError that fails itself has nowhere left to report to.
    invokeSafely(onError, () => {}, entry.connection, reported);
  }

  #reportRefusal(path: string, error: WebSocketConnectionError): void {
    const handler = this.#handlers.get(path);
    if (handler?.onError === undefined) return;
    // No connection exists for a refused handshake; handlers get a stand-in with no socket.
    const now = Date.now();
    const standIn = {
      id: "",
      socket: undefined as never,
      metadata: { path },
      createdAt: now,
      lastActivity: now,
    };
    invokeSafely(handler.onError, () => {}, standIn, error);
  }
}

function reject(status: number, code: ErrorCode, message: string) {
  const error = new WebSocketConnectionError(message, { code, status });
  return { ok: false as const, status, error };
}

function closeSocket(socket: SocketLike, code: number, reason: string): void {
  try {
    socket.close(code, reason);
  } catch {
    socket.terminate?.();
  }
}

function addTo(index: Map<string, Set<Entry>>, key: string, entry: Entry): void {
  let set = index.get(key);
  if (set === undefined) index.set(key, (set = new Set()));
  set.add(entry);
}

function removeFrom(index: Map<string, Set<Entry>>, key: string, entry: Entry): void {
  const set = index.get(key);
  if (set?.delete(entry) && set.size === 0) index.delete(key);
}
