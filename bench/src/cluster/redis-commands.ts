/**
 * What a bench's own `redis-server` did between two moments: commands by name (`INFO
 * commandstats`, which counts the commands scripts run as well as the scripts) and its CPU time
 * (`INFO cpu`, µs resolution). The scaling plan reads Redis operations per broadcast and per
 * resumable frame from these deltas.
 */
import { createClient } from "redis";

/** Commands the measuring connection itself sends, left out of every count. */
const OWN = new Set(["info", "hello", "client", "ping", "select", "command", "flushall", "scan"]);

/** Calls per command name, and Redis's CPU time in µs (user + system, all threads). */
export interface RedisSnapshot {
  calls: Record<string, number>;
  cpuMicros: number;
}

/** Reads `INFO commandstats` and `INFO cpu` text into a snapshot. */
export function parseRedisInfo(commandstats: string, cpu: string): RedisSnapshot {
  const calls: Record<string, number> = {};
  for (const match of commandstats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (!OWN.has(match[1]!)) calls[match[1]!] = Number(match[2]);
  }
  const seconds = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, "m").exec(cpu)?.[1]);
  return { calls, cpuMicros: (seconds("used_cpu_user") + seconds("used_cpu_sys")) * 1e6 };
}

/** What happened between two snapshots. */
export interface RedisDelta {
  /** Calls per command (only commands that ran). */
  calls: Record<string, number>;
  /** Every call counted, scripts and the commands they ran alike. */
  total: number;
  cpuMicros: number;
}

/** `after − before`. */
export function redisDelta(before: RedisSnapshot, after: RedisSnapshot): RedisDelta {
  const calls: Record<string, number> = {};
  let total = 0;
  for (const [name, count] of Object.entries(after.calls)) {
    const delta = count - (before.calls[name] ?? 0);
    if (delta > 0) [calls[name], total] = [delta, total + delta];
  }
  return { calls, total, cpuMicros: after.cpuMicros - before.cpuMicros };
}

/** A connection that takes snapshots of the Redis at `url`. */
export interface RedisMeter {
  snapshot(): Promise<RedisSnapshot>;
  /** Entries in every stream key matching `pattern` (the frames resumable streams logged). */
  streamEntries(pattern: string): Promise<number>;
  /** Empties the database (`FLUSHALL`), between measurements. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Connects a {@link RedisMeter} to `url`. */
export async function redisMeter(url: string): Promise<RedisMeter> {
  const client = createClient({ url });
  await client.connect();
  const info = async (section: string) => String(await client.sendCommand(["INFO", section]));
  return {
    snapshot: async () => parseRedisInfo(await info("commandstats"), await info("cpu")),
    async streamEntries(pattern) {
      let total = 0;
      for await (const keys of client.scanIterator({ MATCH: pattern, TYPE: "stream", COUNT: 500 }))
        for (const key of keys) total += Number(await client.sendCommand(["XLEN", key]));
      return total;
    },
    flush: async () => void (await client.sendCommand(["FLUSHALL"])),
    close: () => client.close(),
  };
}

/** `evalsha 1.00, xadd 1.00` — calls per `unit` of each command, most frequent first. */
export function describeCalls(delta: RedisDelta, units: number): string {
  return Object.entries(delta.calls)
    .sort((a, b) => b[1] - a[1])
    .map(([name, calls]) => `${name} ${(calls / units).toFixed(2)}`)
    .join(", ");
}
