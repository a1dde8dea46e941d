/**
 * An existing Express 5 app — its own pages, a todo API, session login and JWTs — that adds an AI
 * agent over WebSocket at `/ws`. The agentsocket part is the block marked "agentsocket" below: a
 * connection manager that accepts the app's own credentials, the agent handler, and one
 * `attachWebSocket` call on the HTTP server.
 */
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import {
  createAgentWebSocketHandler,
  WebSocketConnectionManager,
  type AgentBackend,
} from "@agentsocket/core";
import { parseRequestUrl, readHeader } from "@agentsocket/core/adapter";
import { createDemoAgent } from "@agentsocket/core/demo";
import { attachWebSocket } from "@agentsocket/express";
import { createAuth, SESSION_COOKIE } from "./auth.ts";

/** Options of {@link createApp} and {@link startApp}. */
export interface AppOptions {
  /** The agent behind `/ws`. @default createDemoAgent() */
  agent?: AgentBackend;
  /** Key that signs session cookies. @default process.env.SESSION_SECRET, else a dev-only key */
  sessionSecret?: string;
  /** HS256 key of the JWTs. @default process.env.JWT_SECRET, else a dev-only key */
  jwtSecret?: string;
}

const TODOS = [
  { id: 1, title: "Try the agent at /ws", done: false },
  { id: 2, title: "Log in with POST /login", done: true },
];

/** Builds the Express app and the connection manager that serves its WebSocket endpoint. */
export function createApp(options: AppOptions = {}) {
  const auth = createAuth({
    sessionSecret: options.sessionSecret ?? process.env.SESSION_SECRET ?? "dev-session-secret",
    jwtSecret: options.jwtSecret ?? process.env.JWT_SECRET ?? "dev-jwt-secret-change-me",
  });

  const app = express();
  app.use(express.json());

  app.get("/", (_req, res) => {
    res.type("text").send("Todo app. POST /login, then talk to the agent at /ws.\n");
  });

  app.get("/api/todos", (_req, res) => {
    res.json(TODOS);
  });

  app.post("/login", async (req, res) => {
    const { username, password } = (req.body ?? {}) as Record<string, unknown>;
    const user = auth.login(username, password);
    if (user === undefined) {
      res.status(401).json({ error: "Invalid username or password" });
      return;
    }
    res.cookie(SESSION_COOKIE, auth.createSession(user), {
      httpOnly: true,
      sameSite: "lax",
      secure: process.env.NODE_ENV === "production",
    });
    res.json({ user, token: await auth.issueToken(user) });
  });

  app.get("/me", (req, res) => {
    const user = auth.readSession(req.headers.cookie);
    if (user === undefined) res.status(401).json({ error: "Not logged in" });
    else res.json({ user });
  });

  // --- agentsocket -------------------------------------------------------------------------
  // The handshake accepts the app's own credentials: the session cookie (browsers send it with
  // the upgrade request), or a JWT in `?token=` for clients without cookies. Anything else is
  // refused with HTTP 401 before the upgrade.
  const manager = new WebSocketConnectionManager({
    auth: {
      strategy: "custom",
      validate: async (request) => {
        const session = auth.readSession(readHeader(request.headers, "cookie"));
        if (session) return session;
        const token = parseRequestUrl(request.url).query.get("token");
        return (token && (await auth.verifyToken(token))) || null;
      },
    },
  });
  // generate, stream, tool_call and cancel; the backend sees the signed-in user's id.
  manager.registerHandler("/ws", createAgentWebSocketHandler(options.agent ?? createDemoAgent()));
  // -----------------------------------------------------------------------------------------

  return { app, manager };
}

/** A listening app. */
export interface RunningApp {
  /** Base HTTP URL, e.g. `http://127.0.0.1:3000`. */
  url: string;
  server: Server;
  manager: WebSocketConnectionManager;
  /** Closes every WebSocket with 1001, then the HTTP server. */
  close(): Promise<void>;
}

/**
 * Builds the app and listens on `port` (0 picks a free one).
 * @param options the app's options, plus `port` (default 3000) and `host` (default all interfaces).
 */
export async function startApp(
  options: AppOptions & { port?: number; host?: string } = {},
): Promise<RunningApp> {
  const { app, manager } = createApp(options);
  const server = createServer(app);
  attachWebSocket(server, manager); // agentsocket: serve /ws on the same port
  server.listen({ port: options.port ?? 3000, host: options.host });
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? "localhost"}:${port}`,
    server,
    manager,
    async close() {
      await manager.closeAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
