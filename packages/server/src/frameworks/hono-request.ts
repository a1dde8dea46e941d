/**
 * The web `Request` a WebSocket upgrade travels the Hono app as, made lazily. Hono's router and
 * the agentsocket middleware read only its `url`, `method` and `headers`; a Fetch `Request`
 * (undici's constructor with its AbortSignal and a second copy of the header list) is a tenth of a
 * Hono handshake's CPU in a profile of 3,000 JWT handshakes, so it is built only when the app's own
 * middleware asks for something else (`signal`, `clone()`, the body readers…), and then forwarded
 * to. `@hono/node-server` does the same for the plain requests it serves.
 */
import type { IncomingMessage } from "node:http";

/**
 * A GET `Request` for `url` with `incoming`'s headers (only the first of a repeated
 * `set-cookie`), as `new Request(url, { headers })` would make it.
 */
export function upgradeRequest(url: string, incoming: IncomingMessage): Request {
  adoptGlobalRequest();
  return new UpgradeRequest(url, incoming) as unknown as Request;
}

class UpgradeRequest {
  readonly #url: string;
  #incoming: IncomingMessage | undefined;
  #headers: Headers | undefined;
  #native: Request | undefined;

  constructor(url: string, incoming: IncomingMessage) {
    this.#url = url;
    this.#incoming = incoming;
  }

  // Accessors, not fields: a field would be written through the forwarded getter below it.
  get url(): string {
    return this.#url;
  }

  get method(): string {
    return "GET";
  }

  get headers(): Headers {
    if (this.#headers === undefined) {
      this.#headers = headersOf(this.#incoming!);
      this.#incoming = undefined;
    }
    return this.#headers;
  }

  /** The Fetch `Request` itself, made on first need. */
  native(): Request {
    return (this.#native ??= new NativeRequest(this.url, { headers: this.headers }));
  }
}

function headersOf(incoming: IncomingMessage): Headers {
  const headers = new Headers();
  for (const name in incoming.headers) {
    const value = incoming.headers[name];
    if (value) headers.append(name, Array.isArray(value) ? value[0]! : value);
  }
  return headers;
}

/** The `Request` class the runtime had when this module loaded, before node-server replaced it. */
const NativeRequest = globalThis.Request;
let adopted: typeof Request | undefined;

/**
 * Puts `UpgradeRequest` under the current global `Request` (node-server swaps in a subclass of its
 * own), so `instanceof Request` holds, and forwards every member it does not define itself to the
 * native request: the Fetch getters check that their receiver is a real `Request`.
 */
function adoptGlobalRequest(): void {
  const current = globalThis.Request;
  if (adopted === current) return;
  adopted = current;
  Object.setPrototypeOf(UpgradeRequest.prototype, current.prototype);
  const own = new Set<PropertyKey>(Reflect.ownKeys(UpgradeRequest.prototype));
  for (let proto: object | null = current.prototype; proto && proto !== Object.prototype;) {
    for (const key of Reflect.ownKeys(proto)) {
      if (own.has(key) || key === Symbol.toStringTag) continue;
      own.add(key);
      const descriptor = Object.getOwnPropertyDescriptor(proto, key)!;
      Object.defineProperty(UpgradeRequest.prototype, key, forwarded(key, descriptor));
    }
    proto = Object.getPrototypeOf(proto) as object | null;
  }
}

type Forwarding = UpgradeRequest & Record<PropertyKey, unknown>;

function forwarded(key: PropertyKey, descriptor: PropertyDescriptor): PropertyDescriptor {
  if (descriptor.get) {
    return {
      configurable: true,
      get(this: Forwarding) {
        return (this.native() as unknown as Record<PropertyKey, unknown>)[key];
      },
    };
  }
  if (typeof descriptor.value === "function") {
    return {
      configurable: true,
      writable: true,
      value(this: Forwarding, ...args: unknown[]) {
        const native = this.native() as unknown as Record<
          PropertyKey,
          (...a: unknown[]) => unknown
        >;
        return native[key]!(...args);
      },
    };
  }
  return descriptor;
}
