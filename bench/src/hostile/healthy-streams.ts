/**
 * A well-behaved client beside the hostile ones: it streams the healthy prompt again and again
 * and checks every stream against the demo agent's text. The fuzz script asks whether every
 * stream arrived intact; the flood script also reads their latencies.
 */
import { HEALTHY_PROMPT } from "./demo-answer.ts";
import type { WireClient } from "./wire-client.ts";

/** What the healthy client saw. */
export interface HealthyReport {
  streams: number;
  /** Streams that did not complete, in order, with exactly the expected text. */
  broken: number;
  /** What went wrong first, if anything did. */
  problem?: string;
  /** Milliseconds from each request to each of its chunks. */
  latencies: number[];
  /** When each latency's request was sent (`performance.now()`), in the same order. */
  sentAt: number[];
}

/**
 * Streams from `client` until `stop()` (and at least once), `gapMs` apart; a stream that fails
 * outright (closed, timed out) ends the watch.
 */
export function watchHealthyStreams(
  client: WireClient,
  expected: string,
  { gapMs = 0, timeout = 60_000 } = {},
): { stop(): Promise<HealthyReport> } {
  const report: HealthyReport = { streams: 0, broken: 0, latencies: [], sentAt: [] };
  let running = true;
  const done = (async () => {
    while (running || report.streams === 0) {
      const sentAt = performance.now();
      const outcome = await client.stream(HEALTHY_PROMPT, { timeout });
      report.streams++;
      report.latencies.push(...outcome.latencies);
      for (let i = 0; i < outcome.latencies.length; i++) report.sentAt.push(sentAt);
      const intact = outcome.status === "completed" && outcome.inOrder && outcome.text === expected;
      if (!intact) {
        report.broken++;
        report.problem ??=
          `a stream ended ${outcome.status || "without a terminal frame"}, ` +
          `${outcome.inOrder ? "in order" : "out of order"}, ${outcome.text.length} of ` +
          `${expected.length} characters${outcome.text === expected ? "" : ", text differing"}`;
      }
      if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
  })().catch((error: unknown) => {
    report.broken++;
    report.problem ??= String(error);
  });
  return {
    async stop() {
      running = false;
      await done;
      return report;
    },
  };
}
