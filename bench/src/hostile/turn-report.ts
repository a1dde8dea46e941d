/**
 * The flood script's view of the server's long turns (only with `HOSTILE_TURNS=1`, see
 * turn-monitor.ts): which gaps of the server's event loop fell in the flood, how much of each
 * the server spent on the CPU and in GC, and which of them the probe's late samples waited on.
 */
import { appendFileSync } from "node:fs";
import { hrMs, TURNS_ROUTE, type TurnReport } from "./turn-monitor.ts";

/** Whether the flood script asks the server for its turns. */
export const turnsWanted = (): boolean => process.env.HOSTILE_TURNS === "1";

/** Starts the server's turn monitor, or stops it and takes its record of long turns. */
export async function takeTurns(port: number): Promise<TurnReport> {
  const response = await fetch(`http://127.0.0.1:${port}${TURNS_ROUTE}`);
  return (await response.json()) as TurnReport;
}

/** `performance.now()` of this process to `process.hrtime` in ms. */
const perfToHr = (): number => hrMs() - performance.now();

const fmt = (ms: number) => ms.toFixed(1);

/**
 * Prints the turns from `started` (this process's `performance.now()`) over `windowMs`, the
 * longest first, and for each probe sample later than `lateMs` the turns it overlapped.
 */
export function printTurns(
  report: TurnReport,
  probe: { sentAt: number[]; latencies: number[] },
  window: { started: number; windowMs: number; lateMs: number },
  log: (line: string) => void,
): void {
  const offset = perfToHr();
  const from = window.started + offset;
  const to = from + window.windowMs;
  const turns = report.turns.filter((t) => t.at + t.ms > from && t.at < to);
  // For matching against a `--cpu-prof` of the server (its timestamps are the same clock, in µs).
  const dump = process.env.HOSTILE_TURNS_DUMP;
  if (dump) appendFileSync(dump, JSON.stringify({ from, to, ...report }) + "\n");
  const gcIn = (at: number, ms: number) =>
    report.gc.filter((g) => g.at < at + ms && g.at + g.ms > at).reduce((sum, g) => sum + g.ms, 0);
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const gcMs = sum(report.gc.filter((g) => g.at > from && g.at < to).map((g) => g.ms));
  log(
    `  server turns ≥ 3 ms over the flood's ${fmt(window.windowMs)} ms: ${turns.length}, ` +
      `${fmt(sum(turns.map((t) => t.ms)))} ms (CPU ${fmt(sum(turns.map((t) => t.cpuMs)))} ms); ` +
      `GC ${fmt(gcMs)} ms in ${report.gc.filter((g) => g.at > from && g.at < to).length} pauses`,
  );
  for (const t of [...turns].sort((a, b) => b.ms - a.ms).slice(0, 8))
    log(
      `    at +${fmt(t.at - from)} ms: ${fmt(t.ms)} ms, CPU ${fmt(t.cpuMs)}, GC ${fmt(gcIn(t.at, t.ms))}`,
    );
  const late = probe.latencies
    .map((latency, i) => ({ latency, sent: probe.sentAt[i]! + offset }))
    .filter((s) => s.latency > window.lateMs && s.sent >= from - 100);
  for (const s of late) {
    const over = report.turns.filter((t) => t.at < s.sent + s.latency && t.at + t.ms > s.sent);
    log(
      `    late probe sample sent +${fmt(s.sent - from)} ms: ${fmt(s.latency)} ms; ` +
        `server turns in it ${fmt(sum(over.map((t) => t.ms)))} ms ` +
        `(CPU ${fmt(sum(over.map((t) => t.cpuMs)))})`,
    );
  }
}
