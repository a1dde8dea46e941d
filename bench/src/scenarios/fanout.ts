/**
 * Scenario 5, fan-out: N connections, the server broadcasts M messages to all of them; the
 * window ends when every client has every message. Server CPU per delivered message.
 */
import { BROADCAST_FRAME } from "../clients/bench-client.ts";
import { closeClients, openClients } from "../clients/connect.ts";
import { Tally } from "../tally.ts";
import { waitUntil } from "../timeout.ts";
import { clientTokens } from "../tokens.ts";
import { cpuMicros, serverConnections, type Scenario } from "./scenario.ts";

/** Scenario 5: server CPU per delivered broadcast message. */
export const fanout: Scenario = {
  id: "fanout",
  async run({ server, sizes, log }) {
    const { connections, messages } = sizes.fanout;
    const tally = new Tally();
    const clients = await openClients(
      { kind: server.kind, port: server.port, tally },
      await clientTokens(connections),
    );
    try {
      await serverConnections(server, connections, 10_000);
      // One warm-up broadcast, then the measured ones.
      await server.broadcast(BROADCAST_FRAME, 1);
      await waitUntil(() => tally.broadcasts >= connections, 30_000, "warm-up broadcast");
      tally.reset();

      const expected = connections * messages;
      const before = await server.stats();
      const start = performance.now();
      await server.broadcast(BROADCAST_FRAME, messages);
      await waitUntil(() => tally.broadcasts >= expected, 60_000, "fan-out delivery");
      const after = await server.stats();
      log(`${expected} messages delivered in ${(performance.now() - start).toFixed(0)} ms`);
      return { "fanout.cpuPerMessage": cpuMicros(before, after) / tally.broadcasts };
    } finally {
      closeClients(clients);
    }
  },
};
