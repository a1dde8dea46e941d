/**
 * `createServer(neurolink, { framework, config })`: one call gives an HTTP server with health
 * routes and the WebSocket endpoints, on Hono, Express or Fastify.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  WebSocketConnectionManager,
  WebSocketError,
  type AgentBackend,
  type DrainOptions,
} from "@agentsocket/core";
import {
  createAgentHttpHandler,
  createAgentService,
  createAgentWebSocketHandler,
  withBrokerLimits,
  type AgentHttpHandler,
  type AgentService,
  type AgentWebSocketHandler,
} from "@agentsocket/core/agent";
import { agentRoutes } from "./agent-routes.ts";
import { mountChatPath } from "./chat-path.ts";
import type { CreateServerOptions, Framework, ServerConfig } from "./server-config.ts";
import { conversationRoutes } from "./conversation-routes.ts";
import type { FrameworkBinding } from "./frameworks/binding.ts";
import { bindExpress } from "./frameworks/express.ts";
import { bindFastify } from "./frameworks/fastify.ts";
import { bindHono } from "./frameworks/hono.ts";
import { healthRoutes } from "./health.ts";
import { HealthChecks, type HealthCheck } from "./health-checks.ts";
import { metricsRoutes, serverMetrics } from "./metrics-route.ts";
import type { PrometheusMetrics } from "./prometheus.ts";
import { withBrokerStreamStore } from "./resume-store.ts";
import { checkRoute, type RouteDefinition } from "./routes.ts";
import { ticketRoutes } from "./ticket-routes.ts";
import { attachSocketIO, resolveSocketIOConfig, type SocketIOAttachment } from "./socketio.ts";

export type { CreateServerOptions, Framework, ServerConfig } from "./server-config.ts";

const BINDINGS = { hono: bindHono, express: bindExpress, fastify: bindFastify } as const;

const DEFAULTS = { framework: "hono", port: 3000, basePath: "/api" } as const;

/** Waits for `work` (which never rejects) until `deadline` (a `Date.now()` time) at the latest. */
async function untilDeadline(work: Promise<void> | undefined, deadline: number): Promise<void> {
  if (work === undefined) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadline - Date.now())));
  await Promise.race([work, late]);
  clearTimeout(timer);
}

/** An agent server. Register routes, then `initialize()` (optional) and `start()`. */
export class AgentServer {
  /** The framework serving HTTP and WebSocket. */
  readonly framework: Framework;
  /** The connection manager serving `/ws` (and any path registered on it). */
  readonly websocket: WebSocketConnectionManager;
  /** Prefix of the built-in routes. */
  readonly basePath: string;
  readonly #neurolink: AgentBackend;
  readonly #config: ServerConfig;
  readonly #routes = new Map<string, RouteDefinition>();
  readonly #agentHttp: AgentHttpHandler;
  readonly #agent: AgentService;
  readonly #chat: ReturnType<typeof mountChatPath>;
  #agentWs: AgentWebSocketHandler | undefined;
  readonly #socketioConfig: ReturnType<typeof resolveSocketIOConfig>;
  readonly #checks = new HealthChecks();
  readonly #metrics: PrometheusMetrics | undefined;
  #socketio: SocketIOAttachment | undefined;
  #binding: FrameworkBinding | undefined;
  #initializing: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;
  #port: number | undefined;
  #ready = false;

  /** @throws {TypeError} for an invalid option or a backend without generate()/stream(). */
  constructor(neurolink: AgentBackend, options: CreateServerOptions = {}) {
    const framework = options.framework ?? DEFAULTS.framework;
    if (!(framework in BINDINGS)) {
      throw new TypeError(
        `The "framework" option must be "hono", "express" or "fastify" (got ${JSON.stringify(framework)})`,
      );
    }
    const config = { ...options.config };
    const basePath = (config.basePath ?? DEFAULTS.basePath).replace(/\/$/, "");
    if (basePath !== "" && !basePath.startsWith("/")) {
      throw new TypeError(
        `The "config.basePath" option must start with "/" (got ${JSON.stringify(config.basePath)})`,
      );
    }
    const port = config.port ?? DEFAULTS.port;
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new TypeError(
        `The "config.port" option must be an integer from 0 to 65535 (got ${String(port)})`,
      );
    }
    this.#socketioConfig = resolveSocketIOConfig(config.socketio);
    this.framework = framework;
    this.basePath = basePath;
    this.#neurolink = neurolink;
    this.#config = config;
    this.websocket =
      config.websocket instanceof WebSocketConnectionManager
        ? config.websocket
        : new WebSocketConnectionManager(
            // `agent.resume` brings sessions along (rooms and frames survive a drop too).
            config.agent?.resume && config.websocket?.sessions === undefined
              ? { ...config.websocket, sessions: true }
              : config.websocket,
          );
    for (const route of healthRoutes(this, () => this.#ready, this.#checks)) this.#addRoute(route);
    this.#metrics = serverMetrics(this.websocket, config.metrics);
    for (const route of metricsRoutes(basePath, this.#metrics)) this.#addRoute(route);
    // One agent for both transports. It serves config.path unless the caller put a handler there.
    const { broker } = this.websocket.config;
    // Resume's log and maxStreamsPerMinute's counts on the broker when it keeps them (Redis).
    const agentOptions = withBrokerLimits(withBrokerStreamStore(config.agent, broker), broker);
    const agent = (this.#agent = createAgentService(neurolink, agentOptions));
    if (!this.websocket.hasHandler(this.websocket.config.path)) {
      this.websocket.registerHandler(
        this.websocket.config.path,
        (this.#agentWs = createAgentWebSocketHandler(agent)),
      );
    }
    this.#chat = mountChatPath(this.websocket, neurolink, config.chat, config.agent);
    this.#agentHttp = createAgentHttpHandler(agent, { manager: this.websocket });
    for (const route of agentRoutes(basePath, this.#agentHttp)) this.#addRoute(route);
    for (const route of conversationRoutes(basePath, this.websocket, agent)) this.#addRoute(route);
    for (const route of ticketRoutes(basePath, this.websocket)) this.#addRoute(route);
  }

  /** The NeuroLink-shaped instance the agent endpoints use. */
  get neurolink(): AgentBackend {
    return this.#neurolink;
  }

  /** The bound port once started (useful with `port: 0`). */
  get port(): number | undefined {
    return this.#port;
  }

  /** The Socket.IO `Server` when `config.socketio` is on, after `initialize()`. */
  get socketio(): unknown {
    return this.#socketio?.io;
  }

  /** The `prom-client` registry behind `GET {basePath}/metrics`; undefined with `metrics: false`. */
  get metricsRegistry(): PrometheusMetrics["registry"] | undefined {
    return this.#metrics?.registry;
  }

  /**
   * Adds a readiness check (seed 000): `GET {basePath}/ready` runs every check and answers 503,
   * naming the failed ones, when one throws, times out (5 s) or answers `false` or
   * `{ status: "unhealthy" }`. The message broker's check (`broker`) is built in.
   * @throws {TypeError} for an empty or taken name, or a check that is not a function.
   * @example
   * server.addHealthCheck("database", async () => ({ status: (await ping()) ? "healthy" : "unhealthy" }));
   */
  addHealthCheck(name: string, check: HealthCheck): void {
    this.#checks.add(name, check);
  }

  /** The Node HTTP server underneath, after `initialize()`. */
  get httpServer(): Server | undefined {
    return this.#binding?.server;
  }

  /** The framework's app (Hono, Express or Fastify instance), after `initialize()`. */
  get app(): unknown {
    return this.#binding?.app;
  }

  /**
   * Adds an HTTP route. A route with the same method and path as a built-in one replaces it.
   * @throws {TypeError} for an invalid definition; {Error} after `initialize()`.
   */
  registerRoute(route: RouteDefinition): void {
    checkRoute(route);
    if (this.#initializing) {
      throw new Error("registerRoute() must be called before initialize() or start()");
    }
    this.#addRoute(route);
  }

  /** The registered routes, built-in ones included. */
  getRoutes(): RouteDefinition[] {
    return [...this.#routes.values()];
  }

  /** Builds the framework app with every registered route. Called by `start()` if needed. */
  initialize(): Promise<void> {
    this.#initializing ??= (async () => {
      this.#binding = await BINDINGS[this.framework](this.getRoutes(), this.websocket);
      const { server } = this.#binding;
      this.#socketio = await attachSocketIO(
        server,
        this.#agent,
        this.websocket,
        this.#socketioConfig,
      );
    })();
    return this.#initializing;
  }

  /** Starts listening. Resolves once bound. */
  async start(): Promise<void> {
    await this.initialize();
    // Joined to the cluster (or known to be down: then /ready says 503 until it is back).
    await this.websocket.cluster.ready();
    // Node 20 loads undici on the first read of the global Response: 100–300 ms of the event
    // loop under load. Pay it here, not inside the first answer (Express and Fastify touch it
    // only then; Hono already has).
    void globalThis.Response;
    const binding = this.#binding!;
    await binding.listen(this.#config.port ?? DEFAULTS.port, this.#config.host);
    this.#port = (binding.server.address() as AddressInfo).port;
    this.#ready = true;
  }

  /**
   * Refuses new handshakes and agent requests (503 `SHUTTING_DOWN`), closes every WebSocket with
   * 1001, ends running SSE streams with an `error` event `SHUTTING_DOWN`, then closes the HTTP
   * server without keep-alive waits; it also leaves the cluster (this node's presence goes at
   * once). Resolves within the manager's `closeTimeout`: whatever is still open then (a client
   * that never answers, a handshake stuck in auth) is destroyed. Idempotent.
   *
   * With `graceMs` it drains instead (a deploy): `/ready` answers 503 at once, idle WebSockets get
   * `{type:"shutdown", reconnect:true}` and close 1012, running WebSocket and SSE streams get up to
   * `graceMs` to finish (then they end with `SHUTTING_DOWN` and close), and only then does the
   * server stop as above. Socket.IO clients are closed at once.
   * @throws {TypeError} for a `graceMs` that is not an integer >= 0.
   */
  stop(options?: DrainOptions): Promise<void> {
    const graceMs = options?.graceMs;
    if (graceMs !== undefined && !(Number.isInteger(graceMs) && graceMs >= 0))
      throw new TypeError(`The "graceMs" option must be an integer >= 0 (got ${String(graceMs)})`);
    this.#stopping ??= (async () => {
      this.#ready = false;
      if (graceMs !== undefined) await this.#drain(graceMs);
      const deadline = Date.now() + this.websocket.config.closeTimeout;
      // Running answers end in their logs (clients get the shutdown error) before sockets close.
      await untilDeadline(this.#chat?.close(), deadline);
      // Resumable streams outlive their connections: end them (in their logs too) first.
      this.#agentWs?.abortStreams(
        new WebSocketError("Server shutting down", { code: "SHUTTING_DOWN" }),
      );
      await Promise.all([
        this.websocket.closeAll(),
        this.#agentHttp.close(),
        this.#socketio?.close(),
      ]);
      await this.websocket.cluster.close();
      this.#metrics?.close();
      await this.#binding?.close(deadline);
    })();
    return this.#stopping;
  }

  #drain(graceMs: number): Promise<unknown> {
    return Promise.all([
      this.websocket.drain({ graceMs }),
      this.#agentHttp.close({ graceMs }),
      this.#socketio?.close(),
    ]);
  }

  #addRoute(route: RouteDefinition): void {
    this.#routes.set(`${route.method} ${route.path}`, { ...route });
  }
}

/**
 * Creates an agent server on the chosen framework.
 * @example
 * const server = await createServer(neurolink, { framework: "express", config: { port: 3000 } });
 * await server.start(); // ws://localhost:3000/ws, POST /api/agent/stream, GET /api/health
 */
export async function createServer(
  neurolink: AgentBackend,
  options: CreateServerOptions = {},
): Promise<AgentServer> {
  return new AgentServer(neurolink, options);
}
