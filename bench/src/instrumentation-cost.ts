/**
 * What the Prometheus metrics cost on the send path (issue 13): CPU per sent frame and per
 * streamed token (one chunk frame each, coalescing off) through a real manager's connection, with
 * `createPrometheusMetrics(manager)` and without, in one process so machine noise hits both
 * alike. Run with `pnpm --filter @agentsocket/bench run instrumentation`; docs/metrics.md quotes it.
 */
import { WebSocketConnectionManager, type SocketLike } from "@agentsocket/core";
import { createStreamingChannel } from "@agentsocket/core/streaming";
import { createPrometheusMetrics } from "@agentsocket/server";

const FRAMES = 400_000;
const ROUNDS = 7;
const FRAME = JSON.stringify({ type: "chunk", requestId: "r1", seq: 1, content: "hello world " });

const sink: SocketLike = {
  send() {},
  close() {},
  readyState: 1,
  bufferedAmount: 0,
};

async function connectionOf(metrics: boolean) {
  const manager = new WebSocketConnectionManager({ pingInterval: 0, systemFrames: false });
  if (metrics) createPrometheusMetrics(manager, { defaultMetrics: false });
  manager.registerHandler("/ws", {});
  const decision = await manager.authorizeUpgrade({ url: "/ws", headers: {} });
  if (!decision.ok) throw decision.error;
  manager.accept(sink, decision);
  return manager.getAllConnections()[0]!;
}

/** Microseconds of CPU (user + system) `work` takes. */
async function cpu(work: () => Promise<void> | void): Promise<number> {
  const start = process.cpuUsage();
  await work();
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const results: Record<string, { frame: number[]; token: number[] }> = {
  off: { frame: [], token: [] },
  on: { frame: [], token: [] },
};
for (let round = 0; round < ROUNDS; round++) {
  for (const mode of ["off", "on"] as const) {
    const connection = await connectionOf(mode === "on");
    const frame = await cpu(() => {
      for (let i = 0; i < FRAMES; i++) connection.socket.send(FRAME);
    });
    const channel = createStreamingChannel(connection, { requestId: "r1", coalesce: false });
    const token = await cpu(() => {
      for (let i = 0; i < FRAMES; i++) channel.send("hello ");
    });
    channel.complete();
    results[mode]!.frame.push((frame * 1000) / FRAMES);
    results[mode]!.token.push((token * 1000) / FRAMES);
  }
}
const row = (mode: string) =>
  `| metrics ${mode.padEnd(3)} | ${median(results[mode]!.frame).toFixed(0).padStart(13)} | ${median(results[mode]!.token).toFixed(0).padStart(13)} |`;
console.log(`median of ${ROUNDS} rounds of ${FRAMES.toLocaleString("en")} frames / tokens\n`);
console.log("| send path   | ns CPU per frame | ns CPU per token |");
console.log("| :---------- | ------------: | ------------: |");
console.log(row("off"));
console.log(row("on"));
