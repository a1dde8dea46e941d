/**
 * Scenario 1, token streaming: C clients × S concurrent streams × T tokens from a backend that
 * yields as fast as it can. Server CPU per delivered token, tokens/s, and frames per token (how
 * much the server coalesced).
 */
import { closeClients, openClients } from "../clients/connect.ts";
import { workloadPrompt } from "../fake-backend.ts";
import { Tally } from "../tally.ts";
import { clientTokens } from "../tokens.ts";
import { cpuMicros, elapsed, type Scenario } from "./scenario.ts";

/** Scenario 1: server CPU per token, tokens/s and frames per token, backend at full speed. */
export const streaming: Scenario = {
  id: "streaming",
  async run({ server, sizes, log }) {
    const { clients: count, streamsPerClient, tokens } = sizes.streaming;
    const tally = new Tally();
    const clients = await openClients(
      { kind: server.kind, port: server.port, tally },
      await clientTokens(count),
    );
    try {
      const round = (tokensPerStream: number, tag: string) =>
        Promise.all(
          clients.flatMap((client, c) =>
            Array.from({ length: streamsPerClient }, (_, s) =>
              client.stream(
                `${tag}-${c}-${s}`,
                workloadPrompt({ tokens: tokensPerStream, rate: 0 }),
              ),
            ),
          ),
        );
      // A short warm-up round lets the JIT settle before the measured window.
      await round(Math.ceil(tokens / 10), "warm");
      tally.reset();

      const before = await server.stats();
      const start = performance.now();
      await round(tokens, "run");
      const wall = elapsed(start);
      const after = await server.stats();

      const expected = count * streamsPerClient * tokens;
      if (tally.tokens !== expected) {
        throw new Error(`clients received ${tally.tokens} tokens, expected ${expected}`);
      }
      const tokensPerSecond = tally.tokens / (wall / 1000);
      log(`${tally.tokens} tokens in ${wall.toFixed(0)} ms, ${tally.frames} frames`);
      return {
        "streaming.cpuPerToken": cpuMicros(before, after) / tally.tokens,
        "streaming.tokensPerSecond": tokensPerSecond,
        "streaming.framesPerToken": tally.frames / tally.tokens,
      };
    } finally {
      closeClients(clients);
    }
  },
};
