/**
 * The rows of each hostile script's table: every figure the closing note of issue 8 quotes.
 */
import { formatNumber } from "../report/format.ts";
import type { ChurnResult } from "./churn.ts";
import type { FloodResult, Latency } from "./flood.ts";
import type { FuzzResult } from "./fuzz.ts";
import { formatCounts, mib, ms, type Row } from "./report.ts";
import type { MemoryFigures, ServerLog } from "./target.ts";

const n = (value: number) => formatNumber(value, 0);
const yes = (value: boolean) => (value ? "yes" : "NO");
const seconds = (value: number) => formatNumber(value / 1000, 1);

function memoryRows<R extends { memory: MemoryFigures; serverLog: ServerLog }>(
  heap: boolean,
): Row<R>[] {
  const rows: Row<R>[] = [
    [
      "server log lines (kB)",
      (r) => `${n(r.serverLog.lines)} (${formatNumber(r.serverLog.bytes / 1000, 1)})`,
    ],
    ["server RSS before (MiB)", (r) => mib(r.memory.rssBefore)],
    ["server RSS peak (MiB)", (r) => mib(r.memory.rssPeak)],
    ["server RSS after, GC'd (MiB)", (r) => mib(r.memory.rssAfter)],
  ];
  if (!heap) return rows;
  return [
    ...rows,
    ["heap before, GC'd (MiB)", (r) => mib(r.memory.heapBefore)],
    ["heap after, GC'd (MiB)", (r) => mib(r.memory.heapAfter)],
  ];
}

/** The fuzz script's rows. */
export const FUZZ_ROWS: Row<FuzzResult>[] = [
  ["hostile frames sent", (r) => n(r.frames)],
  ["duration (s)", (r) => seconds(r.durationMs)],
  ["error frames received", (r) => n(Object.values(r.errorsByCode).reduce((a, b) => a + b, 0))],
  [
    "closes (invalid UTF-8, too big)",
    (r) => n(Object.values(r.closesByCode).reduce((a, b) => a + b, 0)),
  ],
  ["unexpected closes", (r) => n(r.unexpectedCloses.length)],
  ["crashes", (r) => (r.crashed ? "1" : "0")],
  ["healthy streams", (r) => n(r.healthyStreams)],
  ["healthy stream intact", (r) => yes(r.healthyIntact)],
  ["Object.prototype clean", (r) => yes(r.prototypeKeys.length === 0)],
  [
    "connections / upstream calls left",
    (r) => `${n(r.leftoverConnections)} / ${n(r.leftoverStreams)}`,
  ],
  ...memoryRows<FuzzResult>(false),
];

/** The fuzz script's breakdowns, one line each, too long for the table. */
export function fuzzDetails(result: FuzzResult): string[] {
  return [
    `${result.framework} frames sent by kind: ${formatCounts(result.sentByKind)}`,
    `${result.framework} error frames by code: ${formatCounts(result.errorsByCode)}`,
    `${result.framework} other replies by type: ${formatCounts(result.repliesByType)}`,
    `${result.framework} closes by code: ${formatCounts(result.closesByCode)}`,
  ];
}

/** The churn script's rows. */
export const CHURN_ROWS: Row<ChurnResult>[] = [
  ["connect → stream → kill cycles", (r) => n(r.cycles)],
  ["duration (s)", (r) => seconds(r.durationMs)],
  ["killed mid-stream", (r) => n(r.killedMidStream)],
  ["failed cycles", (r) => n(r.failedCycles)],
  ["crashes", (r) => (r.crashed ? "1" : "0")],
  ["connections left", (r) => n(r.leftoverConnections)],
  ["streams started upstream", (r) => n(r.streamsStarted)],
  ["streams aborted upstream", (r) => n(r.streamsAborted)],
  ["streams still running", (r) => n(r.streamsActive)],
  ...memoryRows<ChurnResult>(true),
  [
    "heap growth per cycle (bytes)",
    (r) => n((r.memory.heapAfter - r.memory.heapBefore) / r.cycles),
  ],
];

const latency = (label: string, pick: (r: FloodResult) => Latency): Row<FloodResult>[] => [
  [`probe p50 ${label} (ms)`, (r) => ms(pick(r).p50, 2)],
  [`probe p99 ${label} (ms)`, (r) => ms(pick(r).p99, 2)],
  [`probe samples ${label}`, (r) => n(pick(r).samples)],
];

/** The flood script's rows. */
export const FLOOD_ROWS: Row<FloodResult>[] = [
  ["generate frames to send", (r) => n(r.frames)],
  ["frames sent before a close or stall", (r) => n(r.framesSent)],
  ["flood duration (s)", (r) => seconds(r.durationMs)],
  ["flood connection end", (r) => r.floodEnd],
  // NaN: the server read the whole flood and kept the connection.
  [
    "server dropped it after (s)",
    (r) => (Number.isNaN(r.droppedAfterMs) ? "not dropped" : seconds(r.droppedAfterMs)),
  ],
  ["generate calls reaching the backend", (r) => n(r.generateStarted)],
  ["most backend calls at once", (r) => n(r.generatePeakActive)],
  ["crashes", (r) => (r.crashed ? "1" : "0")],
  ...latency("idle", (r) => r.idle),
  ...latency("under flood", (r) => r.flood),
  ["flood got bytes out for (s)", (r) => seconds(r.takenForMs)],
  ...latency("while it did", (r) => r.whileTaken),
  ...latency("in its first second", (r) => r.firstSecond),
  ["server CPU in the flood's first 2 s (ms)", (r) => n(r.serverCpuMs)],
  ["probe streams broken", (r) => n(r.probeBroken)],
  ...memoryRows<FloodResult>(false),
];
