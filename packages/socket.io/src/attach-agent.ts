/**
 * `attachAgent(io, neurolink)`: one agent service on a Socket.IO namespace. The handshake is
 * authenticated with core's {@link AuthConfig}; each client then speaks seed 001's `chat:*` and
 * seed 002's `ai:*` events, streamed through core's channel, so validation, limits, sanitized
 * errors, backpressure and cancellation are the ones `/ws` has.
 */
import type { AuthConfig, AuthenticatedUser, RateLimitOptions } from "@agentsocket/core";
import {
  createAgentService,
  isAgentService,
  type AgentBackend,
  type AgentOptions,
  type AgentService,
} from "@agentsocket/core/agent";
import type { Namespace, Server, Socket } from "socket.io";
import { serveAiEvents } from "./ai-events.ts";
import { serveChatEvents } from "./chat-events.ts";
import type { ClientContext } from "./client-context.ts";
import { createClientStreams } from "./client-streams.ts";
import {
  authorityOf,
  createHandshakeMiddleware,
  type HandshakeAuthority,
} from "./handshake-auth.ts";
import { checkEventRate, limitEventRate } from "./event-rate.ts";
import { createMemoryReconnectStore, type ReconnectStore } from "./known-clients.ts";
import { createReconnects } from "./reconnect-events.ts";
import { createResumableStreams } from "./resumable-streams.ts";

/** Options of {@link attachAgent}. */
export interface SocketIOAgentOptions {
  /** The namespace to serve when given a `Server` (with a `Namespace`, omit it). @default "/ai" */
  namespace?: string;
  /**
   * How handshakes authenticate: an {@link AuthConfig}, or a `WebSocketConnectionManager` whose
   * auth (and `allowedOrigins`) `/ws` uses, so both accept the same credentials.
   * @default { strategy: "none" }
   */
  auth?: AuthConfig | HandshakeAuthority;
  /** Browser origins allowed to connect (`"*"`: any); others get `connect_error` "forbidden". @default the manager's `allowedOrigins`, else any */
  allowedOrigins?: string[];
  /** The agent's limits, when given a backend (a service brings its own). @default {} */
  agent?: AgentOptions;
  /**
   * Events one client may send (core's token bucket, as `/ws` counts frames): excess events are
   * answered `RATE_LIMITED` and not handled; a client that keeps flooding is disconnected.
   * @default the manager's `rateLimit`, else none
   */
  rateLimit?: RateLimitOptions;
  /** Milliseconds a disconnected client stays known to `ai:reconnect`. @default 30000 */
  reconnectWindow?: number;
  /**
   * Most disconnected clients remembered for `ai:reconnect` in this process (the default store);
   * the oldest go first. @default 10000
   */
  maxKnownClients?: number;
  /**
   * Where disconnected clients wait for `ai:reconnect`. A shared store (`broker.reconnectStore()`
   * of `@agentsocket/redis`, with the agent's `resume.store` on the same Redis) lets a client
   * reconnect to any instance, its streams going on from the shared log. `createServer` passes
   * its Redis broker's. @default this process's memory (`maxKnownClients`)
   */
  reconnectStore?: ReconnectStore;
}

/** An agent served on a namespace. */
export interface SocketIOAgent {
  /** The namespace the agent serves. */
  readonly namespace: Namespace;
  /** The agent service (share it with `/ws` and HTTP by passing it to their handlers). */
  readonly agent: AgentService;
  /** Clients connected now. */
  readonly clientCount: number;
  /**
   * Stops serving new clients and disconnects the current ones; their streams, and those left
   * for `ai:reconnect` by clients gone before, abort upstream.
   */
  close(): void;
}

const DEFAULTS = { namespace: "/ai", reconnectWindow: 30_000, maxKnownClients: 10_000 } as const;

/**
 * Serves an agent on a Socket.IO server's namespace (or on a namespace you pass).
 * @param target a Socket.IO 4 `Server` (its `options.namespace` is used) or a `Namespace`.
 * @param neurolink a NeuroLink-shaped backend, or a service from `createAgentService()`.
 * @throws {TypeError} naming an invalid option, or for a backend without generate()/stream().
 * @example
 * const io = new Server(httpServer);
 * attachAgent(io, neurolink, { auth: { strategy: "bearer", jwt: { secret } } });
 * // browser: io("http://localhost:3000/ai", { auth: { token }, transports: ["websocket"] })
 */
export function attachAgent(
  target: Server | Namespace,
  neurolink: AgentBackend | AgentService,
  options: SocketIOAgentOptions = {},
): SocketIOAgent {
  const settings = { ...DEFAULTS, ...options };
  const namespace = namespaceOf(target, options.namespace);
  for (const name of ["reconnectWindow", "maxKnownClients"] as const) {
    if (!Number.isInteger(settings[name]) || settings[name] < 1) {
      throw new TypeError(`The "${name}" option must be a positive integer`);
    }
  }
  if (isAgentService(neurolink) && options.agent !== undefined) {
    throw new TypeError(
      'The "agent" option applies to a backend; a service brings its own options',
    );
  }
  const agent = isAgentService(neurolink)
    ? neurolink
    : createAgentService(neurolink, options.agent);
  const authority = authorityOf(options.auth);
  const allowedOrigins = options.allowedOrigins ?? authority.config.allowedOrigins;
  if (allowedOrigins !== undefined && !Array.isArray(allowedOrigins)) {
    throw new TypeError('The "allowedOrigins" option must be an array of origins');
  }
  const store = options.reconnectStore;
  if (
    store !== undefined &&
    (typeof store?.park !== "function" || typeof store.claim !== "function")
  ) {
    throw new TypeError('The "reconnectStore" option must have park() and claim() methods');
  }
  const rateLimit = options.rateLimit ?? authority.config.rateLimit;
  checkEventRate(rateLimit);
  const users = new WeakMap<Socket, AuthenticatedUser>();
  const clients = new Map<string, Socket>();
  let closing = false;
  const backpressureThreshold = agent.options.streaming?.bufferSize ?? 64 * 1024;
  const report = (error: unknown, type: string, userId?: string) => {
    try {
      const context = { type, ...(userId ? { userId } : {}) };
      const failure = error instanceof Error ? error : new Error(String(error));
      if (agent.options.onError) agent.options.onError(failure, context);
      else console.error(`[agentsocket] socket.io ${type} failed:`, error);
    } catch {
      // A failing logger must not take the client's error event with it.
    }
  };

  namespace.use(createHandshakeMiddleware(authority, allowedOrigins, users));
  const resumable = createResumableStreams(agent, (error) => report(error, "resume"));
  const reconnects = createReconnects({
    store: store ?? createMemoryReconnectStore({ max: settings.maxKnownClients }),
    windowMs: settings.reconnectWindow,
    resumable,
    userOf: (socket) => users.get(socket)?.id,
    report: (error, userId) => report(error, "ai:reconnect", userId),
  });

  const onConnection = (socket: Socket) => {
    const user = users.get(socket);
    const client: ClientContext = {
      socket,
      agent,
      identity: { connectionId: socket.id, ...(user ? { userId: user.id } : {}) },
      streams: createClientStreams(agent, user?.id ?? socket.id),
      resumable,
      held: new Map(),
      report: (error, type) => report(error, type, user?.id),
    };
    limitEventRate(socket, rateLimit, (error) => report(error, "connection", user?.id));
    clients.set(socket.id, socket);
    let rooms: string[] = [];
    socket.on("disconnecting", () => {
      rooms = [...socket.rooms].filter((room) => room !== socket.id);
    });
    socket.on("disconnect", () => {
      // Resumable streams wait for ai:reconnect (or their grace period); the others abort.
      const streams = closing ? [] : [...client.held.values()];
      for (const held of streams) {
        held.release();
        client.streams.forget(held.key);
      }
      client.held.clear();
      client.streams.abortAll();
      clients.delete(socket.id);
      reconnects.park(socket, user?.id, rooms, streams);
    });
    serveChatEvents(client);
    serveAiEvents(client, backpressureThreshold);
    reconnects.serve(client, (id) => clients.get(id));
    socket.emit("ai:connected", {
      clientId: socket.id,
      maxConcurrentStreams: agent.options.maxConcurrentStreams,
      backpressureThreshold,
    });
  };
  namespace.on("connection", onConnection);

  return {
    namespace,
    agent,
    get clientCount() {
      return clients.size;
    },
    close() {
      namespace.off("connection", onConnection);
      closing = true;
      for (const socket of [...clients.values()]) socket.disconnect();
      for (const held of reconnects.clear()) held.controller.abort();
    },
  };
}

function namespaceOf(target: Server | Namespace, name: string | undefined): Namespace {
  if (typeof (target as Server)?.of === "function") {
    const path = name ?? DEFAULTS.namespace;
    if (typeof path !== "string" || !path.startsWith("/")) {
      throw new TypeError(
        `The "namespace" option must start with "/" (got ${JSON.stringify(name)})`,
      );
    }
    return (target as Server).of(path);
  }
  if (typeof (target as Namespace)?.use !== "function" || typeof target.on !== "function") {
    throw new TypeError("attachAgent() needs a Socket.IO Server or Namespace");
  }
  if (name !== undefined) {
    throw new TypeError('The "namespace" option applies to a Server; a Namespace is already one');
  }
  return target as Namespace;
}
