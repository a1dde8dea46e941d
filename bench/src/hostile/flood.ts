/**
 * The flood script: one connection sends `generate` frames as fast as the server takes them and
 * never reads a reply, while a probe client streams beside it. Measures the probe's latency idle
 * first, then under the flood, and the server's RSS throughout. The demo agent runs unpaced, so
 * what piles up is the server's own queueing, not the demo's timers, and the probe's latency is
 * the server's, not the demo's pacing.
 */
import type { Framework } from "@agentsocket/server";
import { percentile } from "../statistics.ts";
import { waitUntil } from "../timeout.ts";
import { HEALTHY_PROMPT, demoAnswer } from "./demo-answer.ts";
import {
  startTarget,
  UNMEASURED,
  type MemoryFigures,
  type ServerLog,
  type Target,
} from "./target.ts";
import { startFlooder } from "./flood-client.ts";
import { watchHealthyStreams } from "./healthy-streams.ts";
import { WireClient } from "./wire-client.ts";
import { printTurns, takeTurns, turnsWanted } from "./turn-report.ts";

/** Options of {@link runFlood}. */
export interface FloodOptions {
  framework: Framework;
  /** `generate` frames the flooding connection sends. */
  frames: number;
  /** Milliseconds of idle probing before the flood. */
  idleMs: number;
  /** The flooding process's priority (0–19). @default 0 */
  nice?: number;
  log(message: string): void;
}

/** Latency of the probe's chunks (from its request to each chunk), in ms. */
export interface Latency {
  p50: number;
  p99: number;
  samples: number;
}

/** What the flood script measured. */
export interface FloodResult {
  framework: Framework;
  frames: number;
  /** Frames the flooding client got onto the wire before the server closed or stopped reading. */
  framesSent: number;
  durationMs: number;
  /** How the flooding connection ended: its close code, or "open" when the server kept it. */
  floodEnd: string;
  /** Milliseconds from the flood's start to the server dropping the connection (NaN: kept). */
  droppedAfterMs: number;
  generateStarted: number;
  generatePeakActive: number;
  idle: Latency;
  flood: Latency;
  /**
   * Milliseconds from the flood's start until the flooding client last got bytes out (its queue
   * shrank) or found the connection dropped: the flood proper, without the wait for a stall.
   */
  takenForMs: number;
  /** The probe's latency over the streams it requested within {@link FloodResult.takenForMs}. */
  whileTaken: Latency;
  /** The probe's latency over the streams it requested in the flood's first second. */
  firstSecond: Latency;
  /** CPU time the server used over the flood's first {@link CPU_WINDOW_MS}, in ms. */
  serverCpuMs: number;
  /** Probe streams that ended other than complete, in order and with the demo's text. */
  probeBroken: number;
  crashed: boolean;
  memory: MemoryFigures;
  /** What the server logged over the run. */
  serverLog: ServerLog;
}

/** The window of {@link FloodResult.serverCpuMs}: the flood proper and its aftermath. */
export const CPU_WINDOW_MS = 2000;
/** The upstream counters did not move for this long: the server has handled every frame. */
const QUIET_MS = 3_000;
/** The probe streams every 10 ms; under today's flood one stream can take many seconds. */
const PROBE = { gapMs: 10, timeout: 120_000 };

const latencyOf = (samples: number[]): Latency => {
  const sorted = Float64Array.from(samples).sort();
  return {
    p50: percentile(sorted, 50, true),
    p99: percentile(sorted, 99, true),
    samples: samples.length,
  };
};

/**
 * Waits until the server has handled the flood: every frame reached the backend and returned,
 * or the flooding connection is gone, or (a server that refuses without calling the backend)
 * the counters stood still for {@link QUIET_MS}. Resolves with when they last moved.
 */
async function handled(
  target: Target,
  sent: number,
  floodGone: () => Promise<boolean>,
  timeout: number,
) {
  let last = -1;
  let since = performance.now();
  let done = false;
  await waitUntil(
    async () => {
      const { generate } = await target.upstream();
      if (generate.started !== last || generate.active > 0) {
        last = generate.started;
        since = performance.now();
      }
      done = (generate.started >= sent && generate.active === 0) || (await floodGone());
      return done || performance.now() - since >= QUIET_MS;
    },
    timeout,
    "flood settle",
    100,
  ).catch(() => {});
  return done ? performance.now() : since;
}

/** Runs the flood script on one framework; `timeout` bounds the flood phase. */
export async function runFlood(options: FloodOptions, timeout = 120_000): Promise<FloodResult> {
  const { framework, frames, idleMs, log, nice = 0 } = options;
  const expected = await demoAnswer(HEALTHY_PROMPT);
  const target = await startTarget(framework, 0);
  try {
    const probe = await WireClient.connect(target.port);
    for (let i = 0; i < 20; i++) await probe.stream(HEALTHY_PROMPT); // warm-up
    // And the routes polled during the flood: the server's first HTTP answer loads modules
    // (Node 20's `Response` loads undici: 100–300 ms of the loop), which is not the flood's doing.
    await Promise.all([target.connections(), target.upstream()]);
    await target.markBefore();
    const idleProbe = watchHealthyStreams(probe, expected, PROBE);
    await new Promise((resolve) => setTimeout(resolve, idleMs));
    const idle = await idleProbe.stop();
    log(
      `flood ${framework}: ${frames.toLocaleString("en-US")} generate frames, never read${nice ? `, flooder at nice ${nice}` : ""}`,
    );

    const floodGone = async () => (await target.connections()) < 2; // the probe and the flooder
    if (turnsWanted()) await takeTurns(target.port);
    const floodStart = performance.now();
    const flooder = startFlooder(target.port, frames, nice);
    await flooder.flooding;
    const underFlood = watchHealthyStreams(probe, expected, PROBE);
    const started = performance.now();
    const cpuAtStart = target.cpuMs();
    const cpuWindow = new Promise<number>((resolve) =>
      setTimeout(() => resolve(target.cpuMs() - cpuAtStart), CPU_WINDOW_MS),
    );
    let watching = true;
    let droppedAfterMs = NaN;
    const dropped = waitUntil(async () => !watching || (await floodGone()), timeout, "drop", 100)
      .then(() => watching && (droppedAfterMs = performance.now() - started))
      .catch(() => {});
    const framesSent = await flooder.sent;
    const takenUntil = await flooder.takenUntil;
    const durationMs = (await handled(target, framesSent, floodGone, timeout)) - started;
    const loaded = await underFlood.stop();
    if (turnsWanted()) {
      const idleLatency = latencyOf(idle.latencies);
      const windowMs = takenUntil - floodStart + 50;
      const window = { started: floodStart, windowMs, lateMs: idleLatency.p99 + 5 };
      printTurns(await takeTurns(target.port), loaded, window, log);
    }
    watching = false;
    await dropped;
    const { generate } = await target.upstream();
    // Closed by the server: what it queued is bounded, so read it to learn the close code.
    const gone = await floodGone();
    const closeCode = await flooder.end(gone);
    const floodEnd = gone ? String(closeCode ?? "no close frame") : "open";
    probe.socket.close(1000);
    await target.leftovers();
    const crashed = target.crashed();
    return {
      framework,
      frames,
      framesSent,
      durationMs,
      floodEnd,
      droppedAfterMs,
      generateStarted: generate.started,
      generatePeakActive: generate.peakActive,
      idle: latencyOf(idle.latencies),
      flood: latencyOf(loaded.latencies),
      takenForMs: takenUntil - started,
      whileTaken: latencyOf(loaded.latencies.filter((_, i) => loaded.sentAt[i]! <= takenUntil)),
      firstSecond: latencyOf(
        loaded.latencies.filter((_, i) => loaded.sentAt[i]! <= started + 1000),
      ),
      serverCpuMs: await cpuWindow,
      probeBroken: idle.broken + loaded.broken,
      crashed,
      memory: crashed ? UNMEASURED : await target.memory(),
      serverLog: target.logs(),
    };
  } finally {
    await target.stop();
  }
}
