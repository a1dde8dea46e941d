/**
 * Scenario 4, handshakes: K authenticated (JWT) connection setups, a bounded number in flight,
 * each closed as soon as it is open (the server's first frame, or Socket.IO's `connect`).
 * Handshakes per second of wall time, and server CPU per handshake including its close. The K
 * handshakes run in batches that alternate with the other servers' (`InterleavedScenario`).
 */
import { connectClient, mapLimit } from "../clients/connect.ts";
import { Tally } from "../tally.ts";
import { clientTokens } from "../tokens.ts";
import { cpuMicros, elapsed, serverConnections, type InterleavedScenario } from "./scenario.ts";

/** Handshakes before the measured ones, so the server's handshake path is compiled by then. */
const WARM_UP = 500;

/** Scenario 4: JWT handshakes per second and server CPU per handshake. */
export const handshakes: InterleavedScenario = {
  id: "handshakes",
  rounds: (sizes) => sizes.handshakes.rounds,
  async open({ server, sizes, log }) {
    const { count, rounds, concurrency } = sizes.handshakes;
    const tokens = await clientTokens(count);
    const options = { kind: server.kind, port: server.port, tally: new Tally() };
    const handshake = async (index: number) => {
      const client = await connectClient({ ...options, token: tokens[index]! });
      client.close();
    };
    await mapLimit(Math.min(WARM_UP, count), concurrency, handshake);
    await serverConnections(server, 0, 10_000);

    const batch = Math.ceil(count / rounds);
    let [done, wall, cpu] = [0, 0, 0];
    return {
      async round(index) {
        const size = Math.min(batch, count - index * batch);
        if (size <= 0) return;
        const before = await server.stats();
        const start = performance.now();
        await mapLimit(size, concurrency, (i) => handshake(index * batch + i));
        wall += elapsed(start);
        await serverConnections(server, 0, 30_000);
        cpu += cpuMicros(before, await server.stats());
        done += size;
      },
      finish() {
        if (done !== count) throw new Error(`${done} handshakes measured, expected ${count}`);
        log(`${count} handshakes in ${rounds} batches, ${wall.toFixed(0)} ms in all`);
        return {
          "handshakes.perSecond": count / (wall / 1000),
          "handshakes.cpuPerHandshake": cpu / count,
        };
      },
      close() {},
    };
  },
};
