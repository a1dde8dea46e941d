/**
 * Scenario 4, handshakes: K authenticated (JWT) connection setups, a bounded number in flight,
 * each closed as soon as it is open (the server's first frame, or Socket.IO's `connect`).
 * Handshakes per second of wall time, and server CPU per handshake including its close.
 */
import { connectClient, mapLimit } from "../clients/connect.ts";
import { Tally } from "../tally.ts";
import { clientTokens } from "../tokens.ts";
import { cpuMicros, elapsed, serverConnections, type Scenario } from "./scenario.ts";

/** Handshakes before the measured ones, so the server's handshake path is compiled by then. */
const WARM_UP = 500;

/** Scenario 4: JWT handshakes per second and server CPU per handshake. */
export const handshakes: Scenario = {
  id: "handshakes",
  async run({ server, sizes, log }) {
    const { count, concurrency } = sizes.handshakes;
    const tokens = await clientTokens(count);
    const options = { kind: server.kind, port: server.port, tally: new Tally() };
    const handshake = async (index: number) => {
      const client = await connectClient({ ...options, token: tokens[index]! });
      client.close();
    };

    await mapLimit(Math.min(WARM_UP, count), concurrency, handshake);
    await serverConnections(server, 0, 10_000);

    const before = await server.stats();
    const start = performance.now();
    await mapLimit(count, concurrency, handshake);
    const wall = elapsed(start);
    await serverConnections(server, 0, 30_000);
    const after = await server.stats();
    log(`${count} handshakes in ${wall.toFixed(0)} ms`);
    return {
      "handshakes.perSecond": count / (wall / 1000),
      "handshakes.cpuPerHandshake": cpuMicros(before, after) / count,
    };
  },
};
