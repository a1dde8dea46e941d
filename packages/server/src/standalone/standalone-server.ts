/**
 * Seed 000's standalone WebSocket server — `new AgentSocketServer({ port, maxConnections,
 * enableCompression, heartbeatInterval })`, also exported as `NeuroLinkWebSocketServer` — on a
 * plain Node HTTP server and `ws`, with core's manager doing auth, limits, heartbeat and rooms.
 * Events: `connection`, `disconnect`, `heartbeat` (round-trip latency of each protocol ping),
 * `message`, `error`, and one per client message type (`{ type: "chat-message", ... }`).
 */
import { createServer as createHttpServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import {
  WebSocketConnectionManager,
  type BrokerConfig,
  type MessageBroker,
  type WebSocketConfig,
} from "@agentsocket/core";
import {
  acceptNodeWebSocket,
  answerUpgrade,
  wsServerOptions,
  type CompressionOptions,
} from "@agentsocket/core/adapter";
import { listenOn, trackServer, type ServerCloser } from "../frameworks/binding.ts";
import { importPeer } from "../import-peer.ts";
import { RESERVED_EVENTS, SafeEmitter, type StandaloneEvents } from "./events.ts";
import { StandaloneFacade } from "./facade.ts";
import { answerHttp, type HealthCheck } from "./http.ts";
import {
  type MetricsOptions,
  prometheusText,
  StatsRecorder,
  type StandaloneStats,
} from "./stats.ts";
import { createMessageHandler } from "./messages.ts";

/** Options of {@link AgentSocketServer} (seed 000's names, plus `websocket` for the rest). */
export interface AgentSocketServerOptions {
  /** Port to listen on; 0 picks a free one (read it back from `server.port`). @default 8080 */
  port?: number;
  /** Interface to bind. @default all interfaces */
  host?: string;
  /** Path clients connect to. @default "/" */
  path?: string;
  /** Connections open at once; the next handshake gets 503. @default 1000 */
  maxConnections?: number;
  /** Negotiate permessage-deflate: `true` or `{ threshold, level }`. @default false */
  enableCompression?: boolean | CompressionOptions;
  /** Milliseconds between protocol pings (each pong is a `heartbeat` event); 0 disables. @default 30000 */
  heartbeatInterval?: number;
  /** Seed 000's tuning block; the top-level options win over it. */
  performance?: {
    enableCompression?: boolean;
    compressionLevel?: number;
    maxPayloadSize?: number;
    pingInterval?: number;
    pongTimeout?: number;
  };
  /** Everything else of the manager: `auth`, `allowedOrigins`, `rooms`, `broker`, … */
  websocket?: WebSocketConfig;
}

type EventName = keyof StandaloneEvents | (string & {});
type EventPayload<N> = N extends keyof StandaloneEvents
  ? StandaloneEvents[N]
  : StandaloneEvents["message"];

/** The manager config the seed's options describe. */
function managerConfig(options: AgentSocketServerOptions): WebSocketConfig {
  const performance = options.performance ?? {};
  const compress = options.enableCompression ?? performance.enableCompression ?? false;
  const level = performance.compressionLevel;
  const compression = compress === true && level !== undefined ? { level } : compress;
  const pingInterval = options.heartbeatInterval ?? performance.pingInterval;
  const defined = Object.entries({
    path: options.path ?? "/",
    maxConnections: options.maxConnections,
    pingInterval,
    pongTimeout: performance.pongTimeout,
    maxMessageSize: performance.maxPayloadSize,
    compression,
  }).filter(([, value]) => value !== undefined);
  return { ...options.websocket, ...Object.fromEntries(defined) };
}

export class AgentSocketServer extends StandaloneFacade {
  readonly websocket: WebSocketConnectionManager;
  readonly #options: AgentSocketServerOptions;
  readonly #events = new SafeEmitter();
  readonly #stats = new StatsRecorder();
  readonly #checks = new Map<string, HealthCheck>();
  readonly #http: Server;
  readonly #wss: WebSocketServer;
  readonly #tracker: ServerCloser;
  /** The handshake being accepted: `onOpen` runs synchronously inside it. */
  #opening: { request: IncomingMessage; ws: WebSocket } | undefined;
  #pendingBroker: BrokerConfig | undefined;
  #metrics: MetricsOptions | undefined;
  #port: number | undefined;
  #started = false;
  #stopping: Promise<void> | undefined;

  /** @throws {TypeError} naming the first invalid option. */
  constructor(options: AgentSocketServerOptions = {}) {
    super();
    const port = options.port ?? 8080;
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new TypeError(
        `The "port" option must be an integer from 0 to 65535 (got ${String(port)})`,
      );
    this.#options = { ...options, port };
    this.websocket = new WebSocketConnectionManager(managerConfig(options));
    this.websocket.registerHandler(
      this.websocket.config.path,
      createMessageHandler({
        events: this.#events,
        stats: this.#stats,
        opening: () => this.#opening,
        reserved: RESERVED_EVENTS,
        forget: (id) => this.forget(id),
      }),
    );
    this.#wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      ...wsServerOptions(this.websocket.config),
      maxPayload: this.websocket.maxFrameSize(),
    });
    this.#http = createHttpServer((request, response) => {
      void answerHttp(this.#httpSource, request, response).catch(() => {
        if (!response.headersSent) response.writeHead(500);
        response.end();
      });
    });
    this.#http.on("upgrade", this.#onUpgrade);
    this.#tracker = trackServer(this.#http);
  }

  /** The bound port once started (useful with `port: 0`). */
  get port(): number | undefined {
    return this.#port;
  }

  /** Adds a listener: `connection`, `disconnect`, `heartbeat`, `message`, `error`, or a message type. */
  on<N extends EventName>(event: N, listener: (payload: EventPayload<N>) => unknown): this {
    this.#events.on(event, listener as (payload: never) => unknown);
    return this;
  }

  off<N extends EventName>(event: N, listener: (payload: EventPayload<N>) => unknown): this {
    this.#events.off(event, listener as (payload: never) => unknown);
    return this;
  }

  /**
   * Joins a cluster: a broker, or `{ type: "redis", url, prefix }` (loads `@agentsocket/redis`
   * at `start()`). Before `start()`.
   * @throws {Error} once started.
   */
  setMessageBroker(broker: MessageBroker | BrokerConfig): void {
    if (this.#started || this.#stopping)
      throw new Error("setMessageBroker() must be called before start()");
    if ((broker as BrokerConfig)?.type === "redis") this.#pendingBroker = broker as BrokerConfig;
    else this.websocket.setMessageBroker(broker);
  }

  /** Serves the figures of {@link getStats} in Prometheus text at `metricsEndpoint`. */
  enableMetrics(options: MetricsOptions = {}): void {
    const endpoint = options.metricsEndpoint ?? "/metrics";
    if (!endpoint.startsWith("/"))
      throw new TypeError('The "metricsEndpoint" option must start with "/"');
    this.#metrics = { exportPrometheus: true, ...options, metricsEndpoint: endpoint };
  }

  /** Seed 000's figures; the manager's own `getStats()` fields win when it has one. */
  getStats(): StandaloneStats {
    const own = this.#stats.snapshot(
      this.websocket.getConnectionCount(),
      this.websocket.getRooms().length,
    );
    const manager = this.websocket as unknown as { getStats?: () => Record<string, unknown> };
    return typeof manager.getStats === "function" ? { ...own, ...manager.getStats() } : own;
  }

  /** Adds a check to `/health` and `/ready` (seed 000: `{ status: "healthy" | "unhealthy", message }`). */
  addHealthCheck(name: string, check: HealthCheck): void {
    if (typeof name !== "string" || name === "" || typeof check !== "function")
      throw new TypeError("addHealthCheck: give a name and a function");
    this.#checks.set(name, check);
  }

  /** Listens; resolves once bound and joined to the cluster. */
  async start(): Promise<void> {
    if (this.#stopping) throw new Error("A stopped AgentSocketServer cannot start again");
    if (this.#pendingBroker) {
      await importPeer(() => import("@agentsocket/redis"), 'setMessageBroker({ type: "redis" })', [
        "@agentsocket/redis",
        "redis",
      ]);
      this.websocket.setMessageBroker(this.#pendingBroker);
      this.#pendingBroker = undefined;
    }
    await this.websocket.cluster.ready();
    await listenOn(this.#http, this.#options.port!, this.#options.host);
    this.#port = (this.#http.address() as AddressInfo).port;
    this.#stats.started();
    this.#started = true;
  }

  /** Closes every connection with 1001, leaves the cluster and stops listening. Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#started = false;
      const deadline = Date.now() + this.websocket.config.closeTimeout;
      await this.websocket.closeAll();
      await this.websocket.cluster.close();
      this.#wss.close();
      if (this.#http.listening) await this.#tracker.close(deadline);
    })();
    return this.#stopping;
  }

  readonly #httpSource = {
    checks: this.#checks,
    ready: () => this.#started,
    brokerState: () => this.websocket.cluster.health().state,
    metricsEndpoint: () =>
      this.#metrics?.exportPrometheus ? this.#metrics.metricsEndpoint : undefined,
    metrics: () => prometheusText(this.getStats()),
  };

  readonly #onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const ignore = () => {};
    socket.on("error", ignore);
    const { url = "/", headers, rawHeaders } = request;
    const remoteAddress = request.socket.remoteAddress;
    void this.websocket
      .authorizeUpgrade({ url, headers, rawHeaders, ...(remoteAddress ? { remoteAddress } : {}) })
      .then((decision) => {
        if (socket.destroyed) return;
        if (!decision.ok) return answerUpgrade(socket, decision.error);
        this.#wss.handleUpgrade(request, socket, head, (ws) => {
          socket.off("error", ignore);
          this.#opening = { request, ws };
          try {
            acceptNodeWebSocket(this.websocket, ws, decision);
          } finally {
            this.#opening = undefined;
          }
        });
      })
      .catch(() => {
        if (!socket.destroyed)
          void answerUpgrade(socket, { code: "INTERNAL_ERROR", message: "Internal error" });
      });
  };
}

/** Seed 000's name for {@link AgentSocketServer}. */
export const NeuroLinkWebSocketServer = AgentSocketServer;
/** Seed 000's name for {@link AgentSocketServer}. */
export type NeuroLinkWebSocketServer = AgentSocketServer;
