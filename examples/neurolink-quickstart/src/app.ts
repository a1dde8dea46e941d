/**
 * NeuroLink's WebSocket quick start, made real: a `@juspay/neurolink` instance, one tool
 * registered on it, a `WebSocketConnectionManager` configured as in the quick start, and
 * `createServer(neurolink, { framework, config })`. The NeuroLink instance is passed as it is;
 * agentsocket serves it on `/ws` (generate, stream, tool_call, cancel) and on
 * `POST /api/agent/generate` and `/api/agent/stream`.
 */
import { NeuroLink } from "@juspay/neurolink";
import {
  createServer,
  WebSocketConnectionManager,
  type AgentServer,
  type Framework,
} from "@agentsocket/server";

/** Options of {@link startApp}. */
export interface AppOptions {
  /** Port to listen on; 0 picks a free one. @default 3000 */
  port?: number;
  /** Interface to bind. @default all interfaces */
  host?: string;
  /** @default "hono" */
  framework?: Framework;
  /**
   * The NeuroLink provider of every call. `openai-compatible` reads `OPENAI_COMPATIBLE_BASE_URL`,
   * `OPENAI_COMPATIBLE_API_KEY` and `OPENAI_COMPATIBLE_MODEL`. @default "openai-compatible"
   */
  provider?: string;
}

/** A listening app. */
export interface RunningApp {
  /** Base HTTP URL, e.g. `http://127.0.0.1:3000`; the WebSocket is at `${url}/ws`. */
  url: string;
  server: AgentServer;
  neurolink: NeuroLink;
  /** Closes every WebSocket with 1001, then the HTTP server, then NeuroLink. */
  close(): Promise<void>;
}

/**
 * The tool registered on NeuroLink: the model may call it, and so may a client with
 * `{type:"tool_call", payload:{toolName:"countWords", args:{text}}}`.
 */
export const countWords = {
  name: "countWords",
  description: "Counts the words in a text",
  inputSchema: {
    type: "object",
    properties: { text: { type: "string", description: "The text to count" } },
    required: ["text"],
  },
  execute: async (params: unknown) => {
    const text = (params as { text?: unknown } | undefined)?.text;
    if (typeof text !== "string") throw new TypeError('"text" must be a string');
    return { words: text.split(/\s+/).filter(Boolean).length };
  },
};

/**
 * Creates NeuroLink and the server, and starts listening.
 * @example
 * const app = await startApp({ port: 3000, framework: "fastify" });
 * console.log(`ws://localhost:3000/ws`);
 */
export async function startApp(options: AppOptions = {}): Promise<RunningApp> {
  // NeuroLink's built-in tools include readFile, writeFile and listDirectory on absolute paths.
  // Clients cannot run them (only `allowedTools` answer `tool_call`), but the model could: off
  // unless the operator turns them on. NeuroLink reads this when the instance is created.
  process.env.NEUROLINK_DISABLE_BUILTIN_TOOLS ??= "true";

  // The seed writes `new NeuroLink({ defaultProvider })`, an option NeuroLink 9.37 does not have:
  // it takes `provider` per call, which agentsocket's `requestDefaults` adds to every call.
  const neurolink = new NeuroLink();
  neurolink.registerTool(countWords.name, countWords);

  const websocket = new WebSocketConnectionManager({
    path: "/ws",
    maxConnections: 1000,
    pingInterval: 30000,
    pongTimeout: 10000,
    maxMessageSize: 1024 * 1024, // 1MB
  });

  // No handler registered on /ws: createServer serves the agent there.
  const server = await createServer(neurolink, {
    framework: options.framework ?? "hono",
    config: {
      port: options.port ?? 3000,
      host: options.host,
      basePath: "/api",
      websocket,
      agent: {
        requestDefaults: { provider: options.provider ?? "openai-compatible" },
        allowedTools: [countWords.name],
      },
    },
  });
  await server.initialize();
  await server.start();

  return {
    url: `http://${options.host ?? "localhost"}:${server.port}`,
    server,
    neurolink,
    async close() {
      await server.stop();
      await neurolink.dispose();
    },
  };
}
