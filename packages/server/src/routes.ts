/**
 * Framework-free HTTP routes: what `registerRoute` takes, and how each framework binding turns a
 * handler's result (a value, a `Response`, or a thrown error) into an HTTP response.
 */

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** What a route handler receives, the same on every framework. */
export interface RouteContext {
  method: string;
  /** The request path, without the query. */
  path: string;
  /** Path parameters (`/items/:id` → `{ id }`). */
  params: Record<string, string>;
  query: Record<string, string>;
  /** Request headers, lower-case names. */
  headers: Record<string, string | undefined>;
  /** The parsed JSON body, or `undefined`. */
  body: unknown;
  /** Aborts when the client goes away. */
  signal: AbortSignal;
}

/**
 * A route on the server. The handler's return value is sent as JSON with status 200 (`undefined`
 * → 204); a Fetch `Response` is sent as it is (streams included); a thrown error with a numeric
 * `status` becomes that status with `{ error }`, anything else 500.
 */
export interface RouteDefinition {
  method: HttpMethod;
  /** The full path, e.g. `/api/health/websocket`; `:name` segments become `params`. */
  path: string;
  handler: (context: RouteContext) => unknown;
  description?: string;
  tags?: string[];
}

/** The outcome of a handler, ready for a framework to write. */
export type RouteOutcome =
  | { kind: "json"; status: number; body: unknown }
  | { kind: "empty"; status: number }
  | { kind: "response"; response: Response };

/** Runs a handler and classifies what it produced; never throws. */
export async function runRoute(
  route: RouteDefinition,
  context: RouteContext,
): Promise<RouteOutcome> {
  try {
    const value = await route.handler(context);
    if (value instanceof Response) return { kind: "response", response: value };
    if (value === undefined) return { kind: "empty", status: 204 };
    return { kind: "json", status: 200, body: value };
  } catch (error) {
    const status = (error as { status?: unknown })?.status;
    if (typeof status === "number" && status >= 400 && status < 600) {
      const message = error instanceof Error ? error.message : "Request failed";
      return { kind: "json", status, body: { error: message } };
    }
    console.error("[agentsocket] route handler failed:", error);
    return { kind: "json", status: 500, body: { error: "Internal error" } };
  }
}

const METHODS = new Set<string>(["GET", "POST", "PUT", "PATCH", "DELETE"]);

/** @throws {TypeError} naming what is wrong with a route definition. */
export function checkRoute(route: RouteDefinition): void {
  if (!route || typeof route.handler !== "function") {
    throw new TypeError("registerRoute: handler must be a function");
  }
  if (!METHODS.has(route.method)) {
    throw new TypeError(
      `registerRoute: method must be one of ${[...METHODS].join(", ")} (got ${String(route.method)})`,
    );
  }
  if (typeof route.path !== "string" || !route.path.startsWith("/")) {
    throw new TypeError(
      `registerRoute: path must start with "/" (got ${JSON.stringify(route.path)})`,
    );
  }
}

/** Flattens Node-style headers to single string values. */
export function flattenHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers))
    out[name] = Array.isArray(value) ? value.join(", ") : value;
  return out;
}
