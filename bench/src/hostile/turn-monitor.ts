/**
 * An investigation aid of the hostile server, on only with `HOSTILE_TURNS=1`: the server's long
 * event-loop turns, as the gaps of a 1 ms timer chain (a gap is a turn, or several, that kept
 * the loop), each with the process CPU time it used (a gap the process did not spend on the CPU
 * is the machine's, not the server's) and the GC pauses in it. Times are `process.hrtime` in ms,
 * the clock the bench reads too, so the flood script can line turns up with its probe samples.
 */
import { PerformanceObserver, type PerformanceEntry } from "node:perf_hooks";

/** The path of the turns route (only served with `HOSTILE_TURNS=1`). */
export const TURNS_ROUTE = "/__hostile/turns";
/** Gaps of the timer chain at least this long are recorded, in ms. */
const LONG_MS = 3;

/** One long gap of the server's event loop. */
export interface Turn {
  /** Start, `process.hrtime` in ms. */
  at: number;
  ms: number;
  /** Process CPU time (user + system, every thread) over the gap. */
  cpuMs: number;
}

/** One GC pause. */
export interface GcPause {
  at: number;
  ms: number;
  kind: number;
}

/** What the turns route answers (and then forgets). */
export interface TurnReport {
  turns: Turn[];
  gc: GcPause[];
}

/** `process.hrtime` in ms. */
export const hrMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/**
 * The monitor, off until the first call of the returned function; each call after that takes
 * (and clears) the report and stops it, the next starts it again: it runs only over the window
 * the script asks about (its 1 ms timer would cost the server CPU time outside it too).
 */
export function turnMonitor(): () => TurnReport {
  let report: TurnReport = { turns: [], gc: [] };
  let running = false;
  const perfToHr = hrMs() - performance.now();
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as (PerformanceEntry & { detail?: { kind: number } })[])
      report.gc.push({
        at: entry.startTime + perfToHr,
        ms: entry.duration,
        kind: entry.detail?.kind ?? 0,
      });
  });
  let last = 0;
  let lastCpu = process.cpuUsage();
  const tick = () => {
    if (!running) return;
    const now = hrMs();
    const cpu = process.cpuUsage();
    if (now - last >= LONG_MS) {
      const cpuMs = (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000;
      report.turns.push({ at: last, ms: now - last, cpuMs });
    }
    last = now;
    lastCpu = cpu;
    setTimeout(tick, 1).unref();
  };
  return () => {
    const taken = report;
    report = { turns: [], gc: [] };
    running = !running;
    if (running) {
      observer.observe({ entryTypes: ["gc"] });
      [last, lastCpu] = [hrMs(), process.cpuUsage()];
      setTimeout(tick, 1).unref();
    } else observer.disconnect();
    return taken;
  };
}
