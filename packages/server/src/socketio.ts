/**
 * `config.socketio`: the agent on a Socket.IO namespace, on the same HTTP server as `/ws` and
 * the routes, whatever the framework. `socket.io` and `@agentsocket/socket.io` are optional
 * peers, loaded only when asked for. Upgrades are dispatched by path before any framework sees
 * them, so Fastify's and Hono's own upgrade routing never answer Socket.IO's, and a path nobody
 * serves still gets the framework's 404.
 */
import type { Server as HttpServer, IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { WebSocketConnectionManager } from "@agentsocket/core";
import type { AgentService } from "@agentsocket/core/agent";
import type { ReconnectStore } from "@agentsocket/socket.io";
import { importPeer } from "./import-peer.ts";

/** `config.socketio` of `createServer`. */
export interface SocketIOConfig {
  /** The namespace clients connect to (`io("http://host/ai")`). @default "/ai" */
  namespace?: string;
  /** The Socket.IO endpoint path (`io(url, { path })`). @default "/socket.io" */
  path?: string;
  /**
   * CORS for the HTTP long-polling transport, as Socket.IO takes it (e.g.
   * `{ origin: "http://localhost:5173", credentials: true }`). WebSocket handshakes are checked
   * against `websocket.allowedOrigins` instead. @default no CORS headers
   */
  cors?: Record<string, unknown>;
  /**
   * Milliseconds a disconnected client stays known to `ai:reconnect` (with a Redis broker and
   * `agent.resume`, on every instance). @default 30000
   */
  reconnectWindow?: number;
}

/** What `createServer` keeps of a running Socket.IO attachment. */
export interface SocketIOAttachment {
  /** The Socket.IO `Server`. */
  readonly io: unknown;
  /** Disconnects every Socket.IO client (their streams abort upstream) and closes the engine. */
  close(): Promise<void>;
}

const DEFAULTS = { namespace: "/ai", path: "/socket.io" } as const;
const FEATURE = 'The "config.socketio" option';
const SOCKETIO = ["socket.io", "@agentsocket/socket.io"] as const;

/**
 * Checks `config.socketio` up front; `true` means every default, `false`/`undefined` off.
 * @throws {TypeError} naming the bad field.
 */
export function resolveSocketIOConfig(
  config: SocketIOConfig | boolean | undefined,
): (Required<Omit<SocketIOConfig, "cors" | "reconnectWindow">> & SocketIOConfig) | undefined {
  if (config === undefined || config === false) return undefined;
  if (config !== true && (typeof config !== "object" || config === null)) {
    throw new TypeError('The "config.socketio" option must be an object or a boolean');
  }
  const resolved = { ...DEFAULTS, ...(config === true ? {} : config) };
  for (const name of ["namespace", "path"] as const) {
    const value = resolved[name];
    if (typeof value !== "string" || !value.startsWith("/")) {
      throw new TypeError(
        `The "config.socketio.${name}" option must start with "/" (got ${JSON.stringify(value)})`,
      );
    }
  }
  if (
    resolved.cors !== undefined &&
    (typeof resolved.cors !== "object" || resolved.cors === null)
  ) {
    throw new TypeError('The "config.socketio.cors" option must be an object');
  }
  const window = resolved.reconnectWindow;
  if (window !== undefined && (!Number.isInteger(window) || window < 1)) {
    throw new TypeError('The "config.socketio.reconnectWindow" option must be a positive integer');
  }
  return resolved;
}

/**
 * Attaches Socket.IO to `server` and serves `agent` on its namespace with `manager`'s auth;
 * nothing (and no import) when `config` is off.
 */
export async function attachSocketIO(
  server: HttpServer,
  agent: AgentService,
  manager: WebSocketConnectionManager,
  config: ReturnType<typeof resolveSocketIOConfig>,
): Promise<SocketIOAttachment | undefined> {
  if (config === undefined) return undefined;
  const [{ Server }, { attachAgent }] = await Promise.all([
    importPeer(() => import("socket.io"), FEATURE, SOCKETIO),
    importPeer(() => import("@agentsocket/socket.io"), FEATURE, SOCKETIO),
  ]);
  // The frameworks' upgrade listeners, set aside: each would route a Socket.IO upgrade itself.
  const others = server.listeners("upgrade") as UpgradeListener[];
  server.removeAllListeners("upgrade");
  const io = new Server(server, {
    path: config.path,
    serveClient: false,
    maxHttpBufferSize: manager.config.maxMessageSize,
    ...(config.cors ? { cors: config.cors } : {}),
  });
  // Engine.io's own listener answers only its path; one dispatcher replaces it and the others.
  server.removeAllListeners("upgrade");
  const prefix = `${config.path.replace(/\/$/, "")}/`;
  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if ((request.url ?? "/").startsWith(prefix)) io.engine.handleUpgrade(request, socket, head);
    else for (const listener of others) listener.call(server, request, socket, head);
  });
  const reconnectStore = sharedReconnectStore(agent, manager);
  const served = attachAgent(io, agent, {
    namespace: config.namespace,
    auth: manager,
    ...(reconnectStore ? { reconnectStore } : {}),
    ...(config.reconnectWindow !== undefined ? { reconnectWindow: config.reconnectWindow } : {}),
  });
  return {
    io,
    async close() {
      served.close();
      io.disconnectSockets(true);
      io.engine.close();
    },
  };
}

/**
 * The broker's reconnect store when the agent's stream logs are the broker's (a Redis broker and
 * `agent.resume` on): then `ai:reconnect` works on any instance, the records next to the logs.
 */
function sharedReconnectStore(
  agent: AgentService,
  manager: WebSocketConnectionManager,
): ReconnectStore | undefined {
  const broker = manager.config.broker as
    { streamStore?(): unknown; reconnectStore?(): ReconnectStore } | undefined;
  const store = agent.options.resume?.store;
  if (store === undefined || typeof broker?.reconnectStore !== "function") return undefined;
  return store === broker.streamStore?.() ? broker.reconnectStore() : undefined;
}

type UpgradeListener = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;
