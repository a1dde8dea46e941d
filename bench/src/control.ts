/**
 * The control channel between the orchestrator and a server under test: the fork IPC channel.
 * The server reports its port once listening, then answers numbered commands. Every server kind
 * runs the same {@link serveControl}, so the numbers are read the same way everywhere.
 */
import type { AgentServer } from "@agentsocket/server";
import { epochNow } from "./fake-backend.ts";
import { gcPauseMs } from "./gc-meter.ts";

/** The secret every server verifies HS256 JWTs with. */
export const JWT_SECRET = "agentsocket-bench-secret-0123456789abcdef";

/** Commands the orchestrator sends. */
export type ControlCommand =
  | { cmd: "stats"; gc: boolean }
  | { cmd: "clock" }
  | { cmd: "broadcast"; data: string; count: number }
  | { cmd: "stop" };

/** A command with the id its reply will carry. */
export type ControlRequest = ControlCommand & { id: number };

/** What `stats` answers: the server process's own CPU time and memory. */
export interface ServerStats {
  cpuUserMicros: number;
  cpuSystemMicros: number;
  /** Resident set size in bytes (after a full GC when asked). */
  rss: number;
  /** V8 heap in use, in bytes. */
  heapUsed: number;
  /** Open connections, as the server counts them. */
  connections: number;
  /** Milliseconds the main thread has spent paused in GC since the server started. */
  gcPauseMs: number;
}

/** Messages a server sends. */
export type ControlMessage =
  | { type: "ready"; port: number }
  | { type: "reply"; id: number; stats?: ServerStats; now?: number; sent?: number }
  | { type: "failed"; id?: number; error: string };

/** What a server under test provides to the control channel. */
export interface ControlledServer {
  port: number;
  /** Sends `data` once to every open connection; returns how many it sent to. */
  broadcast(data: string): number;
  connectionCount(): number;
  stop(): Promise<void>;
}

/**
 * Collects everything it can before a memory reading. The last-resort collection also gives the
 * young generation back: Node 24 grows it to 128 MiB during a burst of handshakes and keeps it,
 * partly resident, so RSS after two plain collections moved by up to ~6 KB per connection between
 * runs of one server (heap spaces logged at each reading). Node 20 keeps its young generation
 * either way. The same for every server under test.
 */
const collect = (): void => {
  const gc = (globalThis as { gc?: (options?: object) => void }).gc;
  if (!gc) throw new Error("The server must run with --expose-gc");
  gc();
  gc({ type: "major", execution: "sync", flavor: "last-resort" });
};

/**
 * Reports `server` ready and answers control commands until `stop` (or until the orchestrator
 * goes away: the IPC channel closing ends the process, so no server outlives a bench).
 */
export function serveControl(server: ControlledServer): void {
  gcPauseMs();
  const send = (message: ControlMessage) => process.send?.(message);
  process.on("disconnect", () => process.exit(0));
  process.on("message", (raw: ControlRequest) => {
    void handle(raw).catch((error: unknown) =>
      send({ type: "failed", id: raw.id, error: String(error) }),
    );
  });

  async function handle(request: ControlRequest): Promise<void> {
    switch (request.cmd) {
      case "stats": {
        // CPU is read before the GC so a measured window never includes the collection we force.
        const [cpu, gc] = [process.cpuUsage(), gcPauseMs()];
        if (request.gc) collect();
        const stats: ServerStats = {
          cpuUserMicros: cpu.user,
          cpuSystemMicros: cpu.system,
          rss: process.memoryUsage.rss(),
          heapUsed: process.memoryUsage().heapUsed,
          connections: server.connectionCount(),
          gcPauseMs: gc,
        };
        return void send({ type: "reply", id: request.id, stats });
      }
      case "clock":
        return void send({ type: "reply", id: request.id, now: epochNow() });
      case "broadcast": {
        let sent = 0;
        for (let i = 0; i < request.count; i++) sent += server.broadcast(request.data);
        return void send({ type: "reply", id: request.id, sent });
      }
      case "stop":
        await server.stop();
        send({ type: "reply", id: request.id });
        // Exit (rather than SIGKILL) lets --cpu-prof write its profile.
        return void setImmediate(() => process.exit(0));
    }
  }

  send({ type: "ready", port: server.port });
}

/** {@link serveControl} for a started agentsocket `createServer` server. */
export function serveAgentServerControl(server: AgentServer): void {
  serveControl({
    port: server.port!,
    broadcast: (data) => server.websocket.broadcast(data),
    connectionCount: () => server.websocket.getConnectionCount(),
    stop: () => server.stop(),
  });
}
