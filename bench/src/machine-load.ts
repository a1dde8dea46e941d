/**
 * How busy the rest of the machine was while the bench ran: CPU time of the whole system
 * (/proc/stat) minus the bench's own (this process and its reaped children, /proc/self/stat).
 * Numbers taken while something else runs are noisy; this says how much else ran. Linux only.
 */
import { readFileSync } from "node:fs";

interface Reading {
  /** user + nice + system of every CPU, in clock ticks. */
  system: number;
  /** utime + stime + cutime + cstime of this process, in clock ticks. */
  own: number;
  at: number;
}

function read(): Reading | undefined {
  try {
    const cpu = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!.split(/\s+/).slice(1);
    const [user, nice, system] = cpu.map(Number);
    const self = readFileSync("/proc/self/stat", "utf8");
    // Fields after the command name (which may hold spaces): state is field 3, utime field 14.
    const fields = self
      .slice(self.lastIndexOf(")") + 2)
      .split(" ")
      .map(Number);
    const own = fields[11]! + fields[12]! + fields[13]! + fields[14]!;
    return { system: user! + nice! + system!, own, at: performance.now() };
  } catch {
    return undefined;
  }
}

/**
 * Starts measuring; the returned function gives the average number of cores other processes
 * kept busy since, or undefined where /proc is missing. Call it after every server process has
 * exited (a child's CPU time is counted once the child is reaped).
 */
export function startLoadMeter(): () => number | undefined {
  const start = read();
  return () => {
    const end = read();
    if (!start || !end) return undefined;
    const ticksPerSecond = 100; // USER_HZ, 100 on every Linux architecture Node supports
    const seconds = (end.at - start.at) / 1000;
    const other = end.system - start.system - (end.own - start.own);
    return Math.max(0, other / ticksPerSecond / seconds);
  };
}
