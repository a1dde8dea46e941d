/**
 * A bare `/ws` client for the holes script (holes.ts): sends frames and waits for the reply that
 * carries a `requestId` (`response`, `tool_result` or `error`), and times ping/pong round trips.
 */
import WebSocket from "ws";
import { withTimeout } from "../timeout.ts";

/** A frame as the holes script reads it. */
export interface HoleFrame {
  type: string;
  requestId?: string;
  code?: string;
  timestamp?: number;
}

/** An open `/ws` connection after its `connected` frame. */
export interface HoleSocket {
  /** Sends `frame` and resolves with the first frame answering its `requestId`. */
  request(frame: HoleFrame & { payload?: unknown }, timeout?: number): Promise<HoleFrame>;
  /** One ping/pong round trip, in ms. */
  ping(timeout?: number): Promise<number>;
  readonly closed: Promise<number>;
  close(): void;
}

const ANSWERS = new Set(["response", "tool_result", "error", "stream_complete"]);

/** Connects to ws://127.0.0.1:`port``path`. @throws {Error} when refused or not `connected` in time. */
export async function openSocket(port: number, path = "/ws"): Promise<HoleSocket> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}${path}`, { perMessageDeflate: false });
  socket.on("error", () => {});
  const waiting = new Map<string, (frame: HoleFrame) => void>();
  const pongs: ((frame: HoleFrame) => void)[] = [];
  const closed = new Promise<number>((resolve) => socket.once("close", resolve));
  const connected = new Promise<void>((resolve, reject) => {
    socket.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    void closed.then((code) => reject(new Error(`closed ${code}`)));
    socket.on("message", (data) => {
      const frame = JSON.parse(String(data)) as HoleFrame;
      if (frame.type === "connected") return resolve();
      if (frame.type === "pong") return pongs.shift()?.(frame);
      if (frame.requestId !== undefined && ANSWERS.has(frame.type)) {
        waiting.get(frame.requestId)?.(frame);
        waiting.delete(frame.requestId);
      }
    });
  });
  await withTimeout(connected, 10_000, "connect");
  return {
    request(frame, timeout = 30_000) {
      const answer = new Promise<HoleFrame>((resolve) => waiting.set(frame.requestId!, resolve));
      socket.send(JSON.stringify(frame));
      return withTimeout(answer, timeout, `answer to ${frame.requestId}`);
    },
    async ping(timeout = 10_000) {
      const sent = performance.now();
      const pong = new Promise<HoleFrame>((resolve) => pongs.push(resolve));
      socket.send(JSON.stringify({ type: "ping", timestamp: Date.now() }));
      await withTimeout(pong, timeout, "pong");
      return performance.now() - sent;
    },
    closed,
    close: () => socket.terminate(),
  };
}
