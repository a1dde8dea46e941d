/**
 * What each hostile script requires of the server, and the bounds it holds it to. Each check
 * returns the invariants a result breaks (empty when it holds them all); the runner exits
 * non-zero when any does.
 */
import type { ChurnResult } from "./churn.ts";
import type { FloodResult } from "./flood.ts";
import type { FuzzResult } from "./fuzz.ts";
import { mib } from "./report.ts";
import type { MemoryFigures } from "./target.ts";

const MiB = 2 ** 20;

/**
 * Most any script may raise the server's RSS above where it started. Fuzz and churn load a few
 * connections at a time, each frame at most `maxMessageSize` (1 MiB), each client reading its
 * replies; the flood's one connection may hold at most its in-flight requests and its capped
 * unsent bytes (4 MiB). A server that frees what it handles stays within tens of MiB (+30 to
 * +60 measured); 128 MiB leaves V8's heap room to grow under load, yet an order of magnitude
 * below what an unbounded queue costs (the flood on a server without the caps: +1.6 to +2.4 GB;
 * 100,000 fuzz frames leaking a reply each: several hundred MiB).
 */
export const RSS_GROWTH_BOUND = 128 * MiB;

/**
 * Most the heap may grow over the churn (after a full GC on both sides): 10,000 cycles leaking
 * even 200 bytes each would show as 2 MiB.
 */
export const HEAP_GROWTH_BOUND = 2 * MiB;

/**
 * Latency is a target, reported MET or MISSED, not an invariant that fails the run: on a shared
 * machine a tail is mostly other processes' doing, and a gate on it would fail at random.
 * How much slower than idle the probe's median may be under the flood ("a few ms").
 */
export const LATENCY_MARGIN_MS = 5;

/**
 * How much slower than idle its p99 may be: the margin, or the idle p99 itself when that is
 * larger. A tail on a shared machine is mostly scheduling noise, which idle measures; a flood
 * that reaches other clients multiplies it (on today's main: seconds against tens of ms).
 */
export const p99Margin = (idleP99: number): number => Math.max(LATENCY_MARGIN_MS, idleP99);

function memoryFailures(memory: MemoryFigures, bound: number): string[] {
  const growth = memory.rssPeak - memory.rssBefore;
  if (!(growth <= bound)) {
    return [`server RSS peaked ${mib(growth)} MiB above its start (bound ${mib(bound)} MiB)`];
  }
  return [];
}

function common(result: { crashed: boolean; memory: MemoryFigures }, bound: number): string[] {
  if (result.crashed) return ["the server crashed"];
  return memoryFailures(result.memory, bound);
}

/** The fuzz script's invariants. */
export function fuzzFailures(result: FuzzResult): string[] {
  const failures = common(result, RSS_GROWTH_BOUND);
  if (result.crashed) return failures;
  if (!result.healthyIntact) failures.push(`healthy stream broken: ${result.healthyProblem}`);
  if (result.unexpectedCloses.length > 0) {
    failures.push(`unexpected closes: ${[...new Set(result.unexpectedCloses)].join("; ")}`);
  }
  const internal = result.errorsByCode.INTERNAL_ERROR ?? 0;
  if (internal > 0) failures.push(`${internal} INTERNAL_ERROR frames (hostile input hit a bug)`);
  if ((result.repliesByType.unparseable ?? 0) > 0) failures.push("the server sent non-JSON frames");
  if (result.prototypeKeys.length > 0) {
    failures.push(`Object.prototype polluted: ${result.prototypeKeys.join(", ")}`);
  }
  if (result.leftoverConnections !== 0) {
    failures.push(`${result.leftoverConnections} connections left after every client closed`);
  }
  if (result.leftoverStreams !== 0) failures.push(`${result.leftoverStreams} upstream calls left`);
  return failures;
}

/** The churn script's invariants. */
export function churnFailures(result: ChurnResult): string[] {
  const failures = common(result, RSS_GROWTH_BOUND);
  if (result.crashed) return failures;
  if (result.failedCycles > 0) {
    failures.push(`${result.failedCycles} cycles failed (first: ${result.firstFailure})`);
  }
  if (result.leftoverConnections !== 0) {
    failures.push(`${result.leftoverConnections} connections left open`);
  }
  if (result.streamsActive !== 0) failures.push(`${result.streamsActive} streams still running`);
  if (result.streamsStarted !== result.killedMidStream) {
    failures.push(`${result.streamsStarted} streams started for ${result.killedMidStream} kills`);
  }
  if (result.streamsAborted !== result.streamsStarted) {
    const missing = result.streamsStarted - result.streamsAborted;
    failures.push(`${missing} of ${result.streamsStarted} streams never aborted upstream`);
  }
  const growth = result.memory.heapAfter - result.memory.heapBefore;
  if (!(growth <= HEAP_GROWTH_BOUND)) {
    failures.push(`heap grew ${mib(growth)} MiB (bound ${mib(HEAP_GROWTH_BOUND)} MiB)`);
  }
  return failures;
}

/** The flood script's invariants. */
export function floodFailures(result: FloodResult): string[] {
  const failures = common(result, RSS_GROWTH_BOUND);
  if (result.crashed) return failures;
  if (result.probeBroken > 0) failures.push(`${result.probeBroken} probe streams broken`);
  return failures;
}

/** The flood's latency target: what it missed (empty when met). */
export function floodLatencyMisses(result: FloodResult): string[] {
  const misses: string[] = [];
  for (const p of ["p50", "p99"] as const) {
    const margin = p === "p50" ? LATENCY_MARGIN_MS : p99Margin(result.idle.p99);
    if (!(result.flood[p] - result.idle[p] <= margin)) {
      const [flood, idle] = [result.flood[p].toFixed(1), result.idle[p].toFixed(1)];
      misses.push(
        `probe ${p} ${flood} ms under the flood, ${idle} ms idle (margin ${margin.toFixed(1)} ms)`,
      );
    }
  }
  return misses;
}
