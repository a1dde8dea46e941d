/**
 * What each framework binding provides to `createServer`: an HTTP server carrying the routes and
 * the WebSocket endpoints, started and stopped the same way on every framework.
 */
import type { Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { WebSocketConnectionManager } from "@agentsocket/core";
import type { RouteDefinition } from "../routes.ts";

export interface FrameworkBinding {
  /** The Node HTTP server underneath. */
  readonly server: Server;
  /** The framework's own app (Hono, Express or Fastify instance) for advanced use. */
  readonly app: unknown;
  listen(port: number, host: string | undefined): Promise<void>;
  /**
   * Stops accepting, drops idle keep-alive connections at once and busy ones when their response
   * ends, and at `deadline` (a `Date.now()` value) frees every socket left.
   */
  close(deadline: number): Promise<void>;
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

/** Closes a server tracked by {@link trackServer}. */
export interface ServerCloser {
  /**
   * Runs `close` (which stops accepting), drops idle keep-alive sockets, and the busy ones as soon
   * as their response ends (SSE streams sending their last event); at `deadline` (a `Date.now()`
   * value) destroys every socket left. Resolves once `close` has.
   */
  close(deadline: number, close?: () => Promise<void>): Promise<void>;
}

/**
 * Tracks a server's sockets for {@link ServerCloser.close}. Node stops tracking a socket once it
 * is handed to an `upgrade` listener, so neither `closeAllConnections()` nor `server.close()`
 * frees one a client keeps open (issue 8, holes 1, 4 and 5); this does.
 */
export function trackServer(server: Server): ServerCloser {
  const sockets = new Set<Socket>();
  let closing = false;
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  // Node keeps a keep-alive socket open after its last response even once the server is closing.
  server.on("request", (_request, response: ServerResponse) => {
    response.once("close", () => {
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
  });
  return {
    async close(deadline, close = () => closeServer(server)) {
      closing = true;
      const closed = close();
      server.closeIdleConnections();
      await within(closed, deadline - Date.now());
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** `promise`, or a resolution after `ms` if it takes longer. */
function within(promise: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, ms));
    timer.unref();
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Stops a Node server from accepting; resolves once its last socket has closed. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
