/**
/**
 * The Hono binding: a Hono app on `@hono/node-server`, with the agentsocket middleware and the
 * routes. WebSocket upgrades travel the app through hono-upgrade.ts rather than node-server's
 * helper (which keeps each upgrade's context for the socket's life); refused handshakes and
 * other protocols (h2c) are answered in full. Hono and its Node server are optional peers, loaded
 * only when this framework is asked for.
 */
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import type { Context } from "hono";
import { WebSocketServer } from "ws";
import { answerUpgrade, rejectionResponse, wsServerOptions } from "@agentsocket/core/adapter";
import { importPeer } from "../import-peer.ts";
import { runFetchRoute, runRoute, type HandlerRoute, type HttpRouteContext } from "../routes.ts";
import { bodyRefusal, notFound } from "../refusals.ts";
import { listenOn, trackServer, type BindFramework } from "./binding.ts";
import { honoUpgrades } from "./hono-upgrade.ts";

const INVALID_JSON = Symbol("invalid JSON");

async function honoRouteContext(c: Context): Promise<HttpRouteContext | Response> {
  const type = c.req.header("content-type") ?? "";
  let body: unknown;
  if (type.includes("application/json")) {
    body = await c.req.json().catch(() => INVALID_JSON);
    if (body === INVALID_JSON) return rejectionResponse(bodyRefusal(400));
  }
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
  const context = await honoRouteContext(c);
  if (context instanceof Response) return context;
  const outcome = await runRoute(route, context);
  if (outcome.kind === "response") return outcome.response;
  if (outcome.kind === "empty") return c.body(null, outcome.status as 204);
  return c.json(outcome.body, outcome.status as 200);
}

const HONO = ["hono", "@hono/node-server"] as const;

export const bindHono: BindFramework = async (routes, manager) => {
  const [
    { Hono },
    { bodyLimit },
    { createAdaptorServer },
    { createWebSocketMiddleware },
    { getConnInfo },
  ] = await Promise.all([
    importPeer(() => import("hono"), 'The "hono" framework', HONO),
    importPeer(() => import("hono/body-limit"), 'The "hono" framework', HONO),
    importPeer(() => import("@hono/node-server"), 'The "hono" framework', HONO),
    import("@agentsocket/hono"),
    importPeer(() => import("@hono/node-server/conninfo"), 'The "hono" framework', HONO),
  ]);
  const app = new Hono();
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    ...wsServerOptions(manager.config),
    maxPayload: manager.maxFrameSize(),
  });
  // Upgrades travel the app, then let go of it (hono-upgrade.ts).
  const upgrades = honoUpgrades(wss);
  // The peer's address feeds `maxConnectionsPerIp` and `connection.metadata.remoteAddress`.
  const { upgradeWebSocket } = upgrades;
  app.use(createWebSocketMiddleware(manager, { upgradeWebSocket, getConnInfo }));
  const limit = bodyLimit({
    maxSize: manager.config.maxMessageSize,
    onError: () => rejectionResponse(bodyRefusal(413)),
  });
  for (const route of routes) {
    if (route.fetch) app.on(route.method, route.path, (c) => runFetchRoute(route, c.req.raw));
    else app.on(route.method, route.path, limit, (c) => respond(route, c));
  }
  app.notFound((c) => rejectionResponse(notFound(c.req.method, c.req.path)));
  app.onError((error) => {
    console.error("[agentsocket] route handler failed:", error);
    return rejectionResponse({ code: "INTERNAL_ERROR", message: "Internal error" });
  });

  const server = createAdaptorServer({
    fetch: app.fetch,
    // Node drops duplicate Authorization headers; joined, auth sees both and refuses the pair.
    serverOptions: { joinDuplicateHeaders: true },
  }) as Server;
  // Anything but `Upgrade: websocket` (h2c) would be left unanswered (CLOSE_WAIT) and
  // `server.close()` waiting for it; core answers 400.
  server.prependListener("upgrade", (request: IncomingMessage, socket: Duplex) => {
    if (request.headers.upgrade?.toLowerCase() === "websocket") return;
    // Node removes its own error listener before 'upgrade': a reset must not crash the process.
    socket.on("error", () => {});
    void manager
      .authorizeUpgrade({ url: request.url ?? "/", headers: request.headers })
      .then((decision) => {
        if (decision.ok) socket.destroy();
        else return answerUpgrade(socket, decision.error);
      });
  });
  upgrades.serve(server, app.fetch);
  const tracker = trackServer(server);
  return {
    server,
    app,
    listen: (port, host) => listenOn(server, port, host),
    close: (deadline) => tracker.close(deadline),
  };
};
