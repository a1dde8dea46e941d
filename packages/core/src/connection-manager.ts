/**
 * The connection registry: handshake decisions, limits, heartbeat, lookups, send and broadcast.
 */
import type { ConnectionEvents, UpgradeAccepted, UpgradeDecision } from "./adapter-types.ts";
import { createAuthenticator, type AuthResult, type Authenticator } from "./auth/authenticate.ts";
import { handshakeProblem, refusalStandIn, reject } from "./handshake.ts";
import { parseRequestUrl, readHeader } from "./request.ts";
import type { UpgradeRequest } from "./auth/types.ts";
import { invokeSafely } from "./callbacks.ts";
import { resolveConfig, type ResolvedConfig } from "./config.ts";
import { Fanout } from "./cluster/fanout.ts";
import { SessionRegistry } from "./sessions/registry.ts";
import { CloseCode, ERRORS, WebSocketConnectionError } from "./errors.ts";
import { drainConnections, resolveGraceMs, type DrainOptions } from "./drain.ts";
import { refusalStatus } from "./http-response.ts";
import { createHeartbeat, type Heartbeat } from "./heartbeat.ts";
import { InstrumentedMethods } from "./instrumentation/manager-methods.ts";
import { closeSocket, ManagedConnection } from "./managed-connection.ts";
import { ConnectionLimits } from "./limits/connection-limits.ts";
import { originProblem } from "./origin-policy.ts";
import { addTo, removeFrom } from "./multi-index.ts";
import { limitBufferedBytes } from "./send-limit.ts";
import { PathOptions, type HandlerOptions } from "./path-options.ts";
import { connectedFrame } from "./system-frames.ts";
import {
  OPEN,
  type SocketLike,
  type WebSocketConfig,
  type WebSocketConnection,
  type WebSocketData,
  type WebSocketHandler,
} from "./types.ts";

const trimSlash = (path: string) =>
  path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;

/**
 * Owns every WebSocket connection of a server, whatever framework accepted it.
 * @example
 * const manager = new WebSocketConnectionManager({ maxConnections: 500 });
 * manager.registerHandler("/ws", { onMessage: (conn, msg) => manager.send(conn.id, msg.data) });
 */
export class WebSocketConnectionManager extends InstrumentedMethods {
  /** The resolved configuration (defaults filled in). */
  readonly config: Readonly<ResolvedConfig>;
  readonly #authenticate: Authenticator;
  readonly #limits: ConnectionLimits;
  readonly #handlers = new Map<string, WebSocketHandler>();
  readonly #pathOptions = new PathOptions();
  /** The largest frame any path accepts: what an adapter's `ws` maxPayload must allow. */
  readonly maxFrameSize = (): number => this.#pathOptions.largest(this.config);
  readonly #connections = new Map<string, ManagedConnection>();
  readonly #byUser = new Map<string, Set<ManagedConnection>>();
  readonly #byPath = new Map<string, Set<ManagedConnection>>();
  readonly #heartbeat: Heartbeat;
  readonly #onClosed = (managed: ManagedConnection) => this.#unregister(managed);
  #shuttingDown = false;

  /** @throws {TypeError} naming the first invalid option. */
  constructor(config: WebSocketConfig = {}) {
    super();
    this.config = resolveConfig(config);
    this.instrumentWith(this.config.instrumentation);
    this.#authenticate = createAuthenticator(this.config.auth);
    this.#limits = new ConnectionLimits(this, this.#authenticate, this.#byUser);
    this.#heartbeat = createHeartbeat<ManagedConnection>({
      pingInterval: this.config.pingInterval,
      pongTimeout: this.config.pongTimeout,
      targets: () => this.#connections.values(),
      ping: (managed) => managed.ping(),
      expire: (managed) => managed.expire(),
    });
    const send = (id: string, data: WebSocketData) => this.send(id, data);
    const drop = (id: string) => this.#connections.get(id)?.terminate();
    this.sessions = new SessionRegistry(this.config.sessions, () => this.fanout, drop);
    this.fanout = new Fanout(this.config, this.#connections, this.#byUser, send, this.sessions);
  }

  /** Registers the callbacks for `path` (replacing earlier ones), with `options` for that path. */
  registerHandler(path: string, handler: WebSocketHandler, options?: HandlerOptions): void {
    if (typeof path !== "string" || !path.startsWith("/")) {
      throw new TypeError(
        `registerHandler: path must start with "/" (got ${JSON.stringify(path)})`,
      );
    }
    this.#pathOptions.set(trimSlash(path), options ?? handler.pathOptions);
    this.#handlers.set(trimSlash(path), handler);
  }

  /** Whether a handler is registered for `path`. */
  hasHandler(path: string): boolean {
    return this.#handlers.has(trimSlash(path));
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

  /** Whether `closeAll()` has begun: new handshakes are refused with 503 `SHUTTING_DOWN`. */
  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /**
   * Decides a handshake before any upgrade: handshake headers, path, shutdown, `Origin`,
   * capacity, then auth (and shutdown again, since auth may take a while).
   * Never throws; a rejection carries the HTTP status to answer with.
   */
  protected async decideUpgrade(request: UpgradeRequest): Promise<UpgradeDecision> {
    const malformed = handshakeProblem(request);
    if (malformed) return reject("INVALID_HANDSHAKE", malformed);
    const path = trimSlash(parseRequestUrl(request.url).pathname);
    if (!this.handlesPath(path)) return reject("NOT_FOUND", `No WebSocket endpoint at ${path}`);
    if (this.#shuttingDown) return reject("SHUTTING_DOWN", ERRORS.SHUTTING_DOWN.message);
    const { allowedOrigins, maxConnections } = this.config;
    const { headers } = request;
    const foreign = originProblem(
      allowedOrigins,
      readHeader(headers, "origin"),
      readHeader(headers, "host"),
    );
    if (foreign) return reject("ORIGIN_NOT_ALLOWED", foreign);
    if (this.#connections.size >= maxConnections) {
      const rejected = reject("MAX_CONNECTIONS", `Maximum connections (${maxConnections}) reached`);
      this.#reportRefusal(path, rejected.error);
      return rejected;
    }
    const auth = await this.#limits.authorize(request);
    if (this.#shuttingDown) return reject("SHUTTING_DOWN", ERRORS.SHUTTING_DOWN.message);
    if (!auth.ok) return { ok: false, status: refusalStatus(auth.error), error: auth.error };
    const decision: UpgradeAccepted = { ok: true, path };
    if (auth.user) decision.user = auth.user;
    if ("awaitingAuth" in auth) decision.awaitingAuth = true;
    if (request.remoteAddress) decision.remoteAddress = request.remoteAddress;
    return decision;
  }

  /**
   * Runs only the configured authentication (no path, origin or capacity checks): for HTTP
   * routes that must accept the same credentials as the WebSocket.
   */
  authenticate(request: UpgradeRequest): Promise<AuthResult> {
    return this.#authenticate(request);
  }

  /**
   * Registers an upgraded socket and returns the events its adapter must forward.
   * Sends the `connected` frame, then runs `onOpen`.
   */
  accept(socket: SocketLike, decision: UpgradeAccepted): ConnectionEvents {
    if (decision.awaitingAuth) return this.#limits.hold(socket, decision);
    const now = Date.now();
    const metadata: WebSocketConnection["metadata"] = { path: decision.path };
    if (decision.remoteAddress) metadata.remoteAddress = decision.remoteAddress;
    const id = this.fanout.newConnectionId();
    socket = this.instruments.socket(socket, decision.path);
    // Every send to this connection goes through the limited socket; an overflow closes it.
    const limited = limitBufferedBytes(socket, this.config.maxBufferedBytes, id, (error) => {
      managed.report(error);
      void managed.close(CloseCode.POLICY_VIOLATION, "Client too slow");
    });
    const connection: WebSocketConnection = {
      id,
      socket: limited,
      metadata,
      createdAt: now,
      lastActivity: now,
      ...(decision.user ? { user: decision.user } : {}),
    };
    const handler = this.#handlers.get(decision.path);
    const settings = this.#pathOptions.settings(this.config, decision.path);
    const managed = new ManagedConnection(
      connection,
      settings.systemFrames ? this.sessions.wrap(this.fanout.withRoomFrames(handler)) : handler,
      settings,
      this.#onClosed,
    );
    const events = managed.events(this.instruments.receivedCounter(decision.path));

    // A socket authorized before shutdown began but upgraded after it goes away at once.
    if (this.#shuttingDown) {
      managed.discard();
      closeSocket(socket, ERRORS.SHUTTING_DOWN.closeCode, ERRORS.SHUTTING_DOWN.message);
      return events;
    }
    // Handshakes authorized concurrently can overshoot the limit; the late ones close here.
    if (this.#connections.size >= this.config.maxConnections) {
      managed.report(
        new WebSocketConnectionError(
          `Maximum connections (${this.config.maxConnections}) reached`,
          { code: "MAX_CONNECTIONS", connectionId: connection.id },
        ),
      );
      managed.discard();
      closeSocket(socket, ERRORS.MAX_CONNECTIONS.closeCode, "Try again later");
      return events;
    }

    if (!this.#limits.opened(managed, socket)) return events;
    this.#connections.set(connection.id, managed);
    addTo(this.#byPath, decision.path, managed);
    if (decision.user) addTo(this.#byUser, decision.user.id, managed);
    this.fanout.opened(connection);
    this.#heartbeat.start();
    if (settings.systemFrames)
      socket.send(connectedFrame(connection.id, now, this.sessions.open(connection)));
    invokeSafely(managed.handler?.onOpen, (e) => managed.report(e, "onOpen"), connection);
    return this.instruments.opened(connection, events);
  }

  getConnection(id: string): WebSocketConnection | undefined {
    return this.#connections.get(id)?.connection;
  }

  getAllConnections(): WebSocketConnection[] {
    return Array.from(this.#connections.values(), (managed) => managed.connection);
  }

  getConnectionsByUser(userId: string): WebSocketConnection[] {
    return Array.from(this.#byUser.get(userId) ?? [], (managed) => managed.connection);
  }

  getConnectionsByPath(path: string): WebSocketConnection[] {
    return Array.from(this.#byPath.get(trimSlash(path)) ?? [], (managed) => managed.connection);
  }

  getConnectionCount(): number {
    return this.#connections.size;
  }

  /** Sends one frame to one connection. @returns whether the connection was open to send to. */
  send(id: string, data: WebSocketData): boolean {
    const socket = this.#connections.get(id)?.connection.socket ?? this.sessions.parkedSocket(id);
    if (socket === undefined || socket.readyState !== OPEN) return false;
    socket.send(data);
    return true;
  }

  /**
   * Closes one connection; resolves once it has closed (terminating it after `closeTimeout`).
   * Unknown ids resolve at once.
   */
  close(id: string, code: number = CloseCode.NORMAL, reason = ""): Promise<void> {
    return this.#connections.get(id)?.close(code, reason) ?? Promise.resolve();
  }

  /**
   * Shuts the manager down: from now on handshakes are refused with 503 `SHUTTING_DOWN` (those
   * still in auth included), and every connection is closed (1001 by default: the server is going
   * away). Resolves once all have closed. To drop connections and keep serving, use `close(id)`.
   */
  async closeAll(
    code: number = ERRORS.SHUTTING_DOWN.closeCode,
    reason = ERRORS.SHUTTING_DOWN.message,
  ): Promise<void> {
    this.#shuttingDown = true;
    await Promise.all(
      Array.from(this.#connections.values(), (managed) => managed.close(code, reason)),
    );
  }

  /**
   * Drains for a deploy: refuses handshakes, closes idle connections with 1012 at once and busy
   * ones once their work ends or `graceMs` passes (drain.ts). @throws {TypeError} for a bad graceMs
   */
  drain(options?: DrainOptions): Promise<void> {
    const graceMs = resolveGraceMs(options);
    this.#shuttingDown = true;
    return drainConnections(this.#connections.values(), graceMs, this.config);
  }

  #unregister(managed: ManagedConnection): void {
    const { connection } = managed;
    if (!this.#connections.delete(connection.id)) return;
    removeFrom(this.#byPath, connection.metadata.path, managed);
    if (connection.user) removeFrom(this.#byUser, connection.user.id, managed);
    this.#limits.closed(connection);
    this.sessions.closed(connection, this.#shuttingDown);
    if (this.#connections.size === 0) this.#heartbeat.stop();
  }

  #reportRefusal(path: string, error: WebSocketConnectionError): void {
    const handler = this.#handlers.get(path);
    if (handler?.onError === undefined) return;
    invokeSafely(handler.onError, () => {}, refusalStandIn(path), error);
  }
}
