/**
 * The fuzz script: hostile frames over several connections to a real `createServer`, with a
 * healthy client streaming alongside whose every stream must arrive intact. Reconnects after each
 * frame that must close the connection (invalid UTF-8, over `maxMessageSize`) and checks it did.
 */
import type { Framework } from "@agentsocket/server";
import { waitUntil, withTimeout } from "../timeout.ts";
import { HEALTHY_PROMPT, demoAnswer } from "./demo-answer.ts";
import { CLOSING_KINDS, createFrameSource } from "./hostile-frames.ts";
import { increment, type Counts } from "./report.ts";
import { startTarget, UNMEASURED, type MemoryFigures, type ServerLog } from "./target.ts";
import { WireClient, type StreamOutcome } from "./wire-client.ts";

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

/** What the fuzz script measured. */
export interface FuzzResult {
  framework: Framework;
  frames: number;
  durationMs: number;
  sentByKind: Counts;
  /** Error frames the hostile clients received, by `code`. */
  errorsByCode: Counts;
  /** Every other frame they received, by `type`. */
  repliesByType: Counts;
  closesByCode: Counts;
  /** Closes that did not follow a frame that asks for one, and closing frames left open. */
  unexpectedCloses: string[];
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

/** Runs the fuzz script on one framework. */
export async function runFuzz(options: FuzzOptions): Promise<FuzzResult> {
  const { framework, frames, connections, seed, log } = options;
  const expected = await demoAnswer(HEALTHY_PROMPT);
  const target = await startTarget(framework, TOKENS_PER_SECOND);
  const result = {
    sentByKind: {} as Counts,
    errorsByCode: {} as Counts,
    repliesByType: {} as Counts,
    closesByCode: {} as Counts,
    unexpectedCloses: [] as string[],
  };
  const onFrame = (frame: { type: string; code?: string }) =>
    frame.type === "error"
      ? increment(result.errorsByCode, frame.code ?? "(none)")
      : increment(result.repliesByType, frame.type);

  /** One hostile connection after another until `quota` frames are sent. */
  const attack = async (index: number, quota: number) => {
    const next = createFrameSource(seed + index);
    let sent = 0;
    while (sent < quota) {
      const client = await WireClient.connect(target.port, onFrame);
      let closeCode: number | undefined;
      let askedToClose = false;
      void client.closed.then((code) => (closeCode = code));
      while (sent < quota && closeCode === undefined && !askedToClose) {
        const frame = next();
        client.socket.send(frame.data, { binary: frame.binary });
        sent++;
        increment(result.sentByKind, frame.kind);
        const closing = CLOSING_KINDS[frame.kind];
        if (closing !== undefined) {
          askedToClose = true;
          const code = await withTimeout(client.closed, CLOSE_WAIT_MS, "close").catch(() => {
            result.unexpectedCloses.push(`${frame.kind} frame left the connection open`);
            client.socket.terminate();
            return client.closed;
          });
          increment(result.closesByCode, String(code));
          continue;
        }
        if (sent % BURST === 0) await new Promise((resolve) => setImmediate(resolve));
        if (client.socket.bufferedAmount > HIGH_WATER) {
          await waitUntil(
            () => closeCode !== undefined || client.socket.bufferedAmount < HIGH_WATER / 4,
            CLOSE_WAIT_MS,
            "hostile client drain",
            1,
          );
        }
      }
      if (askedToClose) continue;
      if (closeCode === undefined) {
        client.socket.close(1000);
        await withTimeout(client.closed, CLOSE_WAIT_MS, "close").catch(() => {});
      } else {
        // The server closed after a frame that should not have closed it.
        increment(result.closesByCode, String(closeCode));
        result.unexpectedCloses.push(`closed ${closeCode} after an ordinary frame`);
      }
    }
  };

  try {
    const healthy = await WireClient.connect(target.port);
    await healthy.stream(HEALTHY_PROMPT); // warm-up, not counted
    await target.markBefore();
    log(
      `fuzz ${framework}: ${frames.toLocaleString("en-US")} frames on ${connections} connections`,
    );

    const outcomes: StreamOutcome[] = [];
    let healthyProblem: string | undefined;
    let fuzzing = true;
    const watching = (async () => {
      while (fuzzing || outcomes.length === 0) outcomes.push(await healthy.stream(HEALTHY_PROMPT));
    })().catch((error: unknown) => (healthyProblem = String(error)));

    const started = performance.now();
    const share = (i: number) =>
      Math.floor(frames / connections) + (i < frames % connections ? 1 : 0);
    await Promise.all(Array.from({ length: connections }, (_, i) => attack(i, share(i))));
    const durationMs = performance.now() - started;
    fuzzing = false;
    await watching;
    healthy.socket.close(1000);
    await withTimeout(healthy.closed, CLOSE_WAIT_MS, "healthy close").catch(() => {});

    const broken = outcomes.find(
      (o) => o.status !== "completed" || !o.inOrder || o.text !== expected,
    );
    healthyProblem ??=
      broken &&
      `a stream ended ${broken.status}, in order: ${broken.inOrder}, ` +
        `${broken.text.length}/${expected.length} characters${broken.text === expected ? "" : " differing"}`;
    const crashed = target.crashed();
    let leftoverConnections = NaN;
    let leftoverStreams = NaN;
    let prototypeKeys: string[] = [];
    let memory = UNMEASURED;
    if (!crashed) {
      // The server sees each close a moment after the client does.
      await waitUntil(async () => (await target.connections()) === 0, 5_000, "drain").catch(
        () => {},
      );
      leftoverConnections = await target.connections();
      const upstream = await target.upstream();
      leftoverStreams = upstream.stream.active + upstream.generate.active;
      prototypeKeys = upstream.prototypeKeys;
      memory = await target.memory();
    }
    return {
      framework,
      frames,
      durationMs,
      ...result,
      crashed,
      healthyStreams: outcomes.length,
      healthyIntact: healthyProblem === undefined,
      ...(healthyProblem ? { healthyProblem } : {}),
      prototypeKeys,
      leftoverConnections,
      leftoverStreams,
      memory,
      serverLog: target.logs(),
    };
  } finally {
    await target.stop();
  }
}
