/**
 * The events of seed 000's standalone server (`server.on("connection" | "disconnect" |
 * "heartbeat" | <message type>)`) and the small emitter behind them: a listener that throws or
 * rejects is reported on `"error"` (or `console.error` without one), never crashing the process.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { AuthenticatedUser } from "@agentsocket/core";

/** A new connection, after its handshake was authorized. */
export interface ConnectionEvent {
  connectionId: string;
  userAgent: string | undefined;
  remoteAddress: string | undefined;
  /** The handshake's headers (credentials included: do not log them). */
  headers: IncomingHttpHeaders;
  /** The path it connected to. */
  path: string;
  user?: AuthenticatedUser;
}

/** A connection that went away. */
export interface DisconnectEvent {
  connectionId: string;
  code: number;
  reason: string;
}

/** A pong answered a protocol ping: `latency` is the round trip in ms. */
export interface HeartbeatEvent {
  connectionId: string;
  latency: number;
}

/** A JSON frame `{ type, ... }` from a client: `message` is the whole parsed frame. */
export interface MessageEvent {
  connectionId: string;
  message: Record<string, unknown> & { type: string };
}

/** A listener that failed, or a connection's error. */
export interface ErrorEvent {
  connectionId?: string;
  error: Error;
}

/** Event names and what their listeners receive; any other name is a message type. */
export interface StandaloneEvents {
  connection: ConnectionEvent;
  disconnect: DisconnectEvent;
  heartbeat: HeartbeatEvent;
  /** Every JSON frame, whatever its type. */
  message: MessageEvent;
  error: ErrorEvent;
}

/** Names that are events, never dispatched as message types (a client cannot fake them). */
export const RESERVED_EVENTS: ReadonlySet<string> = new Set([
  "connection",
  "disconnect",
  "heartbeat",
  "message",
  "error",
]);

type Listener = (event: never) => unknown;

/** Listeners by event name, each called safely. */
export class SafeEmitter {
  readonly #listeners = new Map<string, Set<Listener>>();

  on(name: string, listener: Listener): void {
    if (typeof listener !== "function")
      throw new TypeError(`on("${name}"): the listener must be a function`);
    let set = this.#listeners.get(name);
    if (!set) this.#listeners.set(name, (set = new Set()));
    set.add(listener);
  }

  off(name: string, listener: Listener): void {
    this.#listeners.get(name)?.delete(listener);
  }

  has(name: string): boolean {
    return (this.#listeners.get(name)?.size ?? 0) > 0;
  }

  /** Calls every listener of `name`; failures go to `"error"` listeners. */
  emit(name: string, event: unknown): void {
    for (const listener of this.#listeners.get(name) ?? []) {
      try {
        const result = (listener as (event: unknown) => unknown)(event);
        if (result instanceof Promise)
          result.catch((error: unknown) => this.#failed(name, event, error));
      } catch (error) {
        this.#failed(name, event, error);
      }
    }
  }

  #failed(name: string, event: unknown, error: unknown): void {
    const failure = error instanceof Error ? error : new Error(String(error));
    const connectionId = (event as { connectionId?: string } | undefined)?.connectionId;
    if (name !== "error" && this.has("error"))
      return this.emit("error", { error: failure, ...(connectionId ? { connectionId } : {}) });
    console.error(`[agentsocket] "${name}" listener failed:`, failure);
  }
}
