import type { Server } from "node:http";
import { createAdaptorServer, upgradeWebSocket } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { Hono, type MiddlewareHandler } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { WebSocketConnectionManager } from "@agentsocket/core";
import {
  connect,
  handshakeLines,
  listenForTests,
  rawRequest,
  runConformanceSuite,
  tryConnect,
} from "@agentsocket/core/testing";
import { wsServerOptions } from "@agentsocket/core/adapter";
import { createWebSocketMiddleware, type WebSocketMiddlewareOptions } from "./index.ts";

interface StartOptions {
  before?: MiddlewareHandler;
  getConnInfo?: WebSocketMiddlewareOptions["getConnInfo"];
}

async function start(manager: WebSocketConnectionManager, options: StartOptions = {}) {
  const app = new Hono();
  app.get("/hello", (c) => c.json({ hello: "world" }));
  if (options.before) app.use(options.before);
  app.use(
    createWebSocketMiddleware(manager, { upgradeWebSocket, getConnInfo: options.getConnInfo }),
  );
  const wss = new WebSocketServer({ noServer: true, ...wsServerOptions(manager.config) });
  const server = createAdaptorServer({ fetch: app.fetch, websocket: { server: wss } }) as Server;
  return listenForTests(server, () => manager.closeAll());
}

// A bare Hono app's 404 for another path travels node-server's upgrade path, which drops bodies.
runConformanceSuite({
  name: "hono",
  WebSocket,
  start: (manager) => start(manager, { getConnInfo }),
  unservedPaths: "app",
});

describe("hono middleware", () => {
  const stops: (() => Promise<void>)[] = [];
  const clients: WebSocket[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.terminate();
    await Promise.all(stops.splice(0).map((stop) => stop()));
  });

  async function serve(options?: StartOptions) {
    const manager = new WebSocketConnectionManager();
    const server = await start(manager, options);
    stops.push(server.stop);
    return { manager, url: server.url, wsUrl: `${server.url.replace(/^http/, "ws")}/ws` };
  }

  it("leaves the app's own routes working beside the WebSocket endpoint", async () => {
    const { url, wsUrl } = await serve();
    const client = await connect(WebSocket, wsUrl);
    clients.push(client.socket as WebSocket);
    await client.ofType("connected");
    const hello = await fetch(`${url}/hello`);
    expect(hello.status).toBe(200);
    expect(await hello.json()).toEqual({ hello: "world" });
    expect((await fetch(`${url}/ws`)).status).toBe(404);
  });

  it("runs the app's earlier middleware before the upgrade", async () => {
    const requireAppAuth: MiddlewareHandler = async (c, next) => {
      if (c.req.header("x-app-auth") !== "yes") return c.json({ error: "no app auth" }, 401);
      await next();
    };
    const { manager, wsUrl } = await serve({ before: requireAppAuth });
    expect(await tryConnect(WebSocket, wsUrl)).toMatchObject({ ok: false, status: 401 });
    expect(manager.getConnectionCount()).toBe(0);
    const client = await connect(WebSocket, wsUrl, { headers: { "x-app-auth": "yes" } });
    clients.push(client.socket as WebSocket);
    await client.ofType("connected");
    expect(manager.getConnectionCount()).toBe(1);
  });

  it("records the peer's address when given the runtime's getConnInfo", async () => {
    const { manager, wsUrl } = await serve({ getConnInfo });
    const client = await connect(WebSocket, wsUrl);
    clients.push(client.socket as WebSocket);
    const { connectionId } = await client.ofType("connected");
    expect(manager.getConnection(connectionId as string)?.metadata.remoteAddress).toBe("127.0.0.1");
  });

  it("answers Upgrade: websocket without Connection: Upgrade with 400 INVALID_HANDSHAKE, not 500", async () => {
    const { url } = await serve();
    const lines = handshakeLines("/ws").map((line) =>
      line === "Connection: Upgrade" ? "Connection: keep-alive" : line,
    );
    const response = await rawRequest(url, lines);
    response.socket.destroy();
    expect(response).toMatchObject({ status: 400, body: { code: "INVALID_HANDSHAKE" } });
  });

  it("rejects a missing upgradeWebSocket with a TypeError naming it", () => {
    const manager = new WebSocketConnectionManager();
    expect(() => createWebSocketMiddleware(manager, {} as WebSocketMiddlewareOptions)).toThrow(
      /"upgradeWebSocket"/,
    );
  });
});
