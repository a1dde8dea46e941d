/**
 * The Fastify binding: a Fastify 5 app with the agentsocket plugin and the routes. Web-standard
 * routes live in a context of their own whose content parser leaves the body unread. Fastify is an
 * optional peer, loaded only when this framework is asked for.
 */
import type { FastifyInstance } from "fastify";
import { importPeer } from "../import-peer.ts";
import { nodeRouteContext, toWebRequest, writeOutcome } from "../node-response.ts";
import { runFetchRoute, runRoute, type FetchRoute, type HandlerRoute } from "../routes.ts";
import type { BindFramework } from "./binding.ts";

export const bindFastify: BindFramework = async (routes, manager) => {
  const [{ default: Fastify }, { default: agentsocket }] = await Promise.all([
    importPeer(() => import("fastify"), 'The "fastify" framework', ["fastify"]),
    import("@agentsocket/fastify"),
  ]);
  const app = Fastify({ forceCloseConnections: true, bodyLimit: manager.config.maxMessageSize });
  await app.register(agentsocket, { manager });
  for (const route of routes) if (!route.fetch) addHandlerRoute(app, route);
  await app.register(async (raw) => {
    // The body stays on the wire for the route to read after its own auth and size checks.
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser("*", (_request, _payload, done) => done(null));
    for (const route of routes) if (route.fetch) addFetchRoute(raw, route);
  });
  await app.ready();
  return {
    server: app.server,
    app,
    listen: async (port, host) => {
      await app.listen({ port, host: host ?? "::" });
    },
    close: () => app.close(),
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
