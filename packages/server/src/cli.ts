/**
 * The `agentsocket` command line. `agentsocket serve` starts an agent server — the chat page at
 * `/`, the agent over WebSocket at `/ws` and over HTTP at `/api/agent/*`, health at `/api/health`
 * — configured by flags and environment variables (a flag wins over its variable).
 */
import type { DestinationStream } from "pino";
import { backendFromEnv } from "./backend-from-env.ts";
import { chatClientRoute } from "./chat-client.ts";
import { chatPage } from "./chat-page.ts";
import { createServer, type AgentServer } from "./create-server.ts";
import { importPeer, MissingPeerError } from "./import-peer.ts";
import { resumeFromEnv } from "./resume-from-env.ts";
import { limitsFromEnv } from "./limits-from-env.ts";
import { storeFromEnv } from "./store-from-env.ts";
import { parseServeOptions } from "./serve-options.ts";
import { exposureWarning } from "./serve-exposure.ts";
import { createServeLogger, logRequests } from "./serve-log.ts";

export { authFromEnv, parseServeOptions } from "./serve-options.ts";
export type { ServeOptions } from "./serve-options.ts";

/** The help text of `agentsocket help`. */
export const USAGE = `Usage: agentsocket serve [options]

Starts an agent server: a chat page at /, the agent over WebSocket at /ws and over HTTP at
/api/agent/generate and /api/agent/stream, the AI SDK's useChat over WebSocket at /chat
(WebSocketChatTransport of @agentsocket/client/ai-sdk), health at /api/health and /api/ready,
Prometheus metrics at /api/metrics.

Options:
  -f, --framework <name>  hono, express or fastify (env AGENTSOCKET_FRAMEWORK)  [default: hono]
  -p, --port <number>     port, 0 for any free one (env PORT)                   [default: 3000]
      --host <address>    interface to bind, 0.0.0.0 for all (env HOST)    [default: 127.0.0.1]
  -h, --help              show this help

Environment:
  OPENAI_API_KEY          serve an OpenAI model through the AI SDK instead of the offline demo
                          agent; OPENAI_MODEL [default: gpt-4o-mini], OPENAI_BASE_URL
  AGENTSOCKET_DEMO_TOKENS_PER_SECOND
                          speed of the demo agent [default: 40]
  AGENTSOCKET_JWT_SECRET  require a JWT signed with this secret (?token= or Authorization: Bearer)
  AGENTSOCKET_API_KEYS    require one of these comma-separated keys (?apiKey= or x-api-key)
  AGENTSOCKET_ALLOWED_ORIGINS
                          comma-separated origins whose pages may use the agent besides the
                          server's own page; * for any         [default: the page's own origin]
  REDIS_URL               join the other instances on this Redis (rooms, users and broadcasts
                          cross instances; /api/ready is 503 while Redis is down);
                          AGENTSOCKET_REDIS_PREFIX [default: agentsocket]
  AGENTSOCKET_SOCKETIO    1: also serve socket.io-client apps (chat:* and ai:* events) on the
                          /ai namespace; needs socket.io and @agentsocket/socket.io installed
  AGENTSOCKET_SOCKETIO_CORS
                          comma-separated origins whose pages may use Socket.IO's long-polling
  AGENTSOCKET_ALLOWED_MODELS
                          comma-separated models clients may ask for [default: none]
  RATE_LIMIT_MAX_REQUESTS frames one connection may send per RATE_LIMIT_WINDOW ms [default
                          window: 60000]; past it: RATE_LIMITED, a flood is closed 1008 [default: off]
  RATE_LIMIT_MAX_CONNECTIONS
                          connections per client address; the next handshake gets 429 [default: off]
  AGENTSOCKET_MAX_CONNECTIONS_PER_USER
                          connections per authenticated user; the next gets 429      [default: off]
  AGENTSOCKET_STREAMS_PER_MINUTE
                          streams one user may start per minute (WebSocket and HTTP) [default: off]
  LOG_LEVEL               trace, debug, info, warn, error, fatal or silent: one JSON line per
                          request and WebSocket on stdout, credentials redacted [default: info]
  AGENTSOCKET_DB          the SQLite file conversations are kept in     [default: ./agentsocket.db]
  DATABASE_URL            keep conversations in this PostgreSQL instead (postgres://…), in the
                          schema AGENTSOCKET_DB_SCHEMA                    [default: agentsocket]
  AGENTSOCKET_DRAIN_MS    on SIGTERM, how long running streams may finish while idle clients
                          are sent to reconnect elsewhere (SIGINT stops at once) [default: 25000]
  AGENTSOCKET_RESUME      0: a dropped connection aborts its streams instead of keeping them 30 s
                          for the client to resume (agent.resume)                    [default: 1]`;

/** Where the CLI writes, how it reports failure, and whether it owns the process signals. */
export interface CliRuntime {
  /** Prints a line of normal output. @default console.log */
  log: (line: string) => void;
  /** Prints a line of error output. @default console.error */
  error: (line: string) => void;
  /** Reports the exit code of a failure. @default sets `process.exitCode` */
  setExitCode: (code: number) => void;
  /** On SIGINT/SIGTERM, stop the server and exit the process. @default true */
  handleSignals: boolean;
  /** Where the JSON log lines (requests, handshakes, closed sockets) go. @default process.stdout */
  logs?: DestinationStream;
}

const DEFAULT_RUNTIME: CliRuntime = {
  log: (line) => console.log(line),
  error: (line) => console.error(line),
  setExitCode: (code) => {
    process.exitCode = code;
  },
  handleSignals: true,
  logs: process.stdout,
};

/** Exit codes: a usage mistake (bad command, flag or value), or a server that could not start. */
const EXIT = { usage: 2, failure: 1 } as const;

/**
 * Runs the CLI. Never calls `process.exit` itself (only its signal handler does, after `stop()`).
 * @param argv the arguments after the executable, e.g. `["serve", "--port", "8080"]`.
 * @param env the environment: `PORT`, `HOST`, `AGENTSOCKET_*`, `OPENAI_*`.
 * @param runtime output and signal handling; tests pass their own.
 * @returns the started server (its `stop()` also closes the conversation store), or `undefined` when nothing was started (help, or an error that
 * was printed and reported through `setExitCode`).
 * @example
 * const server = await main(["serve", "--framework", "fastify"], process.env);
 */
export async function main(
  argv: string[],
  env: NodeJS.ProcessEnv,
  runtime: Partial<CliRuntime> = {},
): Promise<AgentServer | undefined> {
  const io = { ...DEFAULT_RUNTIME, ...runtime };
  const [command, ...args] = argv;
  if (command === "help" || argv.includes("--help") || argv.includes("-h")) {
    io.log(USAGE);
    return undefined;
  }
  if (command !== "serve") {
    io.error(command === undefined ? USAGE : `Unknown command "${command}".`);
    if (command !== undefined) io.error('Run "agentsocket help" for usage.');
    io.setExitCode(EXIT.usage);
    return undefined;
  }

  let prepared: Awaited<ReturnType<typeof prepareServer>>;
  try {
    prepared = await prepareServer(args, env, io.logs ?? process.stdout);
  } catch (error) {
    // A framework or the AI SDK that is not installed: the message says what to install.
    if (error instanceof MissingPeerError) {
      io.error(`agentsocket: ${error.message}`);
      io.setExitCode(EXIT.failure);
      return undefined;
    }
    // parseArgs and every option check throw TypeErrors that name the flag or variable.
    if (!(error instanceof TypeError)) throw error;
    io.error(`agentsocket: ${error.message}`);
    io.error('Run "agentsocket help" for usage.');
    io.setExitCode(EXIT.usage);
    return undefined;
  }

  const { server, options, description, store } = prepared;
  try {
    await server.start();
  } catch (error) {
    await server.stop().catch(() => {});
    await store.close().catch(() => {});
    const where = `${options.host ?? "all interfaces"} port ${options.port}`;
    io.error(`agentsocket: cannot listen on ${where}: ${(error as Error).message}`);
    io.setExitCode(EXIT.failure);
    return undefined;
  }

  const url = `http://${displayHost(options.host)}:${server.port}`;
  const auth = options.auth.strategy === "none" ? "no auth" : `auth: ${options.auth.strategy}`;
  io.log(`agentsocket serving ${url} (${server.framework}, ${description}, ${auth})`);
  const exposed = exposureWarning(options.host, options.auth);
  if (exposed) io.error(exposed);
  if (io.handleSignals) stopOnSignals(server, io, options.drainMs);
  return server;
}

/** Builds the server `serve` describes, chat page included, without starting it. */
async function prepareServer(args: string[], env: NodeJS.ProcessEnv, logs: DestinationStream) {
  const options = parseServeOptions(args, env);
  const limits = limitsFromEnv(env);
  const logger = createServeLogger(env.LOG_LEVEL, logs);
  const { backend, description, allowedTools } = await backendFromEnv(env);
  const { framework, port, host, auth, socketio, allowedModels, allowedOrigins } = options;
  const agent = {
    allowedTools,
    ...resumeFromEnv(env),
    ...limits.agent,
    ...(allowedModels.length > 0 ? { allowedModels } : {}),
  };
  const cluster = await brokerFromEnv(env);
  // Opened last of what can be refused, so a bad variable leaves no database file behind.
  const { store, description: kept } = await storeFromEnv(env);
  const websocket = {
    auth,
    allowedOrigins,
    ...limits.websocket,
    ...(cluster ? { broker: cluster.broker } : {}),
  };
  const server = await createServer(backend, {
    framework,
    config: { port, host, websocket, agent: { ...agent, conversations: { store } }, socketio },
  });
  const page = chatPage();
  server.registerRoute({
    method: "GET",
    path: "/",
    description: "The chat page",
    handler: () => new Response(page, { headers: { "content-type": "text/html; charset=utf-8" } }),
  });
  server.registerRoute(chatClientRoute());
  // Loads the framework now, so a missing one is reported as such rather than as a listen error.
  await server.initialize().catch(async (error: unknown) => {
    await server.stop().catch(() => {});
    await store.close().catch(() => {});
    throw error;
  });
  logRequests(server.httpServer!, logger);
  // The CLI opened the store, so the server it hands out closes it: stop() leaves nothing open.
  const stopServer = server.stop.bind(server);
  let stopping: Promise<void> | undefined;
  server.stop = (drain) => (stopping ??= stopServer(drain).finally(() => store.close()));
  const described = `${description}, conversations in ${kept}`;
  return {
    server,
    options,
    description: cluster ? `${described}, ${cluster.where}` : described,
    store,
  };
}

/**
 * The Redis broker `REDIS_URL` asks for (loaded only then). `where` names the server without
 * credentials, for the log line.
 * @throws {TypeError} for a URL that is not redis:// or rediss://.
 */
async function brokerFromEnv(env: NodeJS.ProcessEnv) {
  const url = env.REDIS_URL;
  if (!url) return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    // reported below
  }
  if (parsed === undefined || !/^rediss?:$/.test(parsed.protocol))
    throw new TypeError("REDIS_URL must be a redis:// or rediss:// URL");
  const { createRedisBroker } = await importPeer(() => import("@agentsocket/redis"), "REDIS_URL", [
    "@agentsocket/redis",
    "redis",
  ]);
  const prefix = env.AGENTSOCKET_REDIS_PREFIX || undefined;
  const broker = createRedisBroker({ url, ...(prefix ? { prefix } : {}) });
  return { broker, where: `redis ${parsed.host}` };
}

/** The host to show in a URL: a wildcard address is reachable as localhost. */
function displayHost(host: string | undefined): string {
  if (host === undefined || host === "0.0.0.0" || host === "::") return "localhost";
  return host.includes(":") ? `[${host}]` : host;
}

/**
 * How long after the first signal another one still counts as the same Ctrl+C: npm and pnpm relay
 * the terminal's SIGINT to the script they run, so one keypress can reach the CLI two or three
 * times within a few milliseconds.
 */
const RELAYED_SIGNAL_MS = 1000;

/**
 * Stops the server on the first SIGINT/SIGTERM, then exits 0; a later signal (not a relayed copy
 * of the first) exits 1 at once without waiting for the stop. SIGTERM (a deploy replacing this
 * instance) drains: running streams get `drainMs` to finish.
 */
function stopOnSignals(server: AgentServer, io: CliRuntime, drainMs: number): void {
  let firstAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (firstAt !== undefined) {
      if (performance.now() - firstAt >= RELAYED_SIGNAL_MS) process.exit(EXIT.failure);
      return;
    }
    firstAt = performance.now();
    const drain = signal === "SIGTERM" ? { graceMs: drainMs } : undefined;
    io.log(`agentsocket: ${signal}, ${drain ? "draining" : "closing"} connections`);
    server.stop(drain).then(
      () => process.exit(0),
      (error: unknown) => {
        io.error(`agentsocket: stop failed: ${(error as Error).message}`);
        process.exit(EXIT.failure);
      },
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}
