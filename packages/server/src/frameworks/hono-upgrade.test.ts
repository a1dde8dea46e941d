/**
 * The Hono binding's upgrade listener, as the app sees it: the request URL the app's middleware
 * reads on a handshake is the WHATWG URL of the request-target (dot segments removed, the host
 * lowercased, quotes escaped), and the headers the app's middleware puts on the accepted answer,
 * on it, through `c.header()` or by answering anew, reach the client's `101`.
 */
import { request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import { Hono, type MiddlewareHandler } from "hono";
import { afterEach, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { WebSocketConnectionManager } from "@agentsocket/core";
import { createWebSocketMiddleware } from "@agentsocket/hono";
import { honoUpgrades } from "./hono-upgrade.ts";

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

/** A Hono app with `before` ahead of the agentsocket middleware, served on port 0. */
async function serveApp(before: MiddlewareHandler): Promise<number> {
  const manager = new WebSocketConnectionManager({ pingInterval: 0 });
  const upgrades = honoUpgrades(new WebSocketServer({ noServer: true }));
  const app = new Hono();
  app.use(before);
  app.use(createWebSocketMiddleware(manager, { upgradeWebSocket: upgrades.upgradeWebSocket }));
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  upgrades.serve(server, app.fetch);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  stop = async () => {
    await manager.closeAll();
    await new Promise((resolve) => server.close(resolve));
  };
  return (server.address() as AddressInfo).port;
}

/** Sends a WebSocket handshake for `path` with `host`, exactly as given; resolves its status. */
function handshake(port: number, path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({
      host: "127.0.0.1",
      port,
      path,
      headers: {
        host,
        connection: "Upgrade",
        upgrade: "websocket",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
        "sec-websocket-version": "13",
      },
    });
    request.once("response", (response) => {
      response.resume();
      resolve(response.statusCode!);
    });
    request.once("upgrade", (response, socket) => {
      socket.destroy();
      resolve(response.statusCode!);
    });
    request.once("error", reject);
    request.end();
  });
}

it("shows the app's middleware the request-target as the WHATWG URL parser has it", async () => {
  const seen: string[] = [];
  const port = await serveApp((c) => {
    seen.push(c.req.url);
    return Promise.resolve(c.json({ error: "seen", code: "APP" }, 418));
  });
  const local = `127.0.0.1:${port}`;
  const cases: [path: string, host: string][] = [
    ["/ws?x=1&y=a~b", local],
    ["/a/../ws/./x", local],
    ["//other.example/ws", local],
    ["/ws?q='quoted'", local],
    ["/ws/%7e/caf%C3%A9", local],
    ["/ws", "Example.COM:80"],
    ["/ws", "Example.COM:8080"],
    ["/ws", "[::1]:8080"],
  ];
  for (const [path, host] of cases) expect(await handshake(port, path, host)).toBe(418);
  expect(seen).toEqual(cases.map(([path, host]) => new URL(path, `http://${host}`).href));
});

it("sends the headers the app's middleware sets on the accepted answer with the 101", async () => {
  const port = await serveApp(async (c, next) => {
    await next();
    if (c.req.query("replace") !== undefined) {
      c.res = new Response(null, { headers: { "x-replaced": "1", upgrade: "h2c" } });
    } else if (c.req.query("direct") !== undefined) {
      c.res.headers.append("x-direct", "1");
    } else {
      c.header("x-after", "1");
      c.header("set-cookie", "a=1");
    }
  });
  const upgradeHeaders = (query: string) =>
    new Promise<IncomingMessage["headers"]>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws${query}`);
      ws.once("upgrade", (response) => {
        ws.once("open", () => ws.close());
        resolve(response.headers);
      });
      ws.once("error", reject);
    });

  const set = await upgradeHeaders("");
  expect([set["x-after"], set["set-cookie"], set.upgrade]).toEqual(["1", ["a=1"], "websocket"]);
  const direct = await upgradeHeaders("?direct");
  expect([direct["x-direct"], direct.upgrade]).toEqual(["1", "websocket"]);
  const replaced = await upgradeHeaders("?replace");
  expect([replaced["x-replaced"], replaced["x-after"], replaced.upgrade]).toEqual([
    "1",
    undefined,
    "websocket",
  ]);
});
