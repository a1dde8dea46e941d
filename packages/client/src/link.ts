/**
 * The client's connection: one WebSocket at a time, the state machine around it
 * (connecting → open → reconnecting → … → closed) and the reconnect loop with backoff. It knows
 * nothing of requests; it hands the client parsed frames and tells it when a connection is up
 * (the server's `connected` frame) and when it dropped.
 */
import {
  backoffDelay,
  connectionUrl,
  type ResolvedOptions,
  type WebSocketLike,
} from "./options.ts";

/** The client's connection state. */
export type ClientState = "connecting" | "open" | "reconnecting" | "closed";

/** A decoded server frame: a JSON object with a `type`. */
export type ServerFrame = { type: string; [key: string]: unknown };

/** What the link reports to the client. @internal */
export interface LinkEvents {
  state(state: ClientState): void;
  /** The server's `connected` frame on a new connection. */
  connected(frame: ServerFrame): void;
  frame(frame: ServerFrame): void;
  /** Anything that is not a JSON object frame (binary data, plain text). */
  raw(data: unknown): void;
  /** The connection dropped; `final` when no reconnect follows. */
  dropped(final: boolean): void;
}

interface SocketHandlers {
  onopen: (() => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number }) => void) | null;
  onerror: (() => void) | null;
}

const OPEN = 1;
/** The server restarts (a deploy's drain): reconnect at once, another instance is ready. */
const SERVICE_RESTART = 1012;

/** @internal */
export class Link {
  #state: ClientState = "connecting";
  #socket: (WebSocketLike & SocketHandlers) | undefined;
  /** Reconnect attempts since the last connection was up. */
  #retries = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #connected = false;
  #reconnectNow = false;
  readonly #options: ResolvedOptions;
  readonly #events: LinkEvents;

  constructor(options: ResolvedOptions, events: LinkEvents) {
    this.#options = options;
    this.#events = events;
    void this.#attempt();
  }

  get state(): ClientState {
    return this.#state;
  }

  /** True while a connection is up (its `connected` frame arrived). */
  get connected(): boolean {
    return this.#connected && this.#socket?.readyState === OPEN;
  }

  /** Sends a frame on the current connection. @returns false when there is none. */
  send(frame: object): boolean {
    if (!this.connected) return false;
    this.#socket!.send(JSON.stringify(frame));
    return true;
  }

  /** The server said it is going away (`{type:"shutdown", reconnect:true}`): come back at once. */
  reconnectNow(): void {
    this.#reconnectNow = true;
  }

  /** Moves to `"open"` once the client has restored what it had. */
  markOpen(): void {
    if (this.#connected && !this.#closed) this.#setState("open");
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    const socket = this.#socket;
    this.#socket = undefined;
    this.#connected = false;
    if (socket) {
      detach(socket);
      socket.close(1000, "client closed");
    }
    this.#setState("closed");
  }

  async #attempt(): Promise<void> {
    this.#timer = undefined;
    let socket: WebSocketLike & SocketHandlers;
    try {
      const url = await connectionUrl(this.#options);
      if (this.#closed) return;
      socket = new this.#options.webSocket(url) as WebSocketLike & SocketHandlers;
    } catch (error) {
      this.#options.onError(error);
      return this.#dropped();
    }
    this.#socket = socket;
    socket.onmessage = ({ data }) => this.#message(data);
    socket.onclose = ({ code }) => {
      if (code === SERVICE_RESTART) this.#reconnectNow = true;
      if (this.#socket === socket) this.#dropped();
    };
    socket.onerror = () => {}; // a close event follows, with the code
  }

  #message(data: unknown): void {
    let frame: unknown;
    try {
      frame = typeof data === "string" ? JSON.parse(data) : undefined;
    } catch {
      frame = undefined;
    }
    if (
      typeof frame !== "object" ||
      frame === null ||
      typeof (frame as ServerFrame).type !== "string"
    ) {
      return this.#events.raw(data);
    }
    const parsed = frame as ServerFrame;
    if (parsed.type === "connected" && !this.#connected) {
      this.#connected = true;
      this.#retries = 0;
      return this.#events.connected(parsed);
    }
    if (parsed.type === "shutdown" && parsed.reconnect === true) this.reconnectNow();
    this.#events.frame(parsed);
  }

  #dropped(): void {
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket) detach(socket);
    this.#connected = false;
    if (this.#closed) return;
    const reconnect = this.#options.reconnect;
    if (reconnect === false || this.#retries >= reconnect.maxRetries) {
      this.#closed = true;
      this.#events.dropped(true);
      return this.#setState("closed");
    }
    this.#events.dropped(false);
    this.#setState("reconnecting");
    const attempt = this.#retries++;
    const delay = this.#reconnectNow ? 0 : backoffDelay(reconnect, attempt);
    this.#reconnectNow = false;
    // Not unref()ed: a program awaiting a stream across a drop must stay alive to see it resume.
    this.#timer = setTimeout(() => void this.#attempt(), delay);
  }

  #setState(state: ClientState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#events.state(state);
  }
}

function detach(socket: SocketHandlers): void {
  socket.onmessage = socket.onclose = null;
  socket.onerror = () => {};
}
