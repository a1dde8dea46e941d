/**
 * Framework-free HTTP routes: what `registerRoute` takes, and how each framework binding turns a
 * handler's result (a value, a `Response`, or a thrown error) into an HTTP response.
 */

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** What a route handler receives, the same on every framework. */
export interface HttpRouteContext {
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

interface RouteBase {
  method: HttpMethod;
  /** The full path, e.g. `/api/health/websocket`; `:name` segments become `params`. */
  path: string;
  description?: string;
  tags?: string[];
}

/**
 * A route whose handler gets the parsed request. Its return value is sent as JSON with status
 * 200 (`undefined` → 204); a Fetch `Response` is sent as it is (streams included); a thrown error
 * with a numeric `status` becomes that status with `{ error }`, anything else 500.
 */
export interface HandlerRoute extends RouteBase {
  handler: (context: HttpRouteContext) => unknown;
  fetch?: never;
}

/**
 * A route served by a web-standard handler: it gets the request with its body unread (so it can
 * authenticate first and read within its own limit) and answers a `Response`.
 */
export interface FetchRoute extends RouteBase {
  fetch: (request: Request) => Response | Promise<Response>;
  handler?: never;
}

/** A route on the server: {@link HandlerRoute} or {@link FetchRoute}. */
export type RouteDefinition = HandlerRoute | FetchRoute;

/** The outcome of a handler, ready for a framework to write. */
export type RouteOutcome =
  | { kind: "json"; status: number; body: unknown }
  | { kind: "empty"; status: number }
  | { kind: "response"; response: Response };

/** Runs a handler and classifies what it produced; never throws. */
export async function runRoute(
  route: HandlerRoute,
  context: HttpRouteContext,
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
    return { kind: "json", status: 500, body: INTERNAL_ERROR };
  }
}

/** Runs a web-standard route; a throw becomes a 500. Never throws. */
export async function runFetchRoute(route: FetchRoute, request: Request): Promise<Response> {
  try {
    return await route.fetch(request);
  } catch (error) {
    console.error("[agentsocket] route handler failed:", error);
    return Response.json(INTERNAL_ERROR, { status: 500 });
  }
}

const INTERNAL_ERROR = { error: "Internal error", code: "INTERNAL_ERROR" };

const METHODS = new Set<string>(["GET", "POST", "PUT", "PATCH", "DELETE"]);

/** @throws {TypeError} naming what is wrong with a route definition. */
export function checkRoute(route: RouteDefinition): void {
  if (!route || typeof (route.handler ?? route.fetch) !== "function") {
    throw new TypeError("registerRoute: handler (or fetch) must be a function");
  }
  if (route.handler !== undefined && route.fetch !== undefined) {
    throw new TypeError("registerRoute: give a handler or a fetch function, not both");
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
