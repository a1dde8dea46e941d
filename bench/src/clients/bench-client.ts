/**
 * One load-generating client, whatever the server speaks: wire protocol v1 over `ws`, or
 * Socket.IO events over `socket.io-client`.
 */
import type { ServerKind } from "../server-process.ts";
import type { Tally } from "../tally.ts";

/** A connected client. */
export interface BenchClient {
  /** Requests a stream; resolves when its terminal frame arrives, rejects on an error frame. */
  stream(requestId: string, prompt: string): Promise<void>;
  /** Closes the connection (without waiting for the server to see it). */
  close(): void;
}

/** Where and how a client connects. */
export interface ConnectOptions {
  kind: ServerKind;
  port: number;
  /** A signed JWT. */
  token: string;
  /** Counts what this client receives. */
  tally: Tally;
  /** Milliseconds to wait for the server's first frame. @default 30000 */
  timeout?: number;
}

/** A stream the client is waiting on. */
export interface PendingStream {
  resolve(): void;
  reject(error: Error): void;
}

/** The broadcast frame of the fan-out scenario (the `notice` type on the wire protocol). */
export const BROADCAST_FRAME = JSON.stringify({
  type: "notice",
  payload: { text: "Deploy finished: agents were restarted, no action needed on your side." },
});
