/**
 * Test support for resumable streams: a TCP proxy whose `cut()` is a real network drop (both
 * sockets destroyed, no close frame), a backend whose answer is numbered words and which can hold
 * after a given word, and a reader that collects one stream's frames by offset.
 */
import { createServer as createTcpServer, connect as tcpConnect, type Socket } from "node:net";
import type { AgentBackend, AgentStreamChunk } from "@agentsocket/core";
import type { Frame, TestClient } from "@agentsocket/core/testing";

/** A TCP proxy to `127.0.0.1:targetPort`. */
export interface CuttableProxy {
  port: number;
  /** Destroys every socket on both sides at once: the peers see a reset, never a close frame. */
  cut(): void;
  close(): Promise<void>;
}

export async function startProxy(targetPort: number): Promise<CuttableProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
  };
  const server = createTcpServer((client) => {
    const upstream = tcpConnect(targetPort, "127.0.0.1");
    track(client);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no proxy port");
  return {
    port: address.port,
    cut() {
      for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The words of a {@link createWordsBackend} answer: `w0 w1 … w{count-1} `. */
export const wordsText = (count: number): string =>
  Array.from({ length: count }, (_, i) => `w${i} `).join("");

export interface WordsBackend extends AgentBackend {
  /** Resolves with the time the abort signal fired. */
  aborted: Promise<number>;
  /** Words pulled so far. */
  readonly pulled: number;
  /** Lets a stream held at `holdAfter` go on. */
  release(): void;
}

/**
 * A backend that streams `count` numbered words (`"forever"` as the prompt: until aborted),
 * yielding to the event loop between words; with `holdAfter`, it waits after that many words
 * until `release()`.
 */
export function createWordsBackend(count: number, holdAfter?: number): WordsBackend {
  let pulled = 0;
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let onAbort!: (at: number) => void;
  const aborted = new Promise<number>((resolve) => (onAbort = resolve));
  return {
    aborted,
    get pulled() {
      return pulled;
    },
    release: () => release(),
    async generate() {
      return { content: wordsText(count) };
    },
    async stream(request) {
      const signal = request.abortSignal;
      signal?.addEventListener("abort", () => onAbort(Date.now()), { once: true });
      const forever = request.input.text === "forever";
      async function* produce(): AsyncGenerator<AgentStreamChunk> {
        for (let i = 0; forever || i < count; i++) {
          if (i === holdAfter) await held;
          await new Promise((resolve) => setTimeout(resolve, forever ? 5 : 0));
          if (signal?.aborted) return;
          pulled++;
          yield { content: `w${i} ` };
        }
      }
      return { stream: produce(), finishReason: "stop" };
    },
  };
}

/** The frames of one stream a client received, checked to be contiguous by offset. */
export function streamFrames(client: TestClient, streamId: string): Frame[] {
  return client.frames.filter((f) => f.streamId === streamId && typeof f.offset === "number");
}

/** The text of a stream's chunk frames. */
export const textOf = (frames: Frame[]): string =>
  frames
    .filter((f) => f.type === "chunk")
    .map((f) => f.content as string)
    .join("");

/** Whether a frame ends a stream. */
export const isTerminal = (f: Frame): boolean => f.type === "stream_complete" || f.type === "error";

/** Starts a stream on `client`; resolves with its start frame once `words` chunks arrived. */
export async function streamUntil(client: TestClient, prompt: string, words: number) {
  client.send({ type: "stream", requestId: "s1", payload: { prompt } });
  const started = await client.ofType("stream_start", "s1");
  await client.frame(
    () => client.frames.filter((f) => f.type === "chunk").length >= words,
    `${words} chunks`,
    10_000,
  );
  return started;
}

/** Resumes `streamId` after `offset` on `client` and reads to the terminal frame. */
export async function resume(
  client: TestClient,
  streamId: string,
  offset: number,
  requestId = "r1",
) {
  client.send({ type: "resume", requestId, payload: { streamId, offset } });
  const resumed = await client.ofType("resumed", requestId, 10_000);
  if (resumed.recovered !== true) return { resumed, frames: [] as Frame[] };
  await client.frame((f) => f.streamId === streamId && isTerminal(f), "the terminal frame", 20_000);
  return { resumed, frames: streamFrames(client, streamId) };
}
