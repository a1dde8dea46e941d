/**
 * `ai:reconnect` across instances (issue 15): two `createServer`s with `config.socketio` on one
 * real redis-server (a Redis broker, `agent.resume` on) and the real `socket.io-client`. A stream
 * started on A whose client's transport drops goes on on a client of the same user that names
 * the old one on B — its rooms too, every remaining token once, then `ai:done`; another user, a
 * second claim and an expired record get `NOT_FOUND`; `ai:cancel` on B stops A's model.
 */
import { describe, expect, it } from "vitest";
import { createClient } from "redis";
import { createTestBackend, TEST_TEXT, type TestBackend } from "@agentsocket/core/testing";
import { connectTestClient, type TestClient } from "@agentsocket/socket.io/testing";
import { eventually, useCluster } from "./cluster-harness.ts";

type Token = { streamId: string; data: string; tokenCount: number };

const harness = useCluster();
let run = 0;

/** Two nodes on one prefix; `window` is the binding's `reconnectWindow`. */
async function pair(backendA: TestBackend, window?: number) {
  const prefix = `sio${++run}-${process.pid}`;
  const socketio = window === undefined ? true : { reconnectWindow: window };
  const config = { socketio, agent: { resume: { graceMs: 20_000 } } };
  const [a, b] = await Promise.all(
    [backendA, createTestBackend()].map((backend) =>
      harness.node("hono", { prefix }, { backend, config }),
    ),
  );
  const connect = async (node: typeof a, user: string) => {
    const client = await connectTestClient(`http://${node!.base}/ai`, { auth: { token: user } });
    harness.defer(() => client.close());
    return client;
  };
  const redis = createClient({ url: harness.redis.url });
  await redis.connect();
  harness.defer(() => redis.close());
  /** Resolves once A has noticed the drop and its record of `clientId` is in Redis. */
  const parked = (clientId: string) =>
    eventually(
      async () => (await redis.exists(`${prefix}:{c:${clientId}}:sio`)) === 1,
      `the record of ${clientId} in Redis`,
    );
  /** Resolves once the record of `clientId` has expired from Redis. */
  const expired = (clientId: string) =>
    eventually(
      async () => (await redis.exists(`${prefix}:{c:${clientId}}:sio`)) === 0,
      `the record of ${clientId} to expire`,
    );
  return { a: a!, b: b!, connect, parked, expired };
}

/** A stream on A, its transport dropped once `tokens` arrived; the tokens the client has. */
async function dropMidStream(client: TestClient, streamId: string, prompt = "hi", tokens = 3) {
  client.socket.emit("ai:stream", { prompt, streamId });
  await client.next<Token>("ai:token", (token) => token.tokenCount >= tokens);
  client.socket.io.engine.close(); // the transport drops; the server finds out on its own
  await client.disconnected;
  return client.received<Token>("ai:token");
}

describe("ai:reconnect across instances (Redis)", () => {
  it("a stream started on A goes on on B with the client's rooms: every token once", async () => {
    const { a, b, connect, parked } = await pair(createTestBackend({ tokenDelay: 25 }));
    const first = await connect(a, "alice");
    const previousClientId = first.socket.id!;
    const io = a.server.socketio as {
      of(name: string): { sockets: Map<string, { join(room: string): void }> };
    };
    io.of("/ai").sockets.get(previousClientId)!.join("news");
    const had = await dropMidStream(first, "s1");
    await parked(previousClientId);

    const thief = await connect(b, "bob");
    thief.socket.emit("ai:reconnect", { previousClientId, streams: { s1: had.length } });
    expect(await thief.next("ai:error")).toEqual({
      code: "NOT_FOUND",
      error: "Unknown previous client",
    });

    const second = await connect(b, "alice");
    second.socket.emit("ai:reconnect", { previousClientId, streams: { s1: had.length } });
    expect(await second.next("ai:reconnect:success")).toEqual({
      previousClientId,
      newClientId: second.socket.id,
      rooms: ["news"],
      streams: ["s1"],
    });
    const done = await second.next("ai:done");
    expect(done).toMatchObject({ streamId: "s1", totalTokens: expect.any(Number) });
    const rest = second.received<Token>("ai:token");
    expect(rest.length).toBeGreaterThan(0);
    const all = [...had, ...rest];
    expect(all.map((token) => token.data).join("")).toBe(TEST_TEXT);
    expect(all.map((token) => token.tokenCount)).toEqual(all.map((_, i) => i + 1));
    expect(second.order.filter((event) => event.startsWith("ai:stream"))).toEqual([
      "ai:stream:complete",
    ]);
    expect(thief.received("ai:token")).toEqual([]);

    // Taken over once: a second claim, on either instance, finds nothing.
    second.socket.emit("ai:reconnect", { previousClientId });
    expect(await second.next("ai:error")).toMatchObject({ code: "NOT_FOUND" });
    const third = await connect(a, "alice");
    third.socket.emit("ai:reconnect", { previousClientId });
    expect(await third.next("ai:error")).toMatchObject({ code: "NOT_FOUND" });
  });

  it("ai:cancel on B stops the moved stream's model on A", async () => {
    const backendA = createTestBackend({ tokenDelay: 25 });
    const { a, b, connect, parked } = await pair(backendA);
    const first = await connect(a, "alice");
    const previousClientId = first.socket.id!;
    const had = await dropMidStream(first, "long", "forever");
    await parked(previousClientId);

    const second = await connect(b, "alice");
    second.socket.emit("ai:reconnect", { previousClientId, streams: { long: had.length } });
    expect(await second.next("ai:reconnect:success")).toMatchObject({ streams: ["long"] });
    await second.next<Token>("ai:token", (token) => token.tokenCount > had.length + 2);
    expect(backendA.state.abortedAt).toEqual([]);
    const aborted = backendA.state.nextAbort();
    second.socket.emit("ai:cancel", { streamId: "long" });
    expect(await second.next("ai:stream:cancelled")).toEqual({ streamId: "long" });
    await aborted;
    const counts = second.received<Token>("ai:token").map((token) => token.tokenCount);
    expect(counts).toEqual(counts.map((_, i) => had.length + i + 1));
  });

  it("a record expires after reconnectWindow: then NOT_FOUND on any instance", async () => {
    const { a, b, connect, parked, expired } = await pair(createTestBackend(), 1500);
    const gone = await Promise.all([connect(a, "alice"), connect(a, "alice")]);
    const [kept, lapsed] = gone.map((client) => client.socket.id!);
    for (const client of gone) client.socket.io.engine.close();
    await Promise.all(gone.map((client) => client.disconnected));
    await Promise.all([parked(kept!), parked(lapsed!)]);

    const within = await connect(b, "alice");
    within.socket.emit("ai:reconnect", { previousClientId: kept });
    expect(await within.next("ai:reconnect:success")).toMatchObject({ streams: [] });
    await expired(lapsed!);
    const late = await connect(b, "alice");
    late.socket.emit("ai:reconnect", { previousClientId: lapsed });
    expect(await late.next("ai:error")).toMatchObject({ code: "NOT_FOUND" });
  });
});
