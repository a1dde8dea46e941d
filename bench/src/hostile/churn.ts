/**
 * The churn script: connect → stream → kill, over and over. Each cycle opens a connection, asks
 * for a stream, and terminates the socket (no closing handshake) as soon as the first chunk
 * arrives. Afterwards the server must hold no connection and no stream, every stream must have
 * been aborted upstream, and the heap after a full GC must be where it was before.
 */
import type { Framework } from "@agentsocket/server";
import { mapLimit } from "../clients/connect.ts";
import { HEALTHY_PROMPT } from "./demo-answer.ts";
import { startTarget, UNMEASURED, type MemoryFigures, type ServerLog } from "./target.ts";
import { WireClient } from "./wire-client.ts";

/** Options of {@link runChurn}. */
export interface ChurnOptions {
  framework: Framework;
  cycles: number;
  /** Cycles running at once. */
  concurrency: number;
  log(message: string): void;
}

/** What the churn script measured. */
export interface ChurnResult {
  framework: Framework;
  cycles: number;
  durationMs: number;
  /** Cycles whose socket was killed after a chunk and before the stream's end. */
  killedMidStream: number;
  /** Cycles that went wrong (refused handshake, no chunk, stream over before the kill). */
  failedCycles: number;
  firstFailure?: string;
  crashed: boolean;
  leftoverConnections: number;
  /** Streams that reached the backend during the measured cycles, aborted, and still running. */
  streamsStarted: number;
  streamsAborted: number;
  streamsActive: number;
  memory: MemoryFigures;
  /** What the server logged over the run. */
  serverLog: ServerLog;
}

/** The demo agent's default rate: its answer streams for ~2.5 s, so every kill is mid-stream. */
const TOKENS_PER_SECOND = 40;
const WARM_UP_CYCLES = 50;

/** One cycle: resolves once the socket was killed mid-stream, rejects when that failed. */
async function cycle(port: number): Promise<void> {
  const client = await WireClient.connect(port);
  let killed = false;
  try {
    const outcome = await client.stream(HEALTHY_PROMPT, {
      onChunk: () => {
        killed = true;
        client.socket.terminate();
      },
    });
    throw new Error(`stream ended ${outcome.status} before the kill`);
  } catch (error) {
    // The stream's promise rejects when the socket closes: that is the kill working.
    if (!killed) throw error;
  } finally {
    client.socket.terminate();
  }
}

/** Runs the churn script on one framework. */
export async function runChurn(options: ChurnOptions): Promise<ChurnResult> {
  const { framework, cycles, concurrency, log } = options;
  const target = await startTarget(framework, TOKENS_PER_SECOND);
  let failedCycles = 0;
  let firstFailure: string | undefined;
  const run = (count: number) =>
    mapLimit(count, concurrency, () =>
      cycle(target.port).then(
        () => 1,
        (error: unknown) => {
          failedCycles++;
          firstFailure ??= String(error);
          return 0;
        },
      ),
    );
  try {
    await run(Math.min(WARM_UP_CYCLES, cycles));
    const before = (await target.leftovers()).upstream;
    await target.markBefore();
    failedCycles = 0;
    firstFailure = undefined;
    log(`churn ${framework}: ${cycles.toLocaleString("en-US")} cycles, ${concurrency} at a time`);

    const started = performance.now();
    const killed = await run(cycles);
    const durationMs = performance.now() - started;
    const crashed = target.crashed();
    const measured = {
      framework,
      cycles,
      durationMs,
      killedMidStream: killed.reduce((sum: number, n) => sum + n, 0),
      failedCycles,
      ...(firstFailure ? { firstFailure } : {}),
      crashed,
    };
    if (crashed) {
      const unread = { leftoverConnections: NaN, streamsStarted: NaN, streamsAborted: NaN };
      const serverLog = target.logs();
      return { ...measured, ...unread, streamsActive: NaN, memory: UNMEASURED, serverLog };
    }
    const { connections: leftoverConnections, upstream: after } = await target.leftovers();
    return {
      ...measured,
      leftoverConnections,
      streamsStarted: after.stream.started - before.stream.started,
      streamsAborted: after.stream.aborted - before.stream.aborted,
      streamsActive: after.stream.active,
      memory: await target.memory(),
      serverLog: target.logs(),
    };
  } finally {
    await target.stop();
  }
}
