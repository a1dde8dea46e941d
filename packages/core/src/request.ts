/**
 * Reading headers and query parameters from an {@link UpgradeRequest}, whatever runtime made it.
 */
import type { HeaderSource, UpgradeRequest } from "./auth/types.ts";

/** Returns a header's first value, or `undefined`. Header names are matched case-insensitively. */
export function readHeader(headers: HeaderSource, name: string): string | undefined {
  const key = name.toLowerCase();
  if (typeof headers.get === "function") {
    return (headers as { get(name: string): string | null }).get(key) ?? undefined;
  }
  const value = (headers as Record<string, string | string[] | undefined>)[key];
  return Array.isArray(value) ? value[0] : value;
}

/** Splits a request target into its path and query, without needing a host. */
export function parseRequestUrl(url: string): { pathname: string; query: URLSearchParams } {
  let target = url;
  if (!target.startsWith("/")) {
    const scheme = target.indexOf("://");
    const slash = scheme === -1 ? -1 : target.indexOf("/", scheme + 3);
    target = slash === -1 ? "/" : target.slice(slash);
  }
  const mark = target.indexOf("?");
  if (mark === -1) return { pathname: target, query: new URLSearchParams() };
  return { pathname: target.slice(0, mark), query: new URLSearchParams(target.slice(mark + 1)) };
}

/** The query parameters of a handshake request. */
export function readQuery(request: UpgradeRequest): URLSearchParams {
  return parseRequestUrl(request.url).query;
}
