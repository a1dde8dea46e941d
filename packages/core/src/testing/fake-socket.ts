/**
 * A scripted {@link SocketLike} for core's unit tests (the heartbeat, the managed connection, the
 * streaming channel): it records what core sends and how core closes it, and a test sets its
 * `readyState` and `bufferedAmount`; and a manager connection over one. Behaviour a user sees is
 * tested on real servers; this is for one piece at a time. Not exported from
 * `@agentsocket/core/testing`.
 */
import { WebSocketConnectionManager } from "../connection-manager.ts";
import type { WebSocketError } from "../errors.ts";
import type {
  SocketLike,
  WebSocketConfig,
  WebSocketData,
  WebSocketHandler,
  WebSocketMessage,
} from "../types.ts";

export interface FakeSocketOptions {
  /** Offer `ping()` (protocol-level pings, like `ws`). @default true */
  protocolPing?: boolean;
  /** Offer `terminate()`. @default true */
  terminate?: boolean;
  /** What `close()` does besides recording the call (e.g. throw for an invalid code). */
  onClose?: (code?: number, reason?: string) => void;
}

export class FakeSocket implements SocketLike {
  readyState = 1;
  bufferedAmount = 0;
  /** Every frame core sent, in order. */
  readonly sent: WebSocketData[] = [];
  /** Every `close()` call, in order. */
  readonly closes: { code: number | undefined; reason: string | undefined }[] = [];
  pings = 0;
  terminations = 0;
  ping?: () => void;
  terminate?: () => void;
  readonly #onClose: FakeSocketOptions["onClose"];

  constructor(options: FakeSocketOptions = {}) {
    this.#onClose = options.onClose;
    if (options.protocolPing ?? true) this.ping = () => void this.pings++;
    if (options.terminate ?? true)
      this.terminate = () => {
        this.terminations++;
        this.readyState = 3;
      };
  }

  send(data: WebSocketData): void {
    this.sent.push(data);
  }

  close(code?: number, reason?: string): void {
    this.closes.push({ code, reason });
    this.#onClose?.(code, reason);
    this.readyState = 2;
  }

  /** The text frames sent, parsed as JSON. */
  frames(): (Record<string, unknown> & { type: string })[] {
    return this.sent
      .filter((data): data is string => typeof data === "string")
      .map((text) => JSON.parse(text) as Record<string, unknown> & { type: string });
  }
}

/**
 * A manager with one connection on /ws over a {@link FakeSocket}, accepted as an adapter would
 * accept it, whose handler records what it hears (`handler` overrides single callbacks).
 */
export function acceptFakeSocket(
  config: WebSocketConfig = {},
  socketOptions?: FakeSocketOptions,
  handler: WebSocketHandler = {},
) {
  const manager = new WebSocketConnectionManager({ pingInterval: 0, ...config });
  const messages: WebSocketMessage[] = [];
  const errors: WebSocketError[] = [];
  const closes: [number, string][] = [];
  manager.registerHandler("/ws", {
    onMessage: (_c, m) => void messages.push(m),
    onError: (_c, e) => void errors.push(e as WebSocketError),
    onClose: (_c, code, reason) => void closes.push([code, reason]),
    ...handler,
  });
  const socket = new FakeSocket(socketOptions);
  const events = manager.accept(socket, { ok: true, path: "/ws" });
  return { manager, socket, events, messages, errors, closes };
}
