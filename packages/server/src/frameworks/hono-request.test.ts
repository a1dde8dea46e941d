/**
 * The Hono binding's lazy upgrade `Request` behaves as a Fetch `Request` for the app's middleware
 * on the handshake: its url, method and headers, and what only a real `Request` has (its signal,
 * `clone()`, `instanceof Request`), before the agentsocket middleware upgrades it.
 */
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { createAdaptorServer } from "@hono/node-server";
import { Hono } from "hono";
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

it("gives the app's middleware a working Request on the handshake", async () => {
  const manager = new WebSocketConnectionManager({ pingInterval: 0 });
  const upgrades = honoUpgrades(new WebSocketServer({ noServer: true }));
  const seen: unknown[] = [];
  const app = new Hono();
  app.use(async (c, next) => {
    const raw = c.req.raw;
    const lazy = [c.req.header("x-app"), raw.headers.has("X-App"), raw.headers.get("x-none")];
    const listed = [...raw.headers.keys()].includes("x-app");
    raw.headers.set("x-set", "1");
    const copy = raw.clone();
    raw.headers.set("x-after", "2");
    seen.push({
      url: new URL(c.req.url).pathname + new URL(c.req.url).search,
      method: c.req.method,
      lazy,
      listed,
      isRequest: raw instanceof Request,
      isHeaders: raw.headers instanceof Headers,
      aborted: raw.signal.aborted,
      copy: [
        copy.method,
        copy.headers.get("x-app"),
        copy.headers.get("x-set"),
        copy.url === raw.url,
      ],
      after: [raw.headers.get("x-after"), raw.clone().headers.get("x-after")],
      body: await raw.text(),
      tag: Object.prototype.toString.call(raw),
    });
    if (c.req.header("x-app") === "refuse") return c.json({ error: "no", code: "APP" }, 418);
    await next();
  });
  app.use(createWebSocketMiddleware(manager, { upgradeWebSocket: upgrades.upgradeWebSocket }));
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  upgrades.serve(server, async (request, env) => app.fetch(request, env));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  stop = async () => {
    await manager.closeAll();
    await new Promise((resolve) => server.close(resolve));
  };
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws?x=1`;

  const ws = new WebSocket(url, { headers: { "x-app": "yes" } });
  const frame = await new Promise<{ type: string }>((resolve, reject) => {
    ws.once("message", (data) => resolve(JSON.parse(String(data)) as { type: string }));
    ws.once("error", reject);
  });
  expect(frame.type).toBe("connected");
  ws.close();

  const refused = new WebSocket(url, { headers: { "x-app": "refuse" } });
  const status = await new Promise<number>((resolve) =>
    refused.once("unexpected-response", (_request, response) => resolve(response.statusCode!)),
  );
  expect(status).toBe(418);

  const expected = {
    url: "/ws?x=1",
    method: "GET",
    listed: true,
    isRequest: true,
    isHeaders: true,
    after: ["2", "2"],
    aborted: false,
    body: "",
    tag: "[object Request]",
  };
  expect(seen).toEqual([
    { ...expected, lazy: ["yes", true, null], copy: ["GET", "yes", "1", true] },
    { ...expected, lazy: ["refuse", true, null], copy: ["GET", "refuse", "1", true] },
  ]);
});
