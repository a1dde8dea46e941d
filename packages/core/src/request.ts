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

/**
 * Every value of a header, each comma-separated item on its own, from `request.headers` and
 * `request.rawHeaders` alike: duplicates arrive joined with "," (Fetch `Headers`), as an array,
 * or — for `authorization` in Node's parsed headers — dropped after the first, which the raw
 * header lines (when the adapter passes them) bring back.
 */
export function readHeaderValues(request: UpgradeRequest, name: string): string[] {
  const key = name.toLowerCase();
  const items: string[] = [];
  const raw = request.rawHeaders ?? [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const line = raw[i]!;
    if (line.length === key.length && line.toLowerCase() === key) addItems(items, raw[i + 1]!);
  }
  const { headers } = request;
  if (typeof headers.get === "function") {
    const value = (headers as { get(name: string): string | null }).get(key);
    if (value !== null) addItems(items, value);
  } else {
    const value = (headers as Record<string, string | string[] | undefined>)[key];
    if (Array.isArray(value)) for (const each of value) addItems(items, each);
    else if (value !== undefined) addItems(items, value);
  }
  // Usually one credential, seen twice on Node (raw lines and parsed headers).
  if (items.length === 2 && items[0] === items[1]) items.pop();
  return items.length > 2 ? [...new Set(items)] : items;
}

/** Adds each non-empty comma-separated item of `value` to `items`. */
function addItems(items: string[], value: string): void {
  if (!value.includes(",")) return addItem(items, value.trim());
  for (const item of value.split(",")) addItem(items, item.trim());
}

function addItem(items: string[], item: string): void {
  if (item !== "") items.push(item);
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
