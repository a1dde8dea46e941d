/**
 * Conformance: the abuse limits of issue 13 — a per-connection message rate (refusals answered
 * `RATE_LIMITED`, a flood closed with 1008, other clients untouched), per-user and per-address
 * connection caps (429 at the handshake), streams per user per minute, and first-message auth.
 */
import { expect, it } from "vitest";
import { createAgentWebSocketHandler } from "../agent/ws-handler.ts";
import type { TokenAuthConfig } from "../auth/types.ts";
import { within, type Frame, type TestClient } from "./client.ts";
import { deferred, refused, type Harness } from "./harness.ts";
import { createTestBackend } from "./test-backend.ts";

/** Bearer tokens are the user ids; "mallory" is refused. */
const auth = (extra: Partial<TokenAuthConfig> = {}): TokenAuthConfig => ({
  strategy: "bearer",
  validate: (token) => (token === "mallory" ? null : { id: token }),
  ...extra,
});

const answers = (client: TestClient, prefix: string) =>
  client.frames.filter((f) => typeof f.requestId === "string" && f.requestId.startsWith(prefix));

async function streamTo(client: TestClient, requestId: string): Promise<Frame> {
  client.send({ type: "stream", requestId, payload: { prompt: "hello" } });
  return client.frame(
    (f) => f.requestId === requestId && (f.type === "stream_complete" || f.type === "error"),
    `the end of ${requestId}`,
    10_000,
  );
}

export function abuseCases(h: Harness): void {
  it("rateLimit: frames past the bucket get RATE_LIMITED with their requestId, unprocessed; another client streams", async () => {
    const handler = createAgentWebSocketHandler(createTestBackend(), { onError: () => {} });
    const { wsUrl } = await h.serve(
      { rateLimit: { messagesPerSecond: 2, burst: 5, maxRefusals: 1000 } },
      { "/ws": handler },
    );
    const flooder = await h.connect(wsUrl());
    const other = await h.connect(wsUrl());
    await Promise.all([flooder.ofType("connected"), other.ofType("connected")]);
    for (let i = 0; i < 40; i++) flooder.send({ type: "nope", requestId: `f${i}` });
    const done = await streamTo(other, "s1");
    await flooder.frame(() => answers(flooder, "f").length === 40, "an answer to each frame");
    const byCode = (code: string) => answers(flooder, "f").filter((f) => f.code === code);
    // Processed frames reach the router (UNKNOWN_TYPE); the burst goes through first.
    expect(byCode("UNKNOWN_TYPE").map((f) => f.requestId)).toEqual(
      expect.arrayContaining(["f0", "f1", "f2", "f3", "f4"]),
    );
    expect(byCode("UNKNOWN_TYPE").length).toBeLessThan(15);
    expect(byCode("RATE_LIMITED").length).toBe(40 - byCode("UNKNOWN_TYPE").length);
    expect(byCode("RATE_LIMITED")[0]).toMatchObject({ type: "error", error: expect.any(String) });
    expect(done).toMatchObject({ type: "stream_complete", status: "completed" });
    expect(other.frames.some((f) => f.code === "RATE_LIMITED")).toBe(false);
    expect(flooder.socket.readyState).toBe(1);
  });

  it("rateLimit: a connection that keeps flooding is closed with 1008, onError hears RATE_LIMITED", async () => {
    const heard = deferred<Error>();
    const { manager, wsUrl } = await h.serve(
      { rateLimit: { messagesPerSecond: 1, burst: 2, maxRefusals: 10 } },
      { "/ws": { onError: (_c, error) => heard.resolve(error) } },
    );
    const flooder = await h.connect(wsUrl());
    const other = await h.connect(wsUrl());
    for (let i = 0; i < 200; i++) flooder.send({ type: "ping", requestId: `p${i}` });
    expect(await within(flooder.closed, "the 1008 close")).toEqual({
      code: 1008,
      reason: "Rate limit exceeded",
    });
    expect(await within(heard.promise, "onError")).toMatchObject({ code: "RATE_LIMITED" });
    other.send({ type: "ping", timestamp: 3 });
    expect(await other.ofType("pong")).toEqual({ type: "pong", timestamp: 3 });
    expect(manager.getConnectionCount()).toBe(1);
  });

  it("maxConnectionsPerUser: the user's third handshake gets 429, another user connects, a freed place is reusable", async () => {
    const closed = deferred();
    const { manager, wsUrl } = await h.serve(
      { auth: auth(), maxConnectionsPerUser: 2 },
      { "/ws": { onClose: () => closed.resolve() } },
    );
    const first = await h.connect(wsUrl("/ws", "token=alice"));
    await h.connect(wsUrl("/ws", "token=alice"));
    expect(await h.tryConnect(wsUrl("/ws", "token=alice"))).toEqual(
      refused(429, "MAX_CONNECTIONS_PER_USER"),
    );
    await h.connect(wsUrl("/ws", "token=bob"));
    expect(manager.getConnectionsByUser("alice")).toHaveLength(2);
    await first.close();
    await within(closed.promise, "the server to see the close");
    await (await h.connect(wsUrl("/ws", "token=alice"))).ofType("connected");
  });

  it("maxConnectionsPerUser: handshakes that pass auth together past the cap: the extra one is closed with 1008", async () => {
    // Auth answers only once all three handshakes are waiting on it, so each passes the cap check.
    const waiting: (() => void)[] = [];
    const validate = (token: string) =>
      new Promise<{ id: string }>((resolve) => {
        waiting.push(() => resolve({ id: token }));
        if (waiting.length === 3) for (const go of waiting) go();
      });
    const { manager, wsUrl } = await h.serve({
      auth: { strategy: "bearer", validate },
      maxConnectionsPerUser: 2,
    });
    const results = await Promise.all(
      [1, 2, 3].map(() => h.tryConnect(wsUrl("/ws", "token=alice"))),
    );
    const clients = results.flatMap((r) => (r.ok ? [r.client] : []));
    expect(clients).toHaveLength(3);
    expect(
      await within(Promise.race(clients.map((c) => c.closed)), "the extra one's close"),
    ).toEqual({ code: 1008, reason: "Too many connections" });
    expect(manager.getConnectionsByUser("alice")).toHaveLength(2);
  });

  it("maxConnectionsPerIp: the address's third handshake gets 429 MAX_CONNECTIONS_PER_IP", async () => {
    const { manager, wsUrl } = await h.serve({ maxConnectionsPerIp: 2 });
    await h.connect(wsUrl());
    await h.connect(wsUrl());
    expect(await h.tryConnect(wsUrl())).toEqual(refused(429, "MAX_CONNECTIONS_PER_IP"));
    expect(manager.getConnectionCount()).toBe(2);
  });

  it("maxStreamsPerMinute: a user's third stream in a minute gets RATE_LIMITED, on any of its connections", async () => {
    const backend = createTestBackend();
    const handler = createAgentWebSocketHandler(backend, { maxStreamsPerMinute: 2 });
    const { wsUrl } = await h.serve({ auth: auth() }, { "/ws": handler });
    const [a1, a2, bob] = await Promise.all(
      ["alice", "alice", "bob"].map((user) => h.connect(wsUrl("/ws", `token=${user}`))),
    );
    expect(await streamTo(a1!, "a1")).toMatchObject({ type: "stream_complete" });
    expect(await streamTo(a2!, "a2")).toMatchObject({ type: "stream_complete" });
    const refusedStream = await streamTo(a1!, "a3");
    expect(refusedStream).toMatchObject({ type: "error", code: "RATE_LIMITED", requestId: "a3" });
    expect(a1!.frames.some((f) => f.type === "stream_start" && f.requestId === "a3")).toBe(false);
    expect(await streamTo(bob!, "b1")).toMatchObject({ type: "stream_complete" });
  });

  it("first-message auth: held without a connected frame until {type:auth}, then the user's connection", async () => {
    const { manager, wsUrl } = await h.serve({ auth: auth({ firstMessage: true }) });
    const client = await h.connect(wsUrl());
    expect(manager.getConnectionCount()).toBe(0);
    client.send({ type: "auth", payload: { token: "alice" } });
    client.send({ type: "ping", timestamp: 9 }); // sent behind the auth frame: served after it
    const connected = await client.ofType("connected");
    expect(await client.ofType("pong")).toEqual({ type: "pong", timestamp: 9 });
    expect(client.frames.indexOf(connected)).toBe(0);
    expect(manager.getConnectionsByUser("alice").map((c) => c.id)).toEqual([
      connected.connectionId,
    ]);
    // Credentials in the handshake still work as before, and bad ones are still a 401.
    await (await h.connect(wsUrl("/ws", "token=bob"))).ofType("connected");
    expect(await h.tryConnect(wsUrl("/ws", "token=mallory"))).toEqual(refused(401, "UNAUTHORIZED"));
  });

  it("first-message auth: no auth frame in time, a bad token, or another first frame close with 1008", async () => {
    const { manager, wsUrl } = await h.serve({ auth: auth({ firstMessage: { timeoutMs: 300 } }) });
    const silent = await h.connect(wsUrl());
    const bad = await h.connect(wsUrl());
    const rude = await h.connect(wsUrl());
    bad.send({ type: "auth", payload: { token: "mallory" } });
    rude.send({ type: "stream", requestId: "r", payload: { prompt: "hi" } });
    expect(await within(silent.closed, "the deadline")).toEqual({
      code: 1008,
      reason: "Authentication timeout",
    });
    expect(await within(bad.closed, "the bad token's close")).toEqual({
      code: 1008,
      reason: "Invalid credentials",
    });
    expect((await within(rude.closed, "the rude client's close")).code).toBe(1008);
    for (const client of [silent, bad, rude]) expect(client.frames).toEqual([]);
    expect(manager.getConnectionCount()).toBe(0);
  });
}
