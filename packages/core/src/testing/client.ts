/**
 * A test client over any `ws`-compatible WebSocket class: connect (or see the HTTP status that
 * refused the handshake), wait for frames by predicate, wait for the close.
 */

/** The part of the `ws` client API the suite uses; pass `WebSocket` from `ws`. */
export interface WsClientConstructor {
  new (
    url: string,
    options?: { headers?: Record<string, string>; autoPong?: boolean; origin?: string },
  ): WsClient;
}

export interface WsClient {
  readonly readyState: number;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  pause(): void;
  resume(): void;
  on(event: "open", listener: () => void): unknown;
  on(event: "message", listener: (data: Uint8Array, isBinary: boolean) => void): unknown;
  on(event: "close", listener: (code: number, reason: Uint8Array) => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  on(event: "unexpected-response", listener: (req: unknown, res: RefusalResponse) => void): unknown;
}

/** The HTTP response that refused a handshake (Node's `IncomingMessage`). */
export interface RefusalResponse {
  statusCode?: number;
  on(event: "data", listener: (chunk: Uint8Array) => void): unknown;
  on(event: "end" | "error", listener: () => void): unknown;
}

export type Frame = Record<string, unknown> & { type: string };

const decoder = new TextDecoder();

/** Rejects after `ms` with `what` in the message: a guard against hanging, not a synchronizer. */
export function within<T>(promise: Promise<T>, what: string, ms = 3000): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class TestClient {
  readonly frames: Frame[] = [];
  readonly binaries: Uint8Array[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters: (() => void)[] = [];

  constructor(readonly socket: WsClient) {
    socket.on("message", (data, isBinary) => {
      if (isBinary) this.binaries.push(new Uint8Array(data));
      else this.frames.push(JSON.parse(decoder.decode(data)) as Frame);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => {
      socket.on("close", (code, reason) => {
        resolve({ code, reason: decoder.decode(reason) });
        for (const wake of this.#waiters.splice(0)) wake();
      });
    });
  }

  /** Sends a JSON message (objects) or a raw frame (strings and bytes). */
  send(message: object | string | Uint8Array): void {
    this.socket.send(
      typeof message === "string" || message instanceof Uint8Array
        ? message
        : JSON.stringify(message),
    );
  }

  /** The first received frame matching `predicate` (already received, or the next to arrive). */
  async frame(predicate: (frame: Frame) => boolean, what = "a frame", ms = 3000): Promise<Frame> {
    const find = () => this.frames.find(predicate);
    return within(
      (async () => {
        for (;;) {
          const found = find();
          if (found) return found;
          await new Promise<void>((wake) => this.#waiters.push(wake));
        }
      })(),
      what,
      ms,
    );
  }

  /** The first frame of `type` (optionally with `requestId`). */
  ofType(type: string, requestId?: string, ms?: number): Promise<Frame> {
    return this.frame(
      (f) => f.type === type && (requestId === undefined || f.requestId === requestId),
      `a "${type}" frame`,
      ms,
    );
  }

  /** Waits for the next binary frame. */
  async binary(ms = 3000): Promise<Uint8Array> {
    return within(
      (async () => {
        while (this.binaries.length === 0)
          await new Promise<void>((wake) => this.#waiters.push(wake));
        return this.binaries.shift()!;
      })(),
      "a binary frame",
      ms,
    );
  }

  close(code?: number, reason?: string): Promise<{ code: number; reason: string }> {
    this.socket.close(code, reason);
    return this.closed;
  }
}

export interface ConnectOptions {
  headers?: Record<string, string>;
  autoPong?: boolean;
  origin?: string;
}

/**
 * Outcome of a handshake: an open client, or the HTTP status that refused it with its body (the
 * parsed JSON, or the text when it is not JSON; `""` for none).
 */
export type ConnectResult =
  { ok: true; client: TestClient } | { ok: false; status: number; body: unknown };

/** Opens a connection and waits for the handshake outcome. */
export function tryConnect(
  WebSocket: WsClientConstructor,
  url: string,
  options: ConnectOptions = {},
): Promise<ConnectResult> {
  return within(
    new Promise<ConnectResult>((resolve, reject) => {
      const socket = new WebSocket(url, options);
      const client = new TestClient(socket);
      socket.on("open", () => resolve({ ok: true, client }));
      socket.on("unexpected-response", (_req, res) => {
        let text = "";
        const done = () => {
          resolve({ ok: false, status: res.statusCode ?? 0, body: parseBody(text) });
          socket.terminate();
        };
        res.on("data", (chunk) => (text += decoder.decode(chunk, { stream: true })));
        res.on("end", done);
        res.on("error", done);
      });
      socket.on("error", (error) => reject(error));
    }),
    `the handshake to ${url}`,
  );
}

/** Opens a connection that must succeed, and waits for its `connected` frame. */
export async function connect(
  WebSocket: WsClientConstructor,
  url: string,
  options: ConnectOptions = {},
): Promise<TestClient> {
  const result = await tryConnect(WebSocket, url, options);
  if (!result.ok) throw new Error(`Handshake to ${url} refused with HTTP ${result.status}`);
  return result.client;
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
