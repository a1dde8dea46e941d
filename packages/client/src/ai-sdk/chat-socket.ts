/**
 * The one WebSocket of a `WebSocketChatTransport`: opened on first use (one attempt: a request
 * fails at once when the server is unreachable), and after a drop reopened with the client's
 * backoff (exponential, full jitter) while `wanted()` says requests are still active. It hands every parsed frame to `onFrame`, tells `onOpen` of each (re)open and
 * `onGiveUp` once the retries are spent.
 */
import {
  backoffDelay,
  type ConnectionParams,
  type ReconnectOptions,
  type WebSocketConstructor,
  type WebSocketLike,
} from "../options.ts";

/** The handlers set on a socket (the browser's, Node 22+'s and `ws`'s all have them). */
interface SocketHandlers {
  onopen: (() => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: (() => void) | null;
  onerror: (() => void) | null;
}

type ChatWebSocketLike = WebSocketLike & SocketHandlers;

export interface ChatSocketOptions {
  url: string;
  webSocket: WebSocketConstructor;
  params: ConnectionParams | (() => ConnectionParams | Promise<ConnectionParams>) | undefined;
  reconnect: Required<ReconnectOptions> | false;
  wanted: () => boolean;
  onOpen: (reconnected: boolean) => void;
  onFrame: (frame: Record<string, unknown>) => void;
  onGiveUp: (error: Error) => void;
}

const OPEN = 1;

export class ChatSocket {
  #socket: ChatWebSocketLike | undefined;
  #opening: Promise<ChatWebSocketLike> | undefined;
  #closed = false;
  #everOpened = false;

  constructor(private readonly options: ChatSocketOptions) {}

  /** Sends `frame` once the socket is open; false when it could not be sent now. */
  sendNow(frame: object): boolean {
    if (this.#socket?.readyState !== OPEN) return false;
    this.#socket.send(JSON.stringify(frame));
    return true;
  }

  /** Resolves with an open socket, connecting (one attempt) when there is none. */
  open(): Promise<ChatWebSocketLike> {
    if (this.#socket?.readyState === OPEN) return Promise.resolve(this.#socket);
    this.#closed = false;
    this.#opening ??= this.#attempt().finally(() => (this.#opening = undefined));
    return this.#opening;
  }

  close(): void {
    this.#closed = true;
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.close(1000, "Client closed transport");
  }

  /** After a drop: attempts with backoff and full jitter until one opens or the retries run out. */
  async #reconnect(): Promise<ChatWebSocketLike> {
    const { reconnect } = this.options;
    for (let attempt = 0; ; attempt++) {
      if (this.#closed || reconnect === false || attempt >= reconnect.maxRetries) {
        throw new Error("WebSocket chat network connection lost; reconnecting gave up.");
      }
      await new Promise((resolve) => setTimeout(resolve, backoffDelay(reconnect, attempt)));
      try {
        return await this.#attempt();
      } catch {
        // The next attempt waits longer.
      }
    }
  }

  async #attempt(): Promise<ChatWebSocketLike> {
    const { params } = this.options;
    const resolved = typeof params === "function" ? await params() : params;
    const url = new URL(this.options.url);
    for (const [name, value] of Object.entries(resolved ?? {})) url.searchParams.set(name, value);
    const socket = new this.options.webSocket(url.href) as ChatWebSocketLike;
    await new Promise<void>((resolve, reject) => {
      socket.onopen = () => resolve();
      socket.onerror = () => reject(new Error("WebSocket chat network connection failed."));
      socket.onclose = () => reject(new Error("WebSocket chat network connection closed."));
    });
    this.#socket = socket;
    socket.onmessage = (event) => this.#message(event.data);
    socket.onerror = () => {};
    socket.onclose = () => this.#dropped(socket);
    const reconnected = this.#everOpened;
    this.#everOpened = true;
    this.options.onOpen(reconnected);
    return socket;
  }

  #message(data: unknown): void {
    if (typeof data !== "string") return;
    let frame: unknown;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (typeof frame === "object" && frame !== null) {
      this.options.onFrame(frame as Record<string, unknown>);
    }
  }

  #dropped(socket: ChatWebSocketLike): void {
    if (this.#socket !== socket) return;
    this.#socket = undefined;
    if (this.#closed || !this.options.wanted()) return;
    this.#opening ??= this.#reconnect().finally(() => (this.#opening = undefined));
    this.#opening.catch((error: unknown) =>
      this.options.onGiveUp(error instanceof Error ? error : new Error(String(error))),
    );
  }
}
