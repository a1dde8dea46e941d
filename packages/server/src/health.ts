/**
 * The built-in health routes: liveness, readiness, and WebSocket connection counts.
 */
import type { WebSocketConnectionManager } from "@agentsocket/core";
import packageJson from "../package.json" with { type: "json" };
import type { HealthCheckReport, HealthChecks } from "./health-checks.ts";
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

export function healthRoutes(
  server: HealthSource,
  isReady: () => boolean,
  added: HealthChecks,
): RouteDefinition[] {
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
      description:
        "Readiness: 503 while starting, draining, while the message broker is down or a health check fails",
      tags: ["health"],
      handler: async () => {
        const broker = server.websocket.cluster.health().state;
        const checks: Record<string, HealthCheckReport> = {
          broker: { status: broker === "ready" ? "healthy" : "unhealthy" },
          ...(await added.run()),
        };
        const failed = Object.keys(checks).filter((name) => checks[name]!.status !== "healthy");
        if (isReady() && failed.length === 0) return { status: "ready", broker, checks };
        const why = !isReady()
          ? "Not ready"
          : broker !== "ready"
            ? "Message broker unavailable"
            : `Health check failed: ${failed.join(", ")}`;
        return Response.json(
          { status: "unavailable", error: why, broker, checks },
          { status: 503 },
        );
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
