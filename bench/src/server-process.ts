/**
 * Starts a server under test in its own process and talks to it over the fork IPC channel.
 * Every process started here is tracked and killed when the bench exits, whatever the reason.
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ControlCommand, ControlMessage, ServerStats } from "./control.ts";
import { epochNow } from "./fake-backend.ts";
import { withTimeout } from "./timeout.ts";

/** The servers under test. */
export const SERVER_KINDS = [
  "hono",
  "express",
  "fastify",
  "ws",
  "socketio",
  "socketio-agent",
] as const;
/** A server under test. */
export type ServerKind = (typeof SERVER_KINDS)[number];

/** Column titles of each server kind. */
export const SERVER_TITLES: Record<ServerKind, string> = {
  hono: "agentsocket hono",
  express: "agentsocket express",
  fastify: "agentsocket fastify",
  ws: "ws floor",
  socketio: "Socket.IO",
  "socketio-agent": "agentsocket on Socket.IO",
};

/** Whether a server kind speaks wire protocol v1 (everything but the Socket.IO ones). */
export const speaksWireProtocol = (kind: ServerKind): boolean =>
  kind !== "socketio" && kind !== "socketio-agent";

const live = new Set<ChildProcess>();
const killAll = () => {
  for (const child of live) child.kill("SIGKILL");
};
process.on("exit", killAll);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

/** Options of {@link startServer}. */
export interface StartServerOptions {
  /** Directory for a `--cpu-prof` profile of the server process, if wanted. */
  cpuProfileDir?: string;
  /** Milliseconds to wait for the server to listen. @default 20000 */
  startTimeout?: number;
  /** A module to run instead of the server of `kind`, with its arguments (it must serve control). */
  entry?: { file: string; args: string[] };
  /** Hears the server's stdout and stderr instead of this process's console. */
  onOutput?: (text: string) => void;
  /** The `node` binary to run the server on. @default process.execPath */
  execPath?: string;
}

/** A running server under test. */
export interface ServerProcess {
  readonly kind: ServerKind;
  readonly port: number;
  readonly pid: number;
  stats(gc?: boolean): Promise<ServerStats>;
  /** Server clock minus ours, in ms, estimated over IPC with the least round-trip time. */
  clockOffset(): Promise<number>;
  broadcast(data: string, count: number): Promise<number>;
  /** Whether the process is still running (false once it has exited, crashed or not). */
  running(): boolean;
  /** Stops gracefully, or kills after a timeout; resolves once the process has exited. */
  stop(): Promise<void>;
}

function entryOf(kind: ServerKind): { file: string; args: string[] } {
  const file = (name: string) => fileURLToPath(new URL(`./servers/${name}.ts`, import.meta.url));
  if (kind === "ws") return { file: file("ws-floor"), args: [] };
  if (kind === "socketio" || kind === "socketio-agent") return { file: file(kind), args: [] };
  return { file: file("agentsocket"), args: [kind] };
}

/**
 * Forks the server of `kind` on 127.0.0.1, port 0, and resolves once it listens.
 * @throws {Error} when it fails or does not listen within `startTimeout`.
 */
export async function startServer(
  kind: ServerKind,
  options: StartServerOptions = {},
): Promise<ServerProcess> {
  const { file, args } = options.entry ?? entryOf(kind);
  const execArgv = ["--import", "tsx", "--expose-gc"];
  if (options.cpuProfileDir) execArgv.push("--cpu-prof", `--cpu-prof-dir=${options.cpuProfileDir}`);
  // Extra V8/Node flags for investigations, e.g. BENCH_SERVER_FLAGS="--trace-gc".
  execArgv.push(...(process.env.BENCH_SERVER_FLAGS?.split(" ").filter(Boolean) ?? []));
  const child = fork(file, args, {
    execArgv,
    ...(options.execPath ? { execPath: options.execPath } : {}),
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    stdio: options.onOutput
      ? ["ignore", "pipe", "pipe", "ipc"]
      : ["ignore", "inherit", "inherit", "ipc"],
  });
  if (options.onOutput) {
    child.stdout?.setEncoding("utf8").on("data", options.onOutput);
    child.stderr?.setEncoding("utf8").on("data", options.onOutput);
  }
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  void exited.then(() => live.delete(child));

  let nextId = 1;
  const pending = new Map<number, (message: ControlMessage) => void>();
  const ready = new Promise<number>((resolve, reject) => {
    child.on("message", (message: ControlMessage) => {
      if (message.type === "ready") return resolve(message.port);
      if ("id" in message && message.id !== undefined) pending.get(message.id)?.(message);
      if (message.type === "failed" && message.id === undefined) reject(new Error(message.error));
    });
    void exited.then(() => reject(new Error(`${kind} server exited (code ${child.exitCode})`)));
  });

  const request = (command: ControlCommand, timeout = 60_000) => {
    const id = nextId++;
    const reply = new Promise<ControlMessage>((resolve, reject) => {
      pending.set(id, (message) => {
        pending.delete(id);
        if (message.type === "failed") reject(new Error(`${kind}: ${message.error}`));
        else resolve(message);
      });
      child.send({ ...command, id });
    });
    return withTimeout(reply, timeout, `${kind} server: ${command.cmd}`);
  };

  let port: number;
  try {
    port = await withTimeout(ready, options.startTimeout ?? 20_000, `${kind} server start`);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }

  return {
    kind,
    port,
    pid: child.pid!,
    async stats(gc = false) {
      const reply = await request({ cmd: "stats", gc });
      if (reply.type !== "reply" || !reply.stats) throw new Error(`${kind}: no stats`);
      return reply.stats;
    },
    async clockOffset() {
      let best = { rtt: Infinity, offset: 0 };
      for (let i = 0; i < 20; i++) {
        const sent = epochNow();
        const reply = await request({ cmd: "clock" });
        const received = epochNow();
        if (reply.type === "reply" && reply.now !== undefined && received - sent < best.rtt) {
          best = { rtt: received - sent, offset: reply.now - (sent + received) / 2 };
        }
      }
      return best.offset;
    },
    async broadcast(data, count) {
      const reply = await request({ cmd: "broadcast", data, count });
      return reply.type === "reply" ? (reply.sent ?? 0) : 0;
    },
    running: () => child.exitCode === null && child.signalCode === null,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        await request({ cmd: "stop" }, 10_000).catch(() => {});
        await withTimeout(exited, 10_000, `${kind} server exit`).catch(() => child.kill("SIGKILL"));
      }
      await exited;
    },
  };
}
