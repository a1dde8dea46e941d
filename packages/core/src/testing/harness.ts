/**
 * Per-test servers and clients for the conformance suite, all closed in `afterEach`.
 */
import { afterEach, expect } from "vitest";
import type { AgentBackend } from "../agent/backend.ts";
import { WebSocketConnectionManager } from "../connection-manager.ts";
import type { WebSocketConfig, WebSocketHandler } from "../types.ts";
import {
  connect,
  tryConnect,
  type ConnectOptions,
  type ConnectResult,
  type TestClient,
  type WsClientConstructor,
} from "./client.ts";

/** A server started by a {@link ConformanceTarget}. */
export interface ConformanceServer {
  /** Base HTTP URL, e.g. `http://127.0.0.1:43121`. */
  url: string;
  /** Stops the server; must close every WebSocket with 1001 and be safe to call twice. */
  stop(): Promise<void>;
}

/** One framework binding under test. */
export interface ConformanceTarget {
  /** Shown in test names, e.g. "express". */
  name: string;
  /** A `ws`-compatible client class (`WebSocket` from `ws`). */
  WebSocket: WsClientConstructor;
  /**
   * Serves `manager` on a new server bound to port 0 on 127.0.0.1. Server targets use `agent`
   * as the backend of their HTTP agent routes (adapter targets may ignore it).
   */
  start(manager: WebSocketConnectionManager, agent?: AgentBackend): Promise<ConformanceServer>;
  /**
   * The target is a full `createServer`: health routes under `/api` and `stop()` are checked too.
   * @default false
   */
  server?: boolean;
  /**
   * Who answers a WebSocket upgrade to a path the manager does not serve. `"core"`: a JSON
   * `{ error, code: "NOT_FOUND" }`. `"app"`: the framework app's own 404, of which only the status
   * is checked (a bare Hono app on `@hono/node-server`, which sends refused upgrades without a body).
   * @default "core"
   */
  unservedPaths?: "core" | "app";
}

/**
 * What a handshake refused with `status` and `code` looks like to {@link Harness.tryConnect}: the
 * status and a JSON body `{ error, code }` with a non-empty message.
 */
export function refused(status: number, code: string) {
  return { ok: false, status, body: { error: expect.stringMatching(/./), code } };
}

export interface Served {
  manager: WebSocketConnectionManager;
  server: ConformanceServer;
  /** `ws://` URL of `path` (default "/ws") with an optional query string. */
  wsUrl(path?: string, query?: string): string;
}

export interface Harness {
  target: ConformanceTarget;
  serve(
    config?: WebSocketConfig,
    handlers?: Record<string, WebSocketHandler>,
    agent?: AgentBackend,
  ): Promise<Served>;
  connect(url: string, options?: ConnectOptions): Promise<TestClient>;
  tryConnect(url: string, options?: ConnectOptions): Promise<ConnectResult>;
}

export function createHarness(target: ConformanceTarget): Harness {
  const servers: ConformanceServer[] = [];
  const clients: TestClient[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.socket.terminate();
    await Promise.all(servers.splice(0).map((server) => server.stop()));
  });

  const track = (result: ConnectResult) => {
    if (result.ok) clients.push(result.client);
    return result;
  };

  return {
    target,
    async serve(config = {}, handlers = {}, agent) {
      const manager = new WebSocketConnectionManager(config);
      for (const [path, handler] of Object.entries(handlers))
        manager.registerHandler(path, handler);
      const server = await target.start(manager, agent);
      servers.push(server);
      const base = server.url.replace(/^http/, "ws");
      return {
        manager,
        server,
        wsUrl: (path = manager.config.path, query) => `${base}${path}${query ? `?${query}` : ""}`,
      };
    },
    async connect(url, options) {
      const client = await connect(target.WebSocket, url, options);
      clients.push(client);
      return client;
    },
    async tryConnect(url, options) {
      return track(await tryConnect(target.WebSocket, url, options));
    },
  };
}

/** A promise with its resolver, for waiting on a callback. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** The part of a Node `http.Server` that {@link listenForTests} uses. */
export interface ListenableServer {
  listen(port: number, host: string, callback: () => void): unknown;
  address(): unknown;
  close(callback: () => void): unknown;
  closeAllConnections(): void;
}

/**
 * Listens on a free port of 127.0.0.1 and returns a {@link ConformanceServer} whose `stop()` runs
 * `beforeClose` (close the manager's sockets, detach), then closes the server without keep-alive
 * waits. `stop()` is idempotent.
 */
export async function listenForTests(
  server: ListenableServer,
  beforeClose: () => Promise<void> | void,
): Promise<ConformanceServer> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  let stopped: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      (stopped ??= (async () => {
        await beforeClose();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })()),
  };
}
