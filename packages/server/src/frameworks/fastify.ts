/**
 * The Fastify binding: a Fastify 5 app with the agentsocket plugin and the routes. Web-standard
 * routes live in a context of their own whose content parser leaves the body unread. Fastify is an
 * optional peer, loaded only when this framework is asked for.
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import { refusalBody, refusalStatus, type Refusal } from "@agentsocket/core/adapter";
import { importPeer } from "../import-peer.ts";
import { nodeRouteContext, toWebRequest, writeOutcome } from "../node-response.ts";
import { bodyRefusal, notFound } from "../refusals.ts";
import { runFetchRoute, runRoute, type FetchRoute, type HandlerRoute } from "../routes.ts";
import { trackServer, type BindFramework } from "./binding.ts";

export const bindFastify: BindFramework = async (routes, manager) => {
  const [{ default: Fastify }, { default: agentsocket }] = await Promise.all([
    importPeer(() => import("fastify"), 'The "fastify" framework', ["fastify"]),
    import("@agentsocket/fastify"),
  ]);
  // "idle": a response in flight (an SSE stream sending its last event) ends before its socket.
  const app = Fastify({ forceCloseConnections: "idle", bodyLimit: manager.config.maxMessageSize });
  await app.register(agentsocket, { manager });
  // Fastify's own 404 and body-parser errors are `{ statusCode, code: "FST_ERR_…" }`; ours are
  // `{ error, code }` like every refusal.
  app.setNotFoundHandler((request, reply) =>
    sendRefusal(reply, notFound(request.method, request.url.split("?")[0]!)),
  );
  app.setErrorHandler((error: { statusCode?: unknown }, _request, reply) => {
    const status = typeof error?.statusCode === "number" ? error.statusCode : 500;
    if (status >= 500) console.error("[agentsocket] route failed:", error);
    return sendRefusal(reply, bodyRefusal(status));
  });
  for (const route of routes) if (!route.fetch) addHandlerRoute(app, route);
  await app.register(async (raw) => {
    // The body stays on the wire for the route to read after its own auth and size checks.
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser("*", (_request, _payload, done) => done(null));
    for (const route of routes) if (route.fetch) addFetchRoute(raw, route);
  });
  await app.ready();
  const tracker = trackServer(app.server);
  return {
    server: app.server,
    app,
    listen: async (port, host) => {
      await app.listen({ port, host: host ?? "::" });
    },
    // Sockets Fastify cannot see (upgrades still in auth) are freed at the deadline.
    close: (deadline) => tracker.close(deadline, () => app.close()),
  };
};

function addHandlerRoute(app: FastifyInstance, route: HandlerRoute): void {
  app.route({
    method: route.method,
    url: route.path,
    handler: async (request, reply) => {
      const params = (request.params ?? {}) as Record<string, string>;
      const context = nodeRouteContext(request.raw, reply.raw, params, request.body);
      const outcome = await runRoute(route, context);
      // Writing to the raw response keeps streamed bodies identical on every framework.
      reply.hijack();
      await writeOutcome(reply.raw, outcome);
    },
  });
}

function addFetchRoute(app: FastifyInstance, route: FetchRoute): void {
  app.route({
    method: route.method,
    url: route.path,
    handler: async (request, reply) => {
      const response = await runFetchRoute(route, toWebRequest(request.raw, reply.raw));
      reply.hijack();
      await writeOutcome(reply.raw, { kind: "response", response });
    },
  });
}

function sendRefusal(reply: FastifyReply, refusal: Refusal): FastifyReply {
  return reply.code(refusalStatus(refusal)).send(refusalBody(refusal));
}
