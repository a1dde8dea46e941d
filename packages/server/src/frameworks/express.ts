/**
 * The Express binding: an Express 5 app with JSON bodies, the routes, and `attachWebSocket`.
 */
import { createServer } from "node:http";
import express, { type Request, type Response } from "express";
import { attachWebSocket } from "@agentsocket/express";
import { nodeRouteContext, writeOutcome } from "../node-response.ts";
import { runRoute } from "../routes.ts";
import { closeServer, listenOn, type BindFramework } from "./binding.ts";

export const bindExpress: BindFramework = async (routes, manager) => {
  const app = express();
  app.disable("x-powered-by");
  app.use(express.json({ limit: manager.config.maxMessageSize }));
  for (const route of routes) {
    const method = route.method.toLowerCase() as "get" | "post" | "put" | "patch" | "delete";
    app[method](route.path, async (req: Request, res: Response) => {
      const context = nodeRouteContext(req, res, req.params as Record<string, string>, req.body);
      await writeOutcome(res, await runRoute(route, context));
    });
  }
  const server = createServer(app);
  const detach = attachWebSocket(server, manager);
  return {
    server,
    app,
    listen: (port, host) => listenOn(server, port, host),
    close: async () => {
      detach();
      await closeServer(server);
    },
  };
};
