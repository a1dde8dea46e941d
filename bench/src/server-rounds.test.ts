import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emptyRuntime, type Failure } from "./results.ts";
import type { InterleavedScenario, ScenarioContext, ScenarioId } from "./scenarios/scenario.ts";
import { startServer, type ServerProcess } from "./server-process.ts";
import { interleave } from "./server-rounds.ts";
import { SMOKE } from "./sizes.ts";

describe("interleaved rounds", () => {
  let servers: ServerProcess[] = [];
  beforeAll(async () => {
    servers = await Promise.all([startServer("ws"), startServer("hono")]);
  }, 30_000);
  afterAll(() => Promise.all(servers.map((server) => server.stop())));

  it("takes turns, rotating each round; a server that fails sits out and the rest go on", async () => {
    const calls: string[] = [];
    const closed: string[] = [];
    const failures: Omit<Failure, "run" | "runtime">[] = [];
    const record = emptyRuntime("v0");
    const scenario: InterleavedScenario = {
      id: "handshakes",
      rounds: () => 3,
      async open({ server }) {
        const { kind } = server;
        let rounds = 0;
        return {
          async round(index) {
            calls.push(`${kind} ${index}`);
            if (kind === "hono" && index === 1) throw new Error("hono broke");
            rounds++;
          },
          finish: () => ({ "handshakes.perSecond": rounds }),
          close: () => closed.push(kind),
        };
      },
    };
    const context = (server: ServerProcess): ScenarioContext => ({
      server,
      sizes: SMOKE,
      log: () => {},
    });
    const failed = (server: ServerProcess, id: ScenarioId, error: unknown) =>
      failures.push({ server: server.kind, scenario: id, error: String(error) });

    await interleave({ sizes: SMOKE, record }, scenario, servers, context, failed);

    expect(calls).toEqual(["ws 0", "hono 0", "hono 1", "ws 1", "ws 2"]);
    expect(failures).toEqual([
      { server: "hono", scenario: "handshakes", error: expect.stringContaining("hono broke") },
    ]);
    expect(record.samples.ws).toEqual({ "handshakes.perSecond": [3] });
    expect(record.samples.hono).toBeUndefined();
    expect(closed.sort()).toEqual(["hono", "ws"]);
  });
});
