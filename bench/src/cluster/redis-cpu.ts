/**
 * The CPU time a `redis-server` has used, read from /proc (Linux), so the cluster scenario can
 * count what Redis spends on each system's fan-out beside what the instances spend.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Kernel clock ticks per second (`getconf CLK_TCK`; 100 on every Linux Node runs on). */
const TICKS_PER_SECOND = 100;

/** The pid of the `redis-server` listening on `port` (it names its port in its title). */
export function redisPid(port: number): number | undefined {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (cmdline.startsWith("redis-server") && cmdline.includes(`:${port}`)) return Number(entry);
    } catch {
      // The process went away while we looked.
    }
  }
  return undefined;
}

/** User + system CPU of `pid` in µs (NaN when unknown). */
export function processCpuMicros(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command (which may hold spaces) start after the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
  return (ticks / TICKS_PER_SECOND) * 1e6;
}
