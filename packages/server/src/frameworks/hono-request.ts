/**
 * The web `Request` a WebSocket upgrade travels the Hono app as, made lazily. Hono's router and
 * the agentsocket middleware read only its `url`, `method` and a few headers; a Fetch `Request`
 * (undici's constructor with its AbortSignal and a second copy of the header list) is a tenth of a
 * Hono handshake's CPU in a profile of 3,000 JWT handshakes, so it is built only when the app's own
 * middleware asks for something else (`signal`, `clone()`, the body readers…), and then forwarded
 * to; the same goes for its `Headers`, which answer `get`/`has` from the Node request until
 * something else is asked of them. `@hono/node-server` does the same for the plain requests it
 * serves.
 */
import type { IncomingMessage } from "node:http";

/**
 * A GET `Request` for `url` with `incoming`'s headers (only the first of a repeated
 * `set-cookie`), as `new Request(url, { headers })` would make it.
 */
export function upgradeRequest(url: string, incoming: IncomingMessage): Request {
  adoptGlobals();
  return new UpgradeRequest(url, incoming) as unknown as Request;
}

/** What a lazy object forwards to, once made. */
interface Lazy {
  native(): object;
}

class UpgradeRequest implements Lazy {
  readonly #url: string;
  readonly #headers: UpgradeHeaders;
  #native: Request | undefined;

  constructor(url: string, incoming: IncomingMessage) {
    this.#url = url;
    this.#headers = new UpgradeHeaders(incoming);
  }

  // Accessors, not fields: a field would be written through the forwarded getter below it.
  get url(): string {
    return this.#url;
  }

  get method(): string {
    return "GET";
  }

  get headers(): Headers {
    return this.#headers as unknown as Headers;
  }

  /** The Fetch `Request` itself, made on first need. */
  native(): Request {
    if (this.#native === undefined) {
      this.#native = new globalThis.Request(this.url, { headers: this.#headers.native() });
      // One header list from then on, as a real Request has: changes through either show in both.
      this.#headers.attach(this.#native.headers);
    }
    return this.#native;
  }
}

/** A header name `Headers.get` accepts (RFC 9110 token); others go to it to be refused. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

class UpgradeHeaders implements Lazy {
  #incoming: IncomingMessage | undefined;
  #native: Headers | undefined;

  constructor(incoming: IncomingMessage) {
    this.#incoming = incoming;
  }

  get(name: string): string | null {
    if (this.#native !== undefined || typeof name !== "string" || !TOKEN.test(name))
      return this.native().get(name);
    return valueOf(this.#incoming!.headers[name.toLowerCase()]);
  }

  has(name: string): boolean {
    if (this.#native !== undefined || typeof name !== "string" || !TOKEN.test(name))
      return this.native().has(name);
    return valueOf(this.#incoming!.headers[name.toLowerCase()]) !== null;
  }

  /** The Fetch `Headers` themselves, made on first need. */
  native(): Headers {
    if (this.#native === undefined) {
      const headers = new Headers();
      const source = this.#incoming!.headers;
      for (const name in source) {
        const value = valueOf(source[name]);
        if (value !== null) headers.append(name, value);
      }
      this.attach(headers);
    }
    return this.#native!;
  }

  /** Makes `headers` the list this forwards to. */
  attach(headers: Headers): void {
    this.#native = headers;
    this.#incoming = undefined;
  }
}

/** A Node header's value as the Fetch `Headers` built from it hold it. */
function valueOf(value: string | string[] | undefined): string | null {
  const first = Array.isArray(value) ? value[0] : value;
  return first ? first : null;
}

let adopted: typeof Request | undefined;

/**
 * Puts the lazy classes under the current global `Request` and `Headers` (node-server swaps in
 * subclasses of its own), so `instanceof` holds, and forwards every member they do not define
 * themselves to the native object: the Fetch accessors check that their receiver is a real one.
 */
function adoptGlobals(): void {
  const current = globalThis.Request;
  if (adopted === current) return;
  adopted = current;
  forwardAll(UpgradeRequest.prototype, current.prototype);
  forwardAll(UpgradeHeaders.prototype, globalThis.Headers.prototype);
}

function forwardAll(lazy: object, native: object): void {
  Object.setPrototypeOf(lazy, native);
  const own = new Set<PropertyKey>(Reflect.ownKeys(lazy));
  for (let proto: object | null = native; proto && proto !== Object.prototype;) {
    for (const key of Reflect.ownKeys(proto)) {
      if (own.has(key) || key === Symbol.toStringTag) continue;
      own.add(key);
      const descriptor = Object.getOwnPropertyDescriptor(proto, key)!;
      Object.defineProperty(lazy, key, forwarded(key, descriptor));
    }
    proto = Object.getPrototypeOf(proto) as object | null;
  }
}

type Members = Record<PropertyKey, unknown>;

function forwarded(key: PropertyKey, descriptor: PropertyDescriptor): PropertyDescriptor {
  if (descriptor.get) {
    return {
      configurable: true,
      get(this: Lazy) {
        return (this.native() as Members)[key];
      },
    };
  }
  if (typeof descriptor.value === "function") {
    return {
      configurable: true,
      writable: true,
      value(this: Lazy, ...args: unknown[]) {
        const native = this.native() as Record<PropertyKey, (...a: unknown[]) => unknown>;
        return native[key]!(...args);
      },
    };
  }
  return descriptor;
}
