/**
 * The Express binding: an Express 5 app with the routes and `attachWebSocket`. Handler routes get
 * JSON bodies within the manager's size limit; web-standard routes get the body unread. Express is
 * an optional peer, loaded only when this framework is asked for.
 */
import { createServer } from "node:http";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { importPeer } from "../import-peer.ts";
import { nodeRouteContext, toWebRequest, writeOutcome } from "../node-response.ts";
import { runFetchRoute, runRoute, type RouteDefinition } from "../routes.ts";
import { closeServer, listenOn, type BindFramework } from "./binding.ts";

export const bindExpress: BindFramework = async (routes, manager) => {
  const [{ default: express }, { attachWebSocket }] = await Promise.all([
    importPeer(() => import("express"), 'The "express" framework', ["express"]),
    import("@agentsocket/express"),
  ]);
  const app = express();
  app.disable("x-powered-by");
  const json = express.json({ limit: manager.config.maxMessageSize });
  for (const route of routes) {
    const method = route.method.toLowerCase() as "get" | "post" | "put" | "patch" | "delete";
    app[method](route.path, ...handlersOf(route, json));
  }
  // Express answers a body it cannot parse with an HTML page; ours answer JSON like every refusal.
  app.use(
    (
      error: { status?: number; type?: string },
      _req: Request,
      res: Response,
      next: NextFunction,
    ) => {
      if (res.headersSent) return next(error);
      const tooLarge = error.type === "entity.too.large";
      const status = tooLarge ? 413 : (error.status ?? 500);
      const code = tooLarge
        ? "MESSAGE_TOO_LARGE"
        : status < 500
          ? "INVALID_JSON"
          : "INTERNAL_ERROR";
      const message = tooLarge
        ? "Request body too large"
        : status < 500
          ? "Body is not valid JSON"
          : "Internal error";
      res.status(status).json({ error: message, code });
    },
  );
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

function handlersOf(route: RouteDefinition, json: RequestHandler): RequestHandler[] {
  if (route.fetch) {
    return [
      async (req, res) =>
        writeOutcome(res, {
          kind: "response",
          response: await runFetchRoute(route, toWebRequest(req, res)),
        }),
    ];
  }
  return [
    json,
    async (req, res) => {
      const context = nodeRouteContext(req, res, req.params as Record<string, string>, req.body);
      await writeOutcome(res, await runRoute(route, context));
    },
  ];
}
