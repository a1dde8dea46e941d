/**
 * A Fastify 5 app with routes and an `onRequest` hook of its own (request ids, and a 403 for
 * banned clients) that adds an AI agent over WebSocket at `/ws` with the agentsocket plugin.
 * Upgrade requests go through the app's hooks like any request, so the ban applies to them too.
 */
import { randomUUID } from "node:crypto";
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import {
  createAgentWebSocketHandler,
  CREDENTIAL_HEADERS,
  REDACTED,
  redactUrl,
  WebSocketConnectionManager,
  type AgentBackend,
  type AuthenticatedUser,
} from "@agentsocket/core";
import { createDemoAgent } from "@agentsocket/core/demo";
import agentsocket from "@agentsocket/fastify";

/** Options of {@link createApp} and {@link startApp}. */
export interface AppOptions {
  /** The agent behind `/ws`. @default createDemoAgent() */
  agent?: AgentBackend;
  /**
   * Bearer tokens and the users they belong to.
   * @default one token, process.env.AGENT_TOKEN or "dev-token", for user "demo"
   */
  tokens?: Record<string, AuthenticatedUser>;
  /**
   * Log requests with Fastify's logger (to stdout, or to `stream`); credentials in the URL
   * (`?token=`) and headers are redacted. @default false
   */
  logger?: boolean | { stream: { write(line: string): void } };
}

/** User agents the app turns away (scrapers it has had trouble with). */
const BANNED_USER_AGENTS = [/badbot/i, /evil-scraper/i];

/** Builds the Fastify app with the agentsocket plugin registered (not yet listening). */
export async function createApp(options: AppOptions = {}) {
  const app = Fastify({ logger: loggerOptions(options.logger), genReqId: () => randomUUID() });

  // The app's own hook. It runs for every request, WebSocket handshakes included.
  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
    const userAgent = request.headers["user-agent"] ?? "";
    if (BANNED_USER_AGENTS.some((pattern) => pattern.test(userAgent))) {
      return reply.code(403).send({ error: "Forbidden" });
    }
  });

  // Fastify's own 404 logs `Route GET:<url> not found` with the query string: answer it here.
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: "Not Found" }));
  app.get("/", async () => ({ app: "fastify example", agent: "/ws" }));
  app.get("/health/app", async () => ({ status: "ok", uptime: process.uptime() }));

  // --- agentsocket -------------------------------------------------------------------------
  // Clients send `Authorization: Bearer <token>` (or `?token=` from a browser); an unknown or
  // missing token is refused with HTTP 401 before the upgrade.
  const tokens = new Map(
    Object.entries(options.tokens ?? { [process.env.AGENT_TOKEN ?? "dev-token"]: { id: "demo" } }),
  );
  const manager = new WebSocketConnectionManager({
    auth: { strategy: "bearer", validate: (token) => tokens.get(token) ?? null },
  });
  // Register handlers before the plugin: it adds one route per handler path.
  // Clients may run the calculator directly with `tool_call`; every other tool stays private.
  manager.registerHandler(
    "/ws",
    createAgentWebSocketHandler(options.agent ?? createDemoAgent(), {
      allowedTools: ["calculator"],
    }),
  );
  await app.register(agentsocket, { manager }); // app.close() closes every socket with 1001
  // -----------------------------------------------------------------------------------------

  return { app, manager };
}

/**
 * Fastify's logger options: its request serializer with the URL redacted (browsers send the
 * WebSocket's `?token=` in it), and pino's `redact` for credential headers logged elsewhere.
 */
function loggerOptions(logger: AppOptions["logger"]) {
  if (!logger) return false;
  return {
    ...(logger === true ? {} : { stream: logger.stream }),
    redact: { paths: CREDENTIAL_HEADERS.map((name) => `req.headers["${name}"]`), censor: REDACTED },
    serializers: {
      req: (request: FastifyRequest) => ({
        method: request.method,
        url: redactUrl(request.url),
        host: request.host,
        remoteAddress: request.ip,
      }),
    },
  };
}

/** A listening app. */
export interface RunningApp {
  /** Base HTTP URL, e.g. `http://127.0.0.1:3002`. */
  url: string;
  app: FastifyInstance;
  manager: WebSocketConnectionManager;
  /** `app.close()`: closes every WebSocket with 1001, then the server. */
  close(): Promise<void>;
}

/**
 * Builds the app and listens on `port` (0 picks a free one).
 * @param options the app's options, plus `port` (default 3000) and `host` (default "localhost").
 */
export async function startApp(
  options: AppOptions & { port?: number; host?: string } = {},
): Promise<RunningApp> {
  const { app, manager } = await createApp(options);
  const host = options.host ?? "localhost";
  await app.listen({ port: options.port ?? 3000, host });
  const { port } = app.server.address() as { port: number };
  return { url: `http://${host}:${port}`, app, manager, close: () => app.close() };
}
