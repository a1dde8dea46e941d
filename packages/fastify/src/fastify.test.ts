import websocket from "@fastify/websocket";
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { WebSocketConnectionManager } from "@agentsocket/core";
import {
  connect,
  runConformanceSuite,
  tryConnect,
  within,
  type TestClient,
} from "@agentsocket/core/testing";
import agentsocket from "./index.ts";

/** A Fastify app with a route of its own, the plugin, and `configure` applied before both. */
async function start(
  manager: WebSocketConnectionManager,
  configure: (app: FastifyInstance) => unknown = () => {},
) {
  const app = Fastify({ forceCloseConnections: true });
  configure(app);
  app.get("/hello", async () => ({ hello: "world" }));
  await app.register(agentsocket, { manager });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as { port: number };
  let stopped: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => (stopped ??= app.close()),
  };
}

runConformanceSuite({ name: "fastify", WebSocket, start: (manager) => start(manager) });

describe("fastify specifics", () => {
  const stops: (() => Promise<void>)[] = [];
  const clients: TestClient[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.socket.terminate();
    await Promise.all(stops.splice(0).map((stop) => stop()));
  });

  async function serve(
    manager: WebSocketConnectionManager,
    configure?: Parameters<typeof start>[1],
  ) {
    const served = await start(manager, configure);
    stops.push(served.stop);
    return { ...served, ws: served.url.replace(/^http/, "ws") };
  }

  it("runs the app's onRequest hooks before the upgrade and before core's auth", async () => {
    const validated: string[] = [];
    const manager = new WebSocketConnectionManager({
      auth: {
        strategy: "custom",
        validate: (request) => {
          validated.push(request.url);
          return { id: "anyone" };
        },
      },
    });
    const { stop, ws } = await serve(manager, (app) =>
      app.addHook("onRequest", async (request, reply) => {
        if (request.headers.upgrade === "websocket" && !request.headers["x-app-auth"]) {
          return reply.code(401).send({ error: "app says no" });
        }
      }),
    );
    expect(await tryConnect(WebSocket, `${ws}/ws?first`)).toEqual({
      ok: false,
      status: 401,
      body: { error: "app says no" },
    });
    const client = await connect(WebSocket, `${ws}/ws?second`, {
      headers: { "x-app-auth": "yes" },
    });
    clients.push(client);
    await client.ofType("connected");
    expect(validated).toEqual(["/ws?second"]);
    // The refused upgrade's socket must not outlive its response and hold the server open.
    await within(stop(), "app.close() after a refused upgrade");
  });

  it("keeps the app's own HTTP routes working beside the WebSocket route", async () => {
    const { url, ws } = await serve(new WebSocketConnectionManager());
    const client = await connect(WebSocket, `${ws}/ws`);
    clients.push(client);
    await client.ofType("connected");
    const hello = await fetch(`${url}/hello`);
    expect(hello.status).toBe(200);
    expect(await hello.json()).toEqual({ hello: "world" });
    // A plain GET on the WebSocket path is not an upgrade; @fastify/websocket answers 404.
    expect((await fetch(`${url}/ws`)).status).toBe(404);
  });

  it.each([
    ["the plugin registers @fastify/websocket", undefined],
    ["the app registered @fastify/websocket", (app: FastifyInstance) => app.register(websocket)],
  ])("app.close() closes every client with 1001, quickly, when %s", async (_, configure) => {
    const manager = new WebSocketConnectionManager();
    const { stop, ws } = await serve(manager, configure);
    const pair = await Promise.all([
      connect(WebSocket, `${ws}/ws`),
      connect(WebSocket, `${ws}/ws`),
    ]);
    clients.push(...pair);
    await Promise.all(pair.map((c) => c.ofType("connected")));
    const started = Date.now();
    await within(stop(), "app.close()");
    expect(Date.now() - started).toBeLessThan(1000);
    for (const client of pair) expect((await client.closed).code).toBe(1001);
    expect(manager.getConnectionCount()).toBe(0);
  });
});
