/**
 * The built-in health routes: liveness, readiness, and WebSocket connection counts.
 */
import type { WebSocketConnectionManager } from "@agentsocket/core";
import packageJson from "../package.json" with { type: "json" };
import type { RouteDefinition } from "./routes.ts";

interface HealthSource {
  readonly basePath: string;
  readonly websocket: WebSocketConnectionManager;
}

/** Counts per served path, every served path listed even at zero. */
export function websocketHealth(manager: WebSocketConnectionManager) {
  const paths: Record<string, number> = {};
  for (const path of manager.paths()) paths[path] = manager.getConnectionsByPath(path).length;
  return {
    status: "ok",
    connections: {
      total: manager.getConnectionCount(),
      maxConnections: manager.config.maxConnections,
      paths,
    },
  };
}

export function healthRoutes(server: HealthSource, isReady: () => boolean): RouteDefinition[] {
  const startedAt = Date.now();
  return [
    {
      method: "GET",
      path: `${server.basePath}/health`,
      description: "Liveness",
      tags: ["health"],
      handler: () => ({
        status: "ok",
        timestamp: new Date().toISOString(),
        uptime: Math.round((Date.now() - startedAt) / 1000),
        version: packageJson.version,
      }),
    },
    {
      method: "GET",
      path: `${server.basePath}/ready`,
      description: "Readiness: 503 while starting, draining, or while the message broker is down",
      tags: ["health"],
      handler: () => {
        const broker = server.websocket.cluster.health().state;
        if (isReady() && broker === "ready") return { status: "ready", broker };
        const why = isReady() ? "Message broker unavailable" : "Not ready";
        throw Object.assign(new Error(why), { status: 503 });
      },
    },
    {
      method: "GET",
      path: `${server.basePath}/health/websocket`,
      description: "WebSocket connection counts",
      tags: ["health"],
      handler: () => websocketHealth(server.websocket),
    },
  ];
}
