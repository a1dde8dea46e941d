/**
 * The limits on full servers: `agent.maxStreamsPerMinute` counts a user's streams over WebSocket
 * and HTTP together on hono, express and fastify; `agentsocket serve` takes the limits from the
 * environment (seed 003's `RATE_LIMIT_*` variables) and names a bad one.
 */
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import {
  connect,
  createTestBackend,
  refused,
  tryConnect,
  type TestClient,
} from "@agentsocket/core/testing";
import { main } from "./cli.ts";
import { recorder } from "./cli-recorder.ts";
import { createServer, type AgentServer, type Framework } from "./index.ts";
import { limitsFromEnv } from "./limits-from-env.ts";

const servers: AgentServer[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

const open = async (url: string) => {
  const client = await connect(WebSocket, url);
  clients.push(client);
  await client.ofType("connected");
  return client;
};

const streamOverHttp = (port: number, user: string, requestId: string) =>
  fetch(`http://127.0.0.1:${port}/api/agent/stream`, {
    method: "POST",
    headers: { authorization: `Bearer ${user}`, "content-type": "application/json" },
    body: JSON.stringify({ prompt: "hello", requestId }),
  });

describe.each(["hono", "express", "fastify"] as Framework[])("limits on %s", (framework) => {
  it("maxStreamsPerMinute counts a user's streams over WebSocket and HTTP together", async () => {
    const server = await createServer(createTestBackend(), {
      framework,
      config: {
        port: 0,
        host: "127.0.0.1",
        websocket: { auth: { strategy: "bearer", validate: (token) => ({ id: token }) } },
        agent: { maxStreamsPerMinute: 2 },
      },
    });
    servers.push(server);
    await server.start();
    const port = server.port!;
    const first = await streamOverHttp(port, "alice", "h1");
    expect(first.status).toBe(200);
    expect(await first.text()).toContain("event: stream_complete");
    const ws = await open(`ws://127.0.0.1:${port}/ws?token=alice`);
    ws.send({ type: "stream", requestId: "w1", payload: { prompt: "hi" } });
    expect(await ws.ofType("stream_complete", "w1", 10_000)).toMatchObject({ status: "completed" });
    ws.send({ type: "stream", requestId: "w2", payload: { prompt: "hi" } });
    expect(await ws.ofType("error", "w2")).toMatchObject({ code: "RATE_LIMITED" });
    const third = await streamOverHttp(port, "alice", "h3");
    expect(third.status).toBe(429);
    expect(await third.json()).toMatchObject({
      type: "error",
      code: "RATE_LIMITED",
      requestId: "h3",
    });
    const bob = await streamOverHttp(port, "bob", "b1");
    expect(bob.status).toBe(200);
    await bob.text();
  });
});

describe("agentsocket serve limits from the environment", () => {
  it("RATE_LIMIT_MAX_CONNECTIONS caps an address with 429; RATE_LIMIT_MAX_REQUESTS throttles a connection", async () => {
    const env = {
      AGENTSOCKET_DB: ":memory:",
      RATE_LIMIT_MAX_CONNECTIONS: "1",
      RATE_LIMIT_MAX_REQUESTS: "3",
      RATE_LIMIT_WINDOW: "60000",
    };
    const server = await main(
      ["serve", "--port", "0", "--host", "127.0.0.1"],
      env,
      recorder().runtime,
    );
    if (server === undefined) throw new Error("serve did not start");
    servers.push(server);
    const url = `ws://127.0.0.1:${server.port}/ws`;
    const client = await open(url);
    expect(await tryConnect(WebSocket, url)).toEqual(refused(429, "MAX_CONNECTIONS_PER_IP"));
    for (let i = 0; i < 6; i++) client.send({ type: "nope", requestId: `r${i}` });
    await client.frame(
      () => client.frames.filter((f) => f.type === "error").length === 6,
      "6 answers",
    );
    const codes = client.frames.filter((f) => f.type === "error").map((f) => f.code);
    // Refusals are answered at once, processed frames after the router: compare as sets.
    expect(codes.sort()).toEqual([
      ...Array(3).fill("RATE_LIMITED"),
      ...Array(3).fill("UNKNOWN_TYPE"),
    ]);
  });

  it("a bad limit variable is a usage error naming it", async () => {
    const { output, runtime } = recorder();
    const env = { AGENTSOCKET_DB: ":memory:", AGENTSOCKET_STREAMS_PER_MINUTE: "lots" };
    expect(await main(["serve", "--port", "0"], env, runtime)).toBeUndefined();
    expect(output.exitCode).toBe(2);
    expect(output.error[0]).toBe(
      'agentsocket: AGENTSOCKET_STREAMS_PER_MINUTE must be a positive integer (got "lots")',
    );
  });

  it("reads the seed's window as a bucket that holds the maximum and refills over the window", () => {
    expect(limitsFromEnv({ RATE_LIMIT_MAX_REQUESTS: "1000", RATE_LIMIT_WINDOW: "60000" })).toEqual({
      websocket: { rateLimit: { messagesPerSecond: 1000 / 60, burst: 1000 } },
      agent: {},
    });
    expect(
      limitsFromEnv({
        AGENTSOCKET_MAX_CONNECTIONS_PER_USER: "2",
        AGENTSOCKET_STREAMS_PER_MINUTE: "5",
      }),
    ).toEqual({ websocket: { maxConnectionsPerUser: 2 }, agent: { maxStreamsPerMinute: 5 } });
    expect(() => limitsFromEnv({ RATE_LIMIT_WINDOW: "1000" })).toThrow(
      /needs RATE_LIMIT_MAX_REQUESTS/,
    );
    expect(limitsFromEnv({})).toEqual({ websocket: {}, agent: {} });
  });
});
