/**
 * The flooding client, in a process of its own so that masking and sending 400,000 frames does
 * not stall the probe whose latency the flood script measures (in one process it did: seconds). Started by {@link startFlooder}:
 * it connects, stops reading, sends `generate` frames as fast as the server takes them, reports
 * how many got out, and on `end` reads what the server queued (when asked) and its close code.
 */
import { fork } from "node:child_process";
import { setPriority } from "node:os";
import { fileURLToPath } from "node:url";
import { withTimeout } from "../timeout.ts";
import { WireClient } from "./wire-client.ts";

/** Bytes the flooding client queues on its side before it waits for the kernel. */
const CLIENT_QUEUE = 1024 * 1024;
/**
 * The server took no byte for this long: it stopped reading (a defence, not a failure). Long,
 * because a server busy collecting a heap of gigabytes reads slowly but does read.
 */
const STALL_MS = 20_000;

type FromFlooder =
  | { type: "flooding" }
  | { type: "sent"; sent: number; takenUntil: number }
  | { type: "ended"; closeCode?: number };

/** A flooding client running in its own process. */
export interface Flooder {
  /** Resolves once the client is connected and starts sending. */
  flooding: Promise<void>;
  /** Resolves with the frames that got out, once sending stopped (all sent, closed or stalled). */
  sent: Promise<number>;
  /**
   * Resolves with when (`performance.now()` of this process) the flood last got bytes out: the
   * client's queue last shrank (into the kernel's buffers or the server), or the connection ended.
   */
  takenUntil: Promise<number>;
  /** Ends the flood: reads what the server queued when `read` (to learn the close code), then closes. */
  end(read: boolean): Promise<number | undefined>;
}

/** Starts a flooding client against `port` that sends `frames` frames, at priority `nice`. */
export function startFlooder(port: number, frames: number, nice = 0): Flooder {
  const child = fork(fileURLToPath(import.meta.url), [String(port), String(frames)], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  if (nice !== 0 && child.pid !== undefined) setPriority(child.pid, nice);
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const message = <T extends FromFlooder["type"]>(type: T) =>
    new Promise<Extract<FromFlooder, { type: T }>>((resolve, reject) => {
      child.on("message", (m: FromFlooder) => m.type === type && resolve(m as never));
      child.once("exit", (code) => reject(new Error(`flood client exited (${code})`)));
    });
  const flooding = message("flooding").then(() => {});
  const sentMessage = message("sent");
  const sent = sentMessage.then((m) => m.sent);
  const takenUntil = sentMessage.then((m) => m.takenUntil - performance.timeOrigin);
  const ended = message("ended");
  return {
    flooding,
    sent,
    takenUntil,
    async end(read) {
      child.send({ read });
      const { closeCode } = await withTimeout(ended, 30_000, "flood client end").finally(() => {
        child.kill("SIGKILL");
        process.removeListener("exit", killOnExit);
      });
      return closeCode;
    },
  };
}

/** The child's side: connect, flood, report. */
async function flood(port: number, frames: number): Promise<void> {
  const send = (message: FromFlooder) => process.send?.(message);
  process.on("disconnect", () => process.exit(0));
  const client = await WireClient.connect(port);
  const { socket } = client;
  let closeCode: number | undefined;
  void client.closed.then((code) => (closeCode = code));
  socket.pause(); // never read: replies pile up on the server
  send({ type: "flooding" });
  let sent = 0;
  let stalled = false;
  let moved = performance.now();
  // Paused, the client hears of a dropped connection only from a failed write (no close event
  // while it does not read): stop there, not after 400,000 sends into a dead socket, each
  // costing the machine the probe and the server share as much CPU as a live one.
  let failed = false;
  const onSent = (error?: Error) => void (error && (failed = true));
  const open = () => closeCode === undefined && !failed && socket.readyState === socket.OPEN;
  while (sent < frames && open() && !stalled) {
    socket.send(
      `{"type":"generate","requestId":"flood-${sent}","payload":{"prompt":"Flood number ${sent}"}}`,
      onSent,
    );
    sent++;
    // A write's failure is reported on a later turn: yield now and then to hear of it.
    if (sent % 1024 === 0) await new Promise((resolve) => setImmediate(resolve));
    let queued = socket.bufferedAmount;
    if (queued <= CLIENT_QUEUE) moved = performance.now();
    while (open() && socket.bufferedAmount > CLIENT_QUEUE) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (socket.bufferedAmount < queued)
        [queued, moved] = [socket.bufferedAmount, performance.now()];
      else if (performance.now() - moved > STALL_MS) stalled = true;
      if (stalled) break;
    }
  }
  if (!open()) moved = performance.now();
  send({ type: "sent", sent, takenUntil: performance.timeOrigin + moved });
  process.once("message", ({ read }: { read: boolean }) => {
    void (async () => {
      if (read) {
        socket.resume();
        await withTimeout(client.closed, 10_000, "flood close").catch(() => {});
      }
      socket.terminate();
      send(closeCode === undefined ? { type: "ended" } : { type: "ended", closeCode });
    })();
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.send) {
  await flood(Number(process.argv[2]), Number(process.argv[3]));
}
