/**
 * A wire-protocol-v1 client for the hostile scripts: a real `ws` socket to `/ws` on loopback,
 * open once the server's `connected` frame arrived, that can run a stream and check it (every
 * chunk in sequence, one `stream_complete`, the text) while anything else arrives around it.
 */
import WebSocket from "ws";
import { withTimeout } from "../timeout.ts";

/** A frame the server sent, as far as the scripts read it. */
export interface Frame {
  type: string;
  requestId?: string;
  code?: string;
  seq?: number;
  content?: string;
  status?: string;
}

/** How one stream went. */
export interface StreamOutcome {
  text: string;
  /** `completed`, `cancelled`, or the code of its error frame. */
  status: string;
  /** Whether the chunks arrived numbered 1, 2, 3… with no gap, after one `stream_start`. */
  inOrder: boolean;
  /** Milliseconds from sending the request to each chunk. */
  latencies: number[];
}

/** Options of {@link WireClient.stream}. */
export interface StreamOptions {
  /** Called on every chunk, e.g. to kill the connection mid-stream. */
  onChunk?: (frame: Frame) => void;
  /** @default 30000 */
  timeout?: number;
}

interface Pending {
  sentAt: number;
  outcome: StreamOutcome;
  expectedSeq: number;
  started: boolean;
  options: StreamOptions;
  settle(error?: Error): void;
}

let nextRequest = 0;

/** A server frame; one that is not JSON (a server bug) comes back as type `unparseable`. */
function parseFrame(text: string): Frame {
  try {
    return JSON.parse(text) as Frame;
  } catch {
    return { type: "unparseable" };
  }
}

/** An open connection. */
export class WireClient {
  readonly #pending = new Map<string, Pending>();
  /** Resolves with the close code once the connection is closed. */
  readonly closed: Promise<number>;

  private constructor(
    readonly socket: WebSocket,
    onFrame: (frame: Frame) => void,
  ) {
    this.closed = new Promise((resolve) => socket.once("close", (code) => resolve(code)));
    void this.closed.then(() => {
      for (const pending of this.#pending.values()) pending.settle(new Error("Connection closed"));
    });
    socket.on("message", (data) => {
      const frame = parseFrame(String(data));
      const pending =
        frame.requestId === undefined ? undefined : this.#pending.get(frame.requestId);
      if (pending) this.#track(pending, frame);
      else onFrame(frame);
    });
  }

  /**
   * Connects to `ws://127.0.0.1:<port>/ws`; `onFrame` hears every frame that is not part of a
   * stream this client runs.
   * @throws {Error} when the handshake fails or no `connected` frame arrives in `timeout` ms.
   */
  static connect(port: number, onFrame: (frame: Frame) => void = () => {}, timeout = 10_000) {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, { perMessageDeflate: false });
    socket.on("error", () => {}); // the close that follows is what the scripts count
    const opened = new Promise<WireClient>((resolve, reject) => {
      socket.once("unexpected-response", (_request, response) =>
        reject(new Error(`Handshake refused: HTTP ${response.statusCode}`)),
      );
      socket.once("close", (code) => reject(new Error(`Closed (${code}) before connected`)));
      socket.once("message", (data) => {
        const frame = parseFrame(String(data));
        if (frame.type !== "connected") return reject(new Error(`First frame: ${frame.type}`));
        socket.removeAllListeners("close");
        resolve(new WireClient(socket, onFrame));
      });
    });
    return withTimeout(opened, timeout, "connect").catch((error: unknown) => {
      socket.terminate();
      throw error;
    });
  }

  /** Sends a `stream` request for `prompt`; resolves with how it went, rejects if cut off. */
  stream(prompt: string, options: StreamOptions = {}): Promise<StreamOutcome> {
    const requestId = `healthy-${++nextRequest}`;
    const done = new Promise<StreamOutcome>((resolve, reject) => {
      const pending: Pending = {
        sentAt: performance.now(),
        outcome: { text: "", status: "", inOrder: true, latencies: [] },
        expectedSeq: 1,
        started: false,
        options,
        settle: (error) => {
          this.#pending.delete(requestId);
          if (error) reject(error);
          else resolve(pending.outcome);
        },
      };
      this.#pending.set(requestId, pending);
      this.socket.send(JSON.stringify({ type: "stream", requestId, payload: { prompt } }));
    });
    return withTimeout(done, options.timeout ?? 30_000, `stream ${requestId}`).finally(() =>
      this.#pending.delete(requestId),
    );
  }

  #track(pending: Pending, frame: Frame): void {
    const { outcome } = pending;
    switch (frame.type) {
      case "stream_start":
        if (pending.started) outcome.inOrder = false;
        pending.started = true;
        return;
      case "chunk":
        outcome.latencies.push(performance.now() - pending.sentAt);
        if (!pending.started || frame.seq !== pending.expectedSeq++) outcome.inOrder = false;
        outcome.text += frame.content ?? "";
        return pending.options.onChunk?.(frame);
      case "stream_complete":
      case "error":
        outcome.status = frame.type === "error" ? (frame.code ?? "error") : (frame.status ?? "");
        return pending.settle();
    }
  }
}
