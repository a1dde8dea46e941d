/**
 * One socket seen through another `send`: what core's socket wrappers (the unsent-bytes cap, the
 * instrumentation's counting) share, so every optional capability of the socket underneath
 * (`ping`, `terminate`, `pause`/`resume`, `sendFrame`, `sendChunk`) stays reachable through any stack of wrappers.
 *
 * A class, not an object literal with getters: a literal's accessors give every connection's
 * wrapper its own hidden class and a dictionary of properties (about 0.5 KB each, heap snapshot
 * of 2,000 idle connections); instances of one class share theirs.
 */
import type { ChunkPrefix } from "./chunk-frame.ts";
import type { PreparedFrame } from "./frame-data.ts";
import type { SocketLike, WebSocketData } from "./types.ts";

/**
 * Forwards everything but `send` to `inner`. A capability `inner` lacks is `undefined` here too,
 * so `if (socket.ping)` still tells whether protocol pings are possible.
 */
export abstract class ForwardingSocket implements SocketLike {
  /**
   * The first socket under this stack of wrappers that is not one: `readyState` and
   * `bufferedAmount` (read several times per streamed token) are read there in one step instead
   * of through every wrapper's getter. No wrapper changes either of them.
   */
  readonly #base: SocketLike;

  constructor(protected readonly inner: SocketLike) {
    this.#base = inner instanceof ForwardingSocket ? inner.#base : inner;
    if (!inner.ping) this.ping = undefined;
    if (!inner.sendFrame) this.sendFrame = undefined;
    if (!inner.sendChunk) this.sendChunk = undefined;
    // A subclass that terminates by other means (node-socket.ts) keeps its own.
    if (!inner.terminate && this.terminate === ForwardingSocket.prototype.terminate)
      this.terminate = undefined;
    if (!inner.pause || !inner.resume) {
      this.pause = undefined;
      this.resume = undefined;
    }
  }

  abstract send(data: WebSocketData): void;

  /** A wrapper that changes `send` overrides this too, with the same guarantees. */
  sendFrame?(frame: PreparedFrame): void {
    this.inner.sendFrame!(frame);
  }

  /** Like {@link sendFrame}: a wrapper that changes `send` overrides this too. */
  sendChunk?(prefix: ChunkPrefix, seq: number, content: string): number {
    return this.inner.sendChunk!(prefix, seq, content);
  }

  close(code?: number, reason?: string): void {
    this.inner.close(code, reason);
  }

  ping?(): void {
    this.inner.ping!();
  }

  terminate?(): void {
    this.inner.terminate!();
  }

  pause?(): void {
    this.inner.pause!();
  }

  resume?(): void {
    this.inner.resume!();
  }

  get readyState(): number {
    return this.#base.readyState;
  }

  get bufferedAmount(): number {
    return this.#base.bufferedAmount;
  }
}

class SendThrough extends ForwardingSocket {
  constructor(
    inner: SocketLike,
    readonly send: (data: WebSocketData) => void,
  ) {
    super(inner);
    this.sendFrame = undefined; // every frame goes through `send`
    this.sendChunk = undefined;
  }
}

/** `socket` with `send` replaced; everything else is forwarded as it is. */
export function withSend(socket: SocketLike, send: (data: WebSocketData) => void): SocketLike {
  return new SendThrough(socket, send);
}
