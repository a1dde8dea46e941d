/**
 * What `rateLimit` costs on the hot path: nanoseconds per incoming frame through a manager's real
 * connection (over a socket that discards what it is sent), without a limit, with one that never
 * refuses, and with one that refuses every frame (the flood path, which answers each refusal).
 * Run with `pnpm --filter @agentsocket/bench run rate-limit`.
 */
import {
  WebSocketConnectionManager,
  type SocketLike,
  type WebSocketConfig,
} from "@agentsocket/core";

const FRAMES = Number(process.env.FRAMES ?? 500_000);
const frame = JSON.stringify({ type: "generate", requestId: "r-123", payload: { prompt: "hi" } });

function run(config: WebSocketConfig): number {
  const manager = new WebSocketConnectionManager({ ...config, pingInterval: 0 });
  manager.registerHandler("/ws", { onMessage: () => {} });
  const socket: SocketLike = {
    readyState: 1,
    bufferedAmount: 0,
    send: () => {},
    close: () => {},
  };
  const events = manager.accept(socket, { ok: true, path: "/ws" });
  const started = process.hrtime.bigint();
  for (let i = 0; i < FRAMES; i++) events.message(frame, false);
  const ns = Number(process.hrtime.bigint() - started) / FRAMES;
  events.close(1000, "");
  return ns;
}

const cases: Array<[string, WebSocketConfig]> = [
  ["no rateLimit", {}],
  ["rateLimit, never refusing", { rateLimit: { messagesPerSecond: 1e9, burst: 1e9 } }],
  [
    "rateLimit, refusing every frame",
    { rateLimit: { messagesPerSecond: 1e-6, burst: 1, maxRefusals: 1e12 } },
  ],
];
// Warm up every path once, then measure each three times and keep the median.
for (const [, config] of cases) run(config);
for (const [name, config] of cases) {
  const runs = [run(config), run(config), run(config)].sort((a, b) => a - b);
  console.log(`${name.padEnd(32)} ${runs[1]!.toFixed(0).padStart(5)} ns/frame`);
}
