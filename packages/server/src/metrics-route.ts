/**
 * `GET {basePath}/metrics`: the Prometheus route of `createServer`, on unless `config.metrics`
 * is `false`.
 */
import type { WebSocketConnectionManager } from "@agentsocket/core";
import {
  createPrometheusMetrics,
  type PrometheusMetrics,
  type PrometheusMetricsOptions,
} from "./prometheus.ts";
import type { RouteDefinition } from "./routes.ts";

/**
 * The server's metrics per `config.metrics`: `false` → none, `true`/absent → a new registry.
 * @throws {TypeError} naming `config.metrics` when it is neither a boolean nor options.
 */
export function serverMetrics(
  manager: WebSocketConnectionManager,
  option: boolean | PrometheusMetricsOptions | undefined,
): PrometheusMetrics | undefined {
  if (option === false) return undefined;
  if (option !== undefined && option !== true && (typeof option !== "object" || option === null))
    throw new TypeError(
      'The "config.metrics" option must be a boolean or { registry?, defaultMetrics? }',
    );
  return createPrometheusMetrics(manager, option === true ? {} : option);
}

/** The metrics route, or none when metrics are off. */
export function metricsRoutes(
  basePath: string,
  metrics: PrometheusMetrics | undefined,
): RouteDefinition[] {
  if (metrics === undefined) return [];
  return [
    {
      method: "GET",
      path: `${basePath}/metrics`,
      description: "Prometheus metrics (text exposition format)",
      tags: ["health"],
      handler: async () =>
        new Response(await metrics.metrics(), {
          headers: { "content-type": metrics.contentType },
        }),
    },
  ];
}
