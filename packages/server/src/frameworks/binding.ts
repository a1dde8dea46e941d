/**
 * What each framework binding provides to `createServer`: an HTTP server carrying the routes and
 * the WebSocket endpoints, started and stopped the same way on every framework.
 */
import type { Server } from "node:http";
import type { WebSocketConnectionManager } from "@agentsocket/core";
import type { RouteDefinition } from "../routes.ts";

export interface FrameworkBinding {
  /** The Node HTTP server underneath. */
  readonly server: Server;
  /** The framework's own app (Hono, Express or Fastify instance) for advanced use. */
  readonly app: unknown;
  listen(port: number, host: string | undefined): Promise<void>;
  /** Stops accepting and drops idle keep-alive connections at once. */
  close(): Promise<void>;
}

export type BindFramework = (
  routes: RouteDefinition[],
  manager: WebSocketConnectionManager,
) => Promise<FrameworkBinding>;

/** Listens on a Node server and resolves once bound (or rejects on EADDRINUSE and the like). */
export function listenOn(server: Server, port: number, host: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** Closes a Node server without waiting for keep-alive sockets to time out. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
