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
 * toward 50 %; the measured rounds then report the share they actually reached. Servers judged
 * against each other measure with one stream count (`sharedStreams`): the first of them set up in
 * a run calibrates it, so all carry the same workload. The measured streams run in rounds that
 * alternate with the other servers' (`InterleavedScenario`); the figures pool the rounds.
 */
import type { BenchClient } from "../clients/bench-client.ts";
import { closeClients, openClients } from "../clients/connect.ts";
import { workloadPrompt } from "../fake-backend.ts";
import { collectNow, gcPauseMs } from "../gc-meter.ts";
import type { ServerProcess } from "../server-process.ts";
import { percentile } from "../statistics.ts";
import { Tally } from "../tally.ts";
import { clientTokens } from "../tokens.ts";
import { cpuMicros, elapsed, type InterleavedScenario } from "./scenario.ts";

/** Streams start spread over this long, as users arrive, not all on one timer tick. */
const STAGGER_MS = 1000;
const CALIBRATION_SECONDS = 3;
const CALIBRATION_STREAMS = 300;
const TARGET_BUSY = 0.5;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pct = (share: number, digits = 0) => `${(share * 100).toFixed(digits)} %`;

/** What the server did while every stream of a round was running (ramp-up and tail excluded). */
interface Window {
  /** Server CPU, µs. */
  cpu: number;
  /** Wall time, ms. */
  wall: number;
  tokens: number;
  /** Time GC paused the server, and the load process (this one), ms. */
  serverGc: number;
  loadGc: number;
}

/** The sum of two windows: the rounds of one server pooled. */
const add = (a: Window, b: Window): Window => ({
  cpu: a.cpu + b.cpu,
  wall: a.wall + b.wall,
  tokens: a.tokens + b.tokens,
  serverGc: a.serverGc + b.serverGc,
  loadGc: a.loadGc + b.loadGc,
});

/** Share of one core the server was busy, and its CPU per token, µs. */
const busy = (window: Window) => window.cpu / 1000 / window.wall;
const cpuPerToken = (window: Window) => window.cpu / Math.max(1, window.tokens);

/** Runs one paced stream of `seconds` on each client; measures the steady middle of the round. */
async function pacedRound(
  server: ServerProcess,
  clients: BenchClient[],
  tally: Tally,
  rate: number,
  seconds: number,
  tag: string,
): Promise<Window> {
  const prompt = workloadPrompt({ tokens: Math.round(rate * seconds), rate });
  collectNow();
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
  return {
    cpu: cpuMicros(before, after),
    wall,
    tokens: tokensAfter - tokensBefore,
    serverGc: after.gcPauseMs - before.gcPauseMs,
    loadGc: loadAfter - loadBefore,
  };
}

/** Scenario 2: latency and CPU per token of paced streams at ~half capacity. */
export const realistic: InterleavedScenario = {
  id: "realistic",
  rounds: (sizes) => sizes.realistic.rounds,
  async open({ server, sizes, log, sharedStreams }) {
    const { rate, seconds, rounds, minStreams, maxStreams } = sizes.realistic;
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
    let streams = clamp(CALIBRATION_STREAMS);
    let capacity: number | undefined;
    let measured: BenchClient[];
    try {
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
          log(`calibration ${step}: ${streams} streams keep the server ${pct(busy(round))} busy`);
          capacity = 1e6 / cpuPerToken(round);
          streams = clamp((streams * TARGET_BUSY) / busy(round));
        }
      }
      if (sharedStreams) {
        if (sharedStreams.value === undefined) sharedStreams.value = streams;
        else if (sharedStreams.value !== streams) {
          log(`measuring with its peers' ${sharedStreams.value} streams (calibrated: ${streams})`);
          streams = sharedStreams.value;
        }
      }
      measured = await useClients(streams);
    } catch (error) {
      closeClients(clients);
      throw error;
    }
    tally.reset();
    const tokens = Math.round(rate * seconds);
    let pooled: Window = { cpu: 0, wall: 0, tokens: 0, serverGc: 0, loadGc: 0 };
    return {
      async round(index) {
        pooled = add(pooled, await pacedRound(server, measured, tally, rate, seconds, `p${index}`));
      },
      finish() {
        const expected = streams * tokens * rounds;
        if (tally.tokens !== expected) {
          throw new Error(`clients received ${tally.tokens} tokens, expected ${expected}`);
        }
        const sorted = tally.latencies.sorted();
        log(
          `${streams} streams × ${tokens} tokens at ${rate}/s in ${rounds} rounds: ` +
            `server ${pct(busy(pooled))} busy, GC paused it ${pct(pooled.serverGc / pooled.wall, 1)} ` +
            `of the time and the load process ${pct(pooled.loadGc / pooled.wall, 1)}, ` +
            `clock offset ${tally.clockOffset!.toFixed(3)} ms, max latency ${sorted.at(-1)!.toFixed(1)} ms`,
        );
        return {
          "realistic.p50": percentile(sorted, 50, true),
          "realistic.p99": percentile(sorted, 99, true),
          "realistic.cpuPerToken": cpuPerToken(pooled),
          ...(capacity !== undefined ? { "realistic.capacity": capacity } : {}),
          "realistic.streams": streams,
          "realistic.cpuShare": busy(pooled) * 100,
        };
      },
      close: () => closeClients(clients),
    };
  },
};
