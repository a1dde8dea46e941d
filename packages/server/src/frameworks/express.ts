/**
 * The Express binding: an Express 5 app with the routes and `attachWebSocket`. Handler routes get
 * JSON bodies within the manager's size limit; web-standard routes get the body unread. Express is
 * an optional peer, loaded only when this framework is asked for.
 */
import { createServer } from "node:http";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { refusalBody, refusalStatus, type Refusal } from "@agentsocket/core/adapter";
import { importPeer } from "../import-peer.ts";
import { nodeRouteContext, toWebRequest, writeOutcome } from "../node-response.ts";
import { bodyRefusal, notFound } from "../refusals.ts";
import { runFetchRoute, runRoute, type RouteDefinition } from "../routes.ts";
import { listenOn, trackServer, type BindFramework } from "./binding.ts";

export const bindExpress: BindFramework = async (routes, manager) => {
  const [{ default: express }, { attachWebSocket }] = await Promise.all([
    importPeer(() => import("express"), 'The "express" framework', ["express"]),
    import("@agentsocket/express"),
  ]);
  const app = express();
  app.disable("x-powered-by");
  // `strict: false`: a JSON `null` or number is a body like on the other frameworks.
  const json = express.json({ limit: manager.config.maxMessageSize, strict: false });
  // A request that says `Upgrade` but reached the app (`Connection: keep-alive`) is core's 400 on
  // the manager's paths, as on the other frameworks.
  app.use((req, res, next) => {
    if (req.headers.upgrade === undefined || !manager.handlesPath(req.path)) return next();
    void manager
      .authorizeUpgrade({ url: req.url, headers: req.headers })
      .then((decision) => (decision.ok ? next() : sendRefusal(res, decision.error)));
  });
  for (const route of routes) {
    const method = route.method.toLowerCase() as "get" | "post" | "put" | "patch" | "delete";
    app[method](route.path, ...handlersOf(route, json));
  }
  // Express answers unknown routes and bodies it cannot parse with HTML pages (a stack trace and
  // absolute paths included); ours answer JSON like every refusal.
  app.use((req: Request, res: Response) => sendRefusal(res, notFound(req.method, req.path)));
  app.use((error: { status?: unknown }, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    if (typeof error?.status !== "number") console.error("[agentsocket] route failed:", error);
    sendRefusal(res, bodyRefusal(typeof error?.status === "number" ? error.status : 500));
  });
  const server = createServer(app);
  const detach = attachWebSocket(server, manager);
  const tracker = trackServer(server);
  return {
    server,
    app,
    listen: (port, host) => listenOn(server, port, host),
    close: async (deadline) => {
      detach();
      await tracker.close(deadline);
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

function sendRefusal(res: Response, refusal: Refusal): void {
  res.status(refusalStatus(refusal)).json(refusalBody(refusal));
}
