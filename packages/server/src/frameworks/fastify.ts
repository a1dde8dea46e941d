/**
 * The Fastify binding: a Fastify 5 app with the agentsocket plugin and the routes.
 */
import Fastify from "fastify";
import agentsocket from "@agentsocket/fastify";
import { nodeRouteContext, writeOutcome } from "../node-response.ts";
import { runRoute } from "../routes.ts";
import type { BindFramework } from "./binding.ts";

export const bindFastify: BindFramework = async (routes, manager) => {
  const app = Fastify({ forceCloseConnections: true, bodyLimit: manager.config.maxMessageSize });
  await app.register(agentsocket, { manager });
  for (const route of routes) {
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
