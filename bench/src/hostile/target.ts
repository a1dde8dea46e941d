/**
 * The server under attack, as the scripts see it: the hostile server in its own process, its
 * resident memory read from /proc by this process (so a server too busy to answer IPC is still
 * measured), its connection count from `/api/health/websocket`, its upstream counters, and
 * whether it crashed.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Framework } from "@agentsocket/server";
import { startServer, type ServerProcess } from "../server-process.ts";
import { waitUntil, withTimeout } from "../timeout.ts";
import type { ServerProfile } from "./server-profile.ts";
import { UPSTREAM_ROUTE, type UpstreamReport } from "./upstream-counter.ts";

/** Server memory figures of one script, in bytes. */
export interface MemoryFigures {
  rssBefore: number;
  rssPeak: number;
  rssAfter: number;
  /** V8 heap in use after a full GC. */
  heapBefore: number;
  heapAfter: number;
}

/** What a server wrote to stdout and stderr. */
export interface ServerLog {
  lines: number;
  bytes: number;
  /** The first line, as a sample. */
  first?: string;
}

/** The figures of a server that crashed before they could be read. */
export const UNMEASURED: MemoryFigures = {
  rssBefore: NaN,
  rssPeak: NaN,
  rssAfter: NaN,
  heapBefore: NaN,
  heapAfter: NaN,
};

/** A running hostile server. */
export interface Target {
  readonly framework: Framework;
  readonly port: number;
  readonly server: ServerProcess;
  /** Starts the memory window: GC, then record RSS and heap; resets the kernel's peak. */
  markBefore(): Promise<void>;
  /** Ends it: GC, then the figures since {@link Target.markBefore}. */
  memory(): Promise<MemoryFigures>;
  /** Open WebSocket connections, as `/api/health/websocket` reports them. */
  connections(): Promise<number>;
  upstream(): Promise<UpstreamReport>;
  /** CPU time the server process has used (user + system), in ms, from /proc (10 ms steps). */
  cpuMs(): number;
  /**
   * Waits up to `timeout` ms for the server to hold no connection and run no upstream call (it
   * sees each close a moment after the client), then reports what it still holds.
   */
  leftovers(timeout?: number): Promise<{ connections: number; upstream: UpstreamReport }>;
  /** Lines the server wrote to stdout and stderr, and the first of them. */
  logs(): ServerLog;
  /** Whether the server process exited before `stop()` (a crash). */
  crashed(): boolean;
  stop(): Promise<void>;
}

const ENTRY = fileURLToPath(new URL("./hostile-server.ts", import.meta.url));
const SAMPLE_MS = 20;

/** Reads a `kB` field of /proc/<pid>/status, in bytes; undefined where unreadable. */
function procStatus(pid: number, field: "VmRSS" | "VmHWM"): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/** utime + stime of /proc/<pid>/stat, in ms (NaN where unreadable); the kernel counts 100 Hz ticks. */
function procCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10; // fields 14 and 15 of proc(5)
  } catch {
    return NaN;
  }
}

/**
 * Starts the hostile server on `framework` with the demo agent at `tokensPerSecond`, configured
 * beyond the defaults by `profile` if given.
 * @throws {Error} when it does not listen in time.
 */
export async function startTarget(
  framework: Framework,
  tokensPerSecond: number,
  profile?: ServerProfile,
): Promise<Target> {
  const logs: ServerLog = { lines: 0, bytes: 0 };
  const server = await startServer(framework, {
    entry: {
      file: ENTRY,
      args: [framework, String(tokensPerSecond), ...(profile ? [JSON.stringify(profile)] : [])],
    },
    onOutput: (text) => {
      logs.lines += text.split("\n").length - 1;
      logs.bytes += Buffer.byteLength(text);
      logs.first ??= text.split("\n", 1)[0];
    },
  });
  const base = `http://127.0.0.1:${server.port}`;
  const getJson = async <T>(path: string): Promise<T> => {
    const response = await withTimeout(fetch(`${base}${path}`), 10_000, `GET ${path}`);
    if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status}`);
    return (await response.json()) as T;
  };
  const connections = async () =>
    (await getJson<{ connections: { total: number } }>("/api/health/websocket")).connections.total;
  const upstream = () => getJson<UpstreamReport>(UPSTREAM_ROUTE);

  let crashedBeforeStop: boolean | undefined;
  let before = { rss: 0, heapUsed: 0 };
  let sampledPeak = 0;
  // Sampled as well as read from VmHWM: the kernel's peak cannot always be reset.
  const sampler = setInterval(() => {
    sampledPeak = Math.max(sampledPeak, procStatus(server.pid, "VmRSS") ?? 0);
  }, SAMPLE_MS);
  sampler.unref();
  let hwmReset = false;

  return {
    framework,
    port: server.port,
    server,
    async markBefore() {
      before = await server.stats(true);
      try {
        writeFileSync(`/proc/${server.pid}/clear_refs`, "5"); // resets VmHWM (Linux ≥ 4.0)
        hwmReset = true;
      } catch {
        hwmReset = false;
      }
      sampledPeak = before.rss;
    },
    async memory() {
      const peak = Math.max(sampledPeak, (hwmReset && procStatus(server.pid, "VmHWM")) || 0);
      const after = await server.stats(true);
      return {
        rssBefore: before.rss,
        rssPeak: Math.max(peak, after.rss),
        rssAfter: after.rss,
        heapBefore: before.heapUsed,
        heapAfter: after.heapUsed,
      };
    },
    connections,
    upstream,
    cpuMs: () => procCpuMs(server.pid),
    async leftovers(timeout = 10_000) {
      const idle = async () => {
        const { stream, generate } = await upstream();
        return (await connections()) === 0 && stream.active === 0 && generate.active === 0;
      };
      await waitUntil(idle, timeout, "server settle", 20).catch(() => {});
      return { connections: await connections(), upstream: await upstream() };
    },
    logs: () => ({ ...logs }),
    crashed: () => crashedBeforeStop ?? !server.running(),
    async stop() {
      crashedBeforeStop ??= !server.running();
      clearInterval(sampler);
      await server.stop();
    },
  };
}
