/**
 * Session resume on a real Hono server with real `ws` clients: how long a `session_resume` takes
 * from the request to the last kept frame, for a backlog of 1,000 room frames (~60 bytes each),
 * and the heap a parked session holding such a backlog costs. Run with
 * `pnpm --filter @agentsocket/bench run sessions`; prints the figures.
 */
import { WebSocket } from "ws";
import { connect, createTestBackend, type TestClient } from "@agentsocket/core/testing";
import { createServer } from "@agentsocket/server";

const BACKLOG = 1000;
const RUNS = 20;
const PARKED = 200;

const server = await createServer(createTestBackend(), {
  framework: "hono",
  config: {
    port: 0,
    host: "127.0.0.1",
    websocket: { pingInterval: 0, sessions: { maxFrames: BACKLOG, ttlMs: 600_000 } },
  },
});
await server.start();
const manager = server.websocket;
const url = `ws://127.0.0.1:${server.port}/ws`;

async function park(room: string): Promise<string> {
  const client = await connect(WebSocket, url);
  const connected = await client.ofType("connected");
  const id = connected.connectionId as string;
  manager.joinRoom(id, room);
  client.socket.terminate();
  while (manager.getConnection(id) !== undefined) await new Promise((r) => setTimeout(r, 1));
  return connected.resumeToken as string;
}

const fill = (room: string) => {
  for (let n = 0; n < BACKLOG; n++)
    manager.broadcastToRoom(room, { type: "note", room, n, text: "a room message of some length" });
};

const times: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const room = `r${run}`;
  const token = await park(room);
  fill(room);
  const client: TestClient = await connect(WebSocket, url);
  await client.ofType("connected");
  const started = performance.now();
  client.send({ type: "session_resume", payload: { token } });
  await client.frame((f) => f.type === "note" && f.n === BACKLOG - 1, "the backlog", 30_000);
  times.push(performance.now() - started);
  client.socket.terminate();
}
times.sort((a, b) => a - b);
const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
console.log(
  `resume with ${BACKLOG} kept frames: median ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms (${RUNS} runs)`,
);

globalThis.gc?.();
const before = process.memoryUsage().heapUsed;
for (let i = 0; i < PARKED; i++) {
  await park(`m${i}`);
  fill(`m${i}`);
}
globalThis.gc?.();
const perSession = (process.memoryUsage().heapUsed - before) / PARKED;
console.log(
  `heap per parked session with ${BACKLOG} kept frames: ${(perSession / 1024).toFixed(0)} KiB` +
    (globalThis.gc ? "" : " (run with --expose-gc for a steadier figure)"),
);
await server.stop();
