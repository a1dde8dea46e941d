/**
 * Scenario 3, idle connections: server RSS (after a last-resort GC, control.ts) with N
 * authenticated connections open and idle, minus RSS with none, divided by N. Runs first on a
 * fresh server process, after a few warm-up connections, so the baseline is not inflated by
 * earlier scenarios.
 */
import { closeClients, openClients } from "../clients/connect.ts";
import { Tally } from "../tally.ts";
import { clientTokens } from "../tokens.ts";
import { serverConnections, type Scenario } from "./scenario.ts";

const WARM_UP = 20;

/** Scenario 3: server RSS per idle authenticated connection. */
export const idle: Scenario = {
  id: "idle",
  async run({ server, sizes, log }) {
    const { connections } = sizes.idle;
    const options = { kind: server.kind, port: server.port, tally: new Tally() };
    const tokens = await clientTokens(connections);

    closeClients(await openClients(options, tokens.slice(0, WARM_UP)));
    await serverConnections(server, 0, 10_000);

    const empty = await server.stats(true);
    const clients = await openClients(options, tokens, 100);
    try {
      await serverConnections(server, connections, 10_000);
      const loaded = await server.stats(true);
      const perConnection = (key: "rss" | "heapUsed") =>
        ((loaded[key] - empty[key]) / connections).toFixed(0);
      log(
        `RSS ${mib(empty.rss)} → ${mib(loaded.rss)} MiB with ${connections} connections ` +
          `(${perConnection("rss")} B each, of which JS heap ${perConnection("heapUsed")} B)`,
      );
      return { "idle.bytesPerConnection": (loaded.rss - empty.rss) / connections };
    } finally {
      closeClients(clients);
    }
  },
};

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
