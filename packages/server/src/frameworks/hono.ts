/**
 * The Hono binding: a Hono app on `@hono/node-server`, with the agentsocket middleware and the routes.
 * Hono and its Node server are optional peers, loaded only when this framework is asked for.
 */
import type { Server } from "node:http";
import type { Context } from "hono";
import { WebSocketServer } from "ws";
import { importPeer } from "../import-peer.ts";
import { runFetchRoute, runRoute, type HandlerRoute, type HttpRouteContext } from "../routes.ts";
import { closeServer, listenOn, type BindFramework } from "./binding.ts";

async function honoRouteContext(c: Context): Promise<HttpRouteContext> {
  const type = c.req.header("content-type") ?? "";
  let body: unknown;
  if (type.includes("application/json")) body = await c.req.json().catch(() => undefined);
  return {
    method: c.req.method,
    path: c.req.path,
    params: c.req.param() as Record<string, string>,
    query: c.req.query(),
    headers: c.req.header(),
    body,
    signal: c.req.raw.signal,
  };
}

async function respond(route: HandlerRoute, c: Context): Promise<Response> {
  const outcome = await runRoute(route, await honoRouteContext(c));
  if (outcome.kind === "response") return outcome.response;
  if (outcome.kind === "empty") return c.body(null, outcome.status as 204);
  return c.json(outcome.body, outcome.status as 200);
}

const HONO = ["hono", "@hono/node-server"] as const;

export const bindHono: BindFramework = async (routes, manager) => {
  const [{ Hono }, { createAdaptorServer, upgradeWebSocket }, { createWebSocketMiddleware }] =
    await Promise.all([
      importPeer(() => import("hono"), 'The "hono" framework', HONO),
      importPeer(() => import("@hono/node-server"), 'The "hono" framework', HONO),
      import("@agentsocket/hono"),
    ]);
  const app = new Hono();
  app.use(createWebSocketMiddleware(manager, { upgradeWebSocket }));
  for (const route of routes) {
    if (route.fetch) app.on(route.method, route.path, (c) => runFetchRoute(route, c.req.raw));
    else app.on(route.method, route.path, (c) => respond(route, c));
  }
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: manager.config.maxMessageSize,
  });
  const server = createAdaptorServer({ fetch: app.fetch, websocket: { server: wss } }) as Server;
  return {
    server,
    app,
    listen: (port, host) => listenOn(server, port, host),
    close: () => closeServer(server),
  };
};
