/**
 * Resumable streams: CPU per token of resumable against plain streaming (memory and Redis logs),
 * the time a resume takes to catch up on a 2,000-frame backlog, and Redis memory per stream
 * (`MEMORY USAGE` of its log and meta). Server and clients share this process, so CPU is for
 * both; the client's share is the same in every mode. Needs `redis-server` on PATH. Run with
 * `pnpm --filter @agentsocket/bench run resume`; `pnpm bench` runs {@link cpuPerToken} and
 * {@link catchUp} in a server process of its own (resume-probe.ts), on each Node it measures.
 */
import { fileURLToPath } from "node:url";
import { WebSocket } from "ws";
import { createClient } from "redis";
import type { AgentBackend } from "@agentsocket/core";
import { createRedisStreamStore } from "@agentsocket/redis";
import { startRedis } from "@agentsocket/redis/testing";
import { createServer } from "@agentsocket/server";

const STREAMS = 20;
const TOKENS = 1000;
const BACKLOG = 2000;
const ROUNDS = 3;

/** One token per event-loop turn: one frame per token, the per-frame worst case for the log. */
const backend: AgentBackend = {
  async generate() {
    return { content: "" };
  },
  async stream(request) {
    const tokens = Number(request.input.text);
    async function* produce() {
      for (let i = 0; i < tokens; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        yield { content: "token " };
      }
    }
    return { stream: produce(), finishReason: "stop" };
  },
};

/** How a stream is logged: not at all, in memory, in Redis (appends unbatched or 5 ms). */
export type Mode = "plain" | "memory" | "redis" | "redis-5ms";

async function open(port: number): Promise<WebSocket> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  return socket;
}

/** Streams `tokens` on `socket`; resolves with the frames once the terminal one arrived. */
function stream(socket: WebSocket, requestId: string, tokens: number): Promise<unknown[]> {
  return new Promise((resolve) => {
    const frames: unknown[] = [];
    const onMessage = (data: Buffer) => {
      const frame = JSON.parse(String(data)) as { type: string; requestId?: string };
      if (frame.requestId !== requestId) return;
      frames.push(frame);
      if (frame.type === "stream_complete" || frame.type === "error") {
        socket.off("message", onMessage);
        resolve(frames);
      }
    };
    socket.on("message", onMessage);
    socket.send(JSON.stringify({ type: "stream", requestId, payload: { prompt: String(tokens) } }));
  });
}

async function server(mode: Mode, redisUrl: string) {
  const store = mode.startsWith("redis")
    ? createRedisStreamStore({
        url: redisUrl,
        prefix: `b${Date.now()}`,
        appendBatchMs: mode === "redis-5ms" ? 5 : 0,
      })
    : undefined;
  await store?.ready();
  const resume = mode === "plain" ? undefined : store ? { store } : true;
  const app = await createServer(backend, {
    framework: "hono",
    config: { port: 0, host: "127.0.0.1", agent: resume ? { resume } : {} },
  });
  await app.start();
  return { app, port: app.port!, close: async () => (await app.stop(), await store?.close()) };
}

/** CPU microseconds per token for `streams` concurrent streams of `tokens` tokens. */
export async function cpuPerToken(
  mode: Mode,
  redisUrl: string,
  streams = STREAMS,
  tokens = TOKENS,
): Promise<number> {
  const { port, close } = await server(mode, redisUrl);
  const sockets = await Promise.all(Array.from({ length: streams }, () => open(port)));
  await Promise.all(sockets.map((s, i) => stream(s, `warm${i}`, 50)));
  const before = process.cpuUsage();
  await Promise.all(sockets.map((s, i) => stream(s, `r${i}`, tokens)));
  const used = process.cpuUsage(before);
  for (const socket of sockets) socket.terminate();
  await close();
  return (used.user + used.system) / (streams * tokens);
}

/** Milliseconds from `resume` to the terminal frame, for a finished stream of `backlog` frames. */
export async function catchUp(
  mode: "memory" | "redis",
  redisUrl: string,
  backlog = BACKLOG,
): Promise<number> {
  const { port, close } = await server(mode, redisUrl);
  const first = await open(port);
  const frames = (await stream(first, "s", backlog)) as { streamId: string }[];
  first.terminate();
  const second = await open(port);
  const started = performance.now();
  const got = await new Promise<number>((resolve) => {
    let count = 0;
    second.on("message", (data) => {
      const frame = JSON.parse(String(data)) as { type: string; requestId?: string };
      if (frame.requestId === "s") count++;
      if (frame.type === "stream_complete") resolve(count);
    });
    second.send(
      JSON.stringify({
        type: "resume",
        requestId: "r",
        payload: { streamId: frames[0]!.streamId, offset: 0 },
      }),
    );
  });
  const elapsed = performance.now() - started;
  if (got !== frames.length) throw new Error(`resume delivered ${got} of ${frames.length} frames`);
  second.terminate();
  await close();
  return elapsed;
}

/** `MEMORY USAGE` (log + meta) of one finished stream of `tokens` frames, coalesced or not. */
export async function redisBytes(
  redisUrl: string,
  tokens: number,
  coalesced: boolean,
): Promise<number> {
  const prefix = `m${tokens}${coalesced}`;
  const store = createRedisStreamStore({ url: redisUrl, prefix });
  const meta = await store.create({ ownerNode: "bench", userId: "user-1" });
  const perFrame = coalesced ? 10 : 1;
  let offset = 0;
  for (let i = 0; i < tokens; i += perFrame) {
    const content = "token ".repeat(Math.min(perFrame, tokens - i));
    const frame = `{"type":"chunk","requestId":"r-0123456789","seq":${offset + 1},"content":"${content}","streamId":"${meta.streamId}","offset":${offset + 1}}`;
    await store.append(meta.streamId, { offset: ++offset, frame });
  }
  await store.end(meta.streamId, { offset: ++offset, frame: '{"type":"stream_complete"}' });
  const redis = createClient({ url: redisUrl });
  await redis.connect();
  const base = `${prefix}:{s:${meta.streamId}}`;
  const sizes = await Promise.all(
    [`${base}:log`, `${base}:meta`].map((key) => redis.memoryUsage(key)),
  );
  await redis.close();
  await store.close();
  return sizes.reduce((sum: number, size) => sum + Number(size ?? 0), 0);
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();

async function main() {
  const redis = await startRedis();
  try {
    const cpu: Record<Mode, number[]> = { plain: [], memory: [], redis: [], "redis-5ms": [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of Object.keys(cpu) as Mode[])
        cpu[mode].push(await cpuPerToken(mode, redis.url));
    }
    const plain = median(cpu.plain);
    console.log(
      `CPU per token (${STREAMS} streams × ${TOKENS} tokens, one frame per token, median of ${ROUNDS}):`,
    );
    for (const mode of Object.keys(cpu) as Mode[]) {
      const value = median(cpu[mode]);
      console.log(
        `  ${mode.padEnd(7)} ${value.toFixed(1)} µs   ${(value / plain).toFixed(2)}× plain`,
      );
    }
    console.log(`Resume catch-up, ${BACKLOG}-frame backlog (median of ${ROUNDS}):`);
    for (const mode of ["memory", "redis"] as const) {
      const times: number[] = [];
      for (let round = 0; round < ROUNDS; round++) times.push(await catchUp(mode, redis.url));
      console.log(`  ${mode.padEnd(7)} ${median(times).toFixed(1)} ms`);
    }
    console.log("Redis memory per finished stream (MEMORY USAGE, log + meta):");
    for (const [tokens, coalesced] of [
      [500, false],
      [500, true],
      [2000, false],
    ] as const) {
      const bytes = await redisBytes(redis.url, tokens, coalesced);
      const frames = coalesced ? tokens / 10 : tokens;
      console.log(
        `  ${tokens} tokens in ${frames} frames: ${bytes} B (${(bytes / frames).toFixed(0)} B/frame)`,
      );
    }
  } finally {
    await redis.stop();
  }
}
