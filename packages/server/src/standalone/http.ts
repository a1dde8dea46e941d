/**
 * The HTTP side of the standalone server: `/health` (seed 000: every `addHealthCheck` check),
 * `/ready` (started, the broker up, every check healthy) and, once `enableMetrics()` is on, the
 * metrics endpoint. Everything else is a JSON 404.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { parseRequestUrl } from "@agentsocket/core/adapter";

/** What a health check reports (seed 000's shape). */
export interface HealthCheckResult {
  status: "healthy" | "unhealthy";
  message?: string;
}

/** A check run on every `/health` and `/ready`; a throw, a rejection or no answer in 5 s is unhealthy. */
export type HealthCheck = () => HealthCheckResult | Promise<HealthCheckResult>;

const CHECK_TIMEOUT_MS = 5000;

/** Runs every check at once. */
export async function runHealthChecks(checks: ReadonlyMap<string, HealthCheck>) {
  const entries = await Promise.all(
    [...checks].map(async ([name, check]) => [name, await runCheck(check)] as const),
  );
  const results = Object.fromEntries(entries);
  const healthy = entries.every(([, result]) => result.status === "healthy");
  return { healthy, checks: results };
}

async function runCheck(check: HealthCheck): Promise<HealthCheckResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<HealthCheckResult>((resolve) => {
    timer = setTimeout(
      () => resolve({ status: "unhealthy", message: "Timed out" }),
      CHECK_TIMEOUT_MS,
    );
    timer.unref();
  });
  try {
    const result = await Promise.race([Promise.resolve().then(check), late]);
    return result?.status === "healthy"
      ? result
      : { status: "unhealthy", ...(result?.message ? { message: result.message } : {}) };
  } catch (error) {
    return { status: "unhealthy", message: (error as Error)?.message ?? String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** What the HTTP handler reads from the server. */
export interface HttpSource {
  checks: ReadonlyMap<string, HealthCheck>;
  ready(): boolean;
  brokerState(): string;
  metricsEndpoint(): string | undefined;
  metrics(): string;
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  response.end(JSON.stringify(body));
}

/** Answers one plain HTTP request. */
export async function answerHttp(
  source: HttpSource,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const { pathname } = parseRequestUrl(request.url ?? "/");
  if (request.method !== "GET" && request.method !== "HEAD")
    return json(response, 405, { error: "Method not allowed", code: "NOT_FOUND" });
  if (pathname === "/health" || pathname === "/ready") {
    const { healthy, checks } = await runHealthChecks(source.checks);
    const broker = source.brokerState();
    if (pathname === "/health")
      return json(response, healthy ? 200 : 503, {
        status: healthy ? "healthy" : "unhealthy",
        checks,
      });
    const ready = healthy && source.ready() && broker === "ready";
    return json(response, ready ? 200 : 503, {
      status: ready ? "ready" : "not ready",
      broker,
      checks,
    });
  }
  if (pathname === source.metricsEndpoint()) {
    response.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
    return void response.end(source.metrics());
  }
  json(response, 404, { error: `No route for ${pathname}`, code: "NOT_FOUND" });
}
