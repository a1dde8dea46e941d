/**
 * The fuzz script: hostile frames over several connections to a real `createServer`, with a
 * healthy client streaming alongside whose every stream must arrive intact. Reconnects after each
 * frame that must close the connection (invalid UTF-8, over `maxMessageSize`) and checks it did.
 */
import type { Framework } from "@agentsocket/server";
import { waitUntil, withTimeout } from "../timeout.ts";
import { HEALTHY_PROMPT, demoAnswer } from "./demo-answer.ts";
import { watchHealthyStreams } from "./healthy-streams.ts";
import { CLOSING_KINDS, createFrameSource, type HostileFrame } from "./hostile-frames.ts";
import { increment, type Counts } from "./report.ts";
import { startTarget, UNMEASURED, type MemoryFigures, type ServerLog } from "./target.ts";
import { WireClient, type Frame } from "./wire-client.ts";

/** Options of {@link runFuzz}. */
export interface FuzzOptions {
  framework: Framework;
  /** Hostile frames in all. */
  frames: number;
  /** Hostile connections sending at once. */
  connections: number;
  seed: number;
  log(message: string): void;
}

/** What the hostile clients sent and saw. */
interface FuzzTally {
  sentByKind: Counts;
  /** Error frames the hostile clients received, by `code`. */
  errorsByCode: Counts;
  /** Every other frame they received, by `type`. */
  repliesByType: Counts;
  closesByCode: Counts;
  /** Closes that did not follow a frame that asks for one, and closing frames left open. */
  unexpectedCloses: string[];
}

/** What the fuzz script measured. */
export interface FuzzResult extends FuzzTally {
  framework: Framework;
  frames: number;
  durationMs: number;
  crashed: boolean;
  healthyStreams: number;
  /** Every healthy stream complete, in order, and equal to the demo agent's text. */
  healthyIntact: boolean;
  healthyProblem?: string;
  /** Keys that appeared on the server's `Object.prototype`. */
  prototypeKeys: string[];
  /** Connections and streams still open once every client has gone. */
  leftoverConnections: number;
  leftoverStreams: number;
  memory: MemoryFigures;
  /** What the server logged over the run. */
  serverLog: ServerLog;
}

/** Tokens per second of the fuzz server's demo agent: a healthy stream lasts about half a second. */
const TOKENS_PER_SECOND = 200;
/** Bytes a hostile client may queue before it waits for its socket to drain. */
const HIGH_WATER = 64 * 1024;
/** Frames a hostile client sends before it lets the other clients run. */
const BURST = 16;
const CLOSE_WAIT_MS = 10_000;

/**
 * One hostile connection after another until `quota` frames from `next` are sent: after a frame
 * that must close the connection, waits for the close and reconnects.
 */
async function attack(port: number, next: () => HostileFrame, quota: number, tally: FuzzTally) {
  const onFrame = (frame: Frame) =>
    frame.type === "error"
      ? increment(tally.errorsByCode, frame.code ?? "(none)")
      : increment(tally.repliesByType, frame.type);
  let sent = 0;
  while (sent < quota) {
    const client = await WireClient.connect(port, onFrame);
    let closeCode: number | undefined;
    void client.closed.then((code) => (closeCode = code));
    let closing: HostileFrame | undefined;
    while (sent < quota && closeCode === undefined && !closing) {
      const frame = next();
      client.socket.send(frame.data, { binary: frame.binary });
      sent++;
      increment(tally.sentByKind, frame.kind);
      if (CLOSING_KINDS[frame.kind] !== undefined) closing = frame;
      else if (sent % BURST === 0) await new Promise((resolve) => setImmediate(resolve));
      if (client.socket.bufferedAmount > HIGH_WATER) {
        await waitUntil(
          () => closeCode !== undefined || client.socket.bufferedAmount < HIGH_WATER / 4,
          CLOSE_WAIT_MS,
          "hostile client drain",
          1,
        );
      }
    }
    if (closing) {
      const code = await withTimeout(client.closed, CLOSE_WAIT_MS, "close").catch(() => {
        tally.unexpectedCloses.push(`a ${closing.kind} frame left the connection open`);
        client.socket.terminate();
        return client.closed;
      });
      increment(tally.closesByCode, String(code));
    } else if (closeCode === undefined) {
      client.socket.close(1000);
      await withTimeout(client.closed, CLOSE_WAIT_MS, "close").catch(() => {});
    } else {
      increment(tally.closesByCode, String(closeCode));
      tally.unexpectedCloses.push(`closed ${closeCode} after an ordinary frame`);
    }
  }
}

/** Runs the fuzz script on one framework. */
export async function runFuzz(options: FuzzOptions): Promise<FuzzResult> {
  const { framework, frames, connections, seed, log } = options;
  const expected = await demoAnswer(HEALTHY_PROMPT);
  const target = await startTarget(framework, TOKENS_PER_SECOND);
  const tally: FuzzTally = {
    sentByKind: {},
    errorsByCode: {},
    repliesByType: {},
    closesByCode: {},
    unexpectedCloses: [],
  };
  try {
    const healthy = await WireClient.connect(target.port);
    await healthy.stream(HEALTHY_PROMPT); // warm-up, not counted
    await target.markBefore();
    const count = frames.toLocaleString("en-US");
    log(`fuzz ${framework}: ${count} frames on ${connections} connections`);

    const watch = watchHealthyStreams(healthy, expected);
    const started = performance.now();
    const share = (i: number) =>
      Math.floor(frames / connections) + (i < frames % connections ? 1 : 0);
    let failure: unknown;
    await Promise.all(
      Array.from({ length: connections }, (_, i) =>
        attack(target.port, createFrameSource(seed + i), share(i), tally).catch((error) => {
          failure ??= error;
        }),
      ),
    );
    const durationMs = performance.now() - started;
    const report = await watch.stop();
    healthy.socket.close(1000);
    const crashed = target.crashed();
    // A client that failed on a live server is the script's failure; on a crashed one, the crash.
    if (failure !== undefined && !crashed) throw failure;
    const measured = {
      framework,
      frames,
      durationMs,
      ...tally,
      crashed,
      healthyStreams: report.streams,
      healthyIntact: report.broken === 0,
      ...(report.problem ? { healthyProblem: report.problem } : {}),
    };
    if (crashed) {
      const unread = { prototypeKeys: [], leftoverConnections: NaN, leftoverStreams: NaN };
      return { ...measured, ...unread, memory: UNMEASURED, serverLog: target.logs() };
    }
    const { connections: leftoverConnections, upstream } = await target.leftovers();
    return {
      ...measured,
      prototypeKeys: upstream.prototypeKeys,
      leftoverConnections,
      leftoverStreams: upstream.stream.active + upstream.generate.active,
      memory: await target.memory(),
      serverLog: target.logs(),
    };
  } finally {
    await target.stop();
  }
}
