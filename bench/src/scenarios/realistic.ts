/**
 * Scenario 2, realistic streaming: many concurrent streams at ~30 tokens/s each, one stream per
 * connection (one user, one chat), at about half of the server's capacity for this traffic.
 * Yield-to-receipt latency of every token (p50/p99), server CPU per token, and how busy the
 * server really was.
 *
 * Capacity is measured here, with paced streams, not taken from scenario 1: there agentsocket
 * coalesces hundreds of tokens per frame, while paced tokens leave one per frame, so scenario 1's
 * tokens/s would overstate its capacity several times. Two short calibration rounds each measure
 * how busy the server is (share of one core) while every stream runs, and scale the stream count
 * toward 50 %; the measured round then reports the share it actually reached. The Socket.IO
 * binding and plain Socket.IO measure with one stream count (`pairedStreams`): the first of them
 * to run in a round calibrates it, so both carry the same workload.
 */
import type { BenchClient } from "../clients/bench-client.ts";
import { closeClients, openClients } from "../clients/connect.ts";
import { workloadPrompt } from "../fake-backend.ts";
import { gcPauseMs } from "../gc-meter.ts";
import type { ServerProcess } from "../server-process.ts";
import { percentile } from "../statistics.ts";
import { Tally } from "../tally.ts";
import { clientTokens } from "../tokens.ts";
import { cpuMicros, elapsed, type Scenario } from "./scenario.ts";

/** Streams start spread over this long, as users arrive, not all on one timer tick. */
const STAGGER_MS = 1000;
const CALIBRATION_SECONDS = 3;
const CALIBRATION_STREAMS = 300;
const TARGET_BUSY = 0.5;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What one round measured while every stream was running (ramp-up and tail excluded). */
interface Round {
  /** Share of one core the server was busy. */
  busy: number;
  cpuPerToken: number;
  /** Share of the window that GC paused the server, and the load process (this one). */
  serverGc: number;
  loadGc: number;
}

/** Runs one paced stream of `seconds` on each client; measures the steady middle of the round. */
async function pacedRound(
  server: ServerProcess,
  clients: BenchClient[],
  tally: Tally,
  rate: number,
  seconds: number,
  tag: string,
): Promise<Round> {
  const prompt = workloadPrompt({ tokens: Math.round(rate * seconds), rate });
  const done = Promise.all(
    clients.map(async (client, i) => {
      await sleep((i / clients.length) * STAGGER_MS);
      await client.stream(`${tag}-${i}`, prompt);
    }),
  );
  const steady = Math.max(500, seconds * 1000 - STAGGER_MS - 500);
  await sleep(STAGGER_MS + 200);
  const [before, tokensBefore, start] = [await server.stats(), tally.tokens, performance.now()];
  const loadBefore = gcPauseMs();
  await sleep(steady);
  const [after, tokensAfter, wall] = [await server.stats(), tally.tokens, elapsed(start)];
  const loadAfter = gcPauseMs();
  await done;
  const cpu = cpuMicros(before, after);
  return {
    busy: cpu / 1000 / wall,
    cpuPerToken: cpu / Math.max(1, tokensAfter - tokensBefore),
    serverGc: (after.gcPauseMs - before.gcPauseMs) / wall,
    loadGc: (loadAfter - loadBefore) / wall,
  };
}

/** Scenario 2: latency and CPU per token of paced streams at ~half capacity. */
export const realistic: Scenario = {
  id: "realistic",
  async run({ server, sizes, log, pairedStreams }) {
    const { rate, seconds, minStreams, maxStreams } = sizes.realistic;
    const clamp = (n: number) => Math.min(Math.max(Math.round(n), minStreams), maxStreams);
    const tally = new Tally(await server.clockOffset());
    const options = { kind: server.kind, port: server.port, tally };
    const allTokens = await clientTokens(maxStreams);
    const clients: BenchClient[] = [];
    const useClients = async (count: number) => {
      if (clients.length < count) {
        clients.push(...(await openClients(options, allTokens.slice(clients.length, count))));
      }
      return clients.slice(0, count);
    };
    const pct = (share: number, digits = 0) => `${(share * 100).toFixed(digits)} %`;
    try {
      let streams = clamp(CALIBRATION_STREAMS);
      let capacity: number | undefined;
      if (minStreams < maxStreams) {
        for (const step of [1, 2]) {
          const clientsNow = await useClients(streams);
          const round = await pacedRound(
            server,
            clientsNow,
            tally,
            rate,
            CALIBRATION_SECONDS,
            `c${step}`,
          );
          log(`calibration ${step}: ${streams} streams keep the server ${pct(round.busy)} busy`);
          capacity = 1e6 / round.cpuPerToken;
          streams = clamp((streams * TARGET_BUSY) / round.busy);
        }
      }

      if (pairedStreams) {
        if (pairedStreams.value === undefined) pairedStreams.value = streams;
        else if (pairedStreams.value !== streams) {
          log(`measuring with its peer's ${pairedStreams.value} streams (calibrated: ${streams})`);
          streams = pairedStreams.value;
        }
      }
      const tokens = Math.round(rate * seconds);
      const measured = await useClients(streams);
      tally.reset();
      const round = await pacedRound(server, measured, tally, rate, seconds, "paced");
      if (tally.tokens !== streams * tokens) {
        throw new Error(`clients received ${tally.tokens} tokens, expected ${streams * tokens}`);
      }
      const sorted = Float64Array.from(tally.latencies).sort();
      log(
        `${streams} streams × ${tokens} tokens at ${rate}/s: server ${pct(round.busy)} busy, ` +
          `GC paused it ${pct(round.serverGc, 1)} of the time and the load process ${pct(round.loadGc, 1)}, ` +
          `clock offset ${tally.clockOffset!.toFixed(3)} ms, max latency ${sorted.at(-1)!.toFixed(1)} ms`,
      );
      return {
        "realistic.p50": percentile(sorted, 50, true),
        "realistic.p99": percentile(sorted, 99, true),
        "realistic.cpuPerToken": round.cpuPerToken,
        ...(capacity !== undefined ? { "realistic.capacity": capacity } : {}),
        "realistic.streams": streams,
        "realistic.cpuShare": round.busy * 100,
      };
    } finally {
      closeClients(clients);
    }
  },
};
