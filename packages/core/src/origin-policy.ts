/**
 * The `allowedOrigins` decision, shared by WebSocket handshakes, the HTTP agent routes and any
 * adapter: which browser `Origin` may talk to the server. Besides listed origins and `"*"`, the
 * keyword {@link SAME_ORIGIN} admits the page the server itself served — an `Origin` whose
 * host and port are the request's `Host` — so the built-in chat page works while every other
 * site is refused (a cross-site WebSocket upgrade is not covered by CORS: without this check any
 * page the user visits could drive the agent).
 */

/**
 * In `allowedOrigins`, admits an `Origin` with the same host and port as the request's `Host`
 * header (behind a proxy, forward the client's `Host`: nginx `proxy_set_header Host $host`).
 */
export const SAME_ORIGIN = "same-origin";

/** Ports a URL leaves out of its host. */
const DEFAULT_PORTS: Record<string, string> = {
  "http:": "80",
  "https:": "443",
  "ws:": "80",
  "wss:": "443",
};

/**
 * Whether `origin` and the request's `host` name the same host and port. A `Host` without a port
 * matches only the origin scheme's default port. A missing or `null` origin never matches.
 */
export function isSameOrigin(origin: string, host: string | null | undefined): boolean {
  if (!host) return false;
  let page: URL;
  let target: URL;
  try {
    page = new URL(origin);
    target = new URL(`http://${host}`);
  } catch {
    return false;
  }
  if (page.hostname !== target.hostname || DEFAULT_PORTS[page.protocol] === undefined) return false;
  // `new URL("http://h:443")` keeps 443 while `new URL("https://h")` has port "": compare numbers.
  const pagePort = page.port || DEFAULT_PORTS[page.protocol];
  const hostPort = /:\d+$/.test(host) ? target.port || "80" : DEFAULT_PORTS[page.protocol];
  return pagePort === hostPort;
}

/**
 * Checks a request's `Origin` against `allowedOrigins`. A request without `Origin` (a non-browser
 * client) is always allowed, as is every origin when the list is unset or holds `"*"`.
 * @param allowedOrigins origins, `"*"` and {@link SAME_ORIGIN}; `undefined` allows any.
 * @param origin the request's `Origin` header.
 * @param host the request's `Host` header, for {@link SAME_ORIGIN}.
 * @returns the refusal message, or `undefined` when the origin is allowed.
 */
export function originProblem(
  allowedOrigins: readonly string[] | undefined,
  origin: string | null | undefined,
  host: string | null | undefined,
): string | undefined {
  if (allowedOrigins === undefined || origin === null || origin === undefined) return undefined;
  if (allowedOrigins.includes("*") || allowedOrigins.includes(origin)) return undefined;
  if (allowedOrigins.includes(SAME_ORIGIN) && isSameOrigin(origin, host)) return undefined;
  return `Origin ${origin} is not allowed`;
}

/**
 * {@link originProblem} for a web-standard `Request`: its `Origin`, and its `Host` header (or,
 * when the runtime dropped it, the host of its URL, which the server built from `Host`).
 */
export function requestOriginProblem(
  allowedOrigins: readonly string[] | undefined,
  request: Request,
): string | undefined {
  const { headers } = request;
  const host = headers.get("host") ?? URL.parse(request.url)?.host;
  return originProblem(allowedOrigins, headers.get("origin"), host);
}
