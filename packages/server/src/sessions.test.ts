/**
 * Session resume (issue 10) on every framework, with real `ws` clients and API-key users: a
 * dropped connection's rooms come back on `session_resume`, frames sent to it while it was away
 * (room broadcasts, sendToUser, sendToConnection and manager.send to its old id) arrive once and
 * in order, the buffer's bounds hold with a `dropped` count, and tokens of another user, forged,
 * or for a forgotten session are refused with `recovered: false` — never a close.
 */
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { connect, within, type Frame, type TestClient } from "@agentsocket/core/testing";
import type { SessionsOptions } from "@agentsocket/core";
import { createTestBackend } from "@agentsocket/core/testing";
import { createServer, type AgentServer, type Framework } from "./index.ts";

const KEYS = { "key-alice": { id: "alice" }, "key-bob": { id: "bob" } };

let server: AgentServer | undefined;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await server?.stop();
  server = undefined;
});

/** Polls a condition the server makes true on its own (a close it has to notice). */
async function until(condition: () => boolean, what: string): Promise<void> {
  await within(
    (async () => {
      while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
    })(),
    what,
    10_000,
  );
}

async function start(framework: Framework, sessions: SessionsOptions | true = true) {
  server = await createServer(createTestBackend(), {
    framework,
    config: {
      port: 0,
      host: "127.0.0.1",
      websocket: {
        pingInterval: 0,
        auth: { strategy: "apiKey", apiKeys: KEYS },
        rooms: { authorizeJoin: () => true },
        sessions,
      },
    },
  });
  await server.start();
  const manager = server.websocket;
  const open = async (key: keyof typeof KEYS) => {
    const client = await connect(WebSocket, `ws://127.0.0.1:${server!.port}/ws?apiKey=${key}`);
    clients.push(client);
    const connected = await client.ofType("connected");
    return { client, connected, id: connected.connectionId as string };
  };
  /** Drops a client without a closing handshake and waits until the server has seen it go. */
  const drop = async (client: TestClient, id: string) => {
    client.socket.terminate();
    await until(() => manager.getConnection(id) === undefined, "the server to see the drop");
  };
  const resume = async (client: TestClient, token: unknown, requestId = "s") => {
    client.send({ type: "session_resume", requestId, payload: { token } });
    return client.ofType("session", requestId);
  };
  return { manager, open, drop, resume };
}

const notes = (client: TestClient) =>
  client.frames.filter((f) => f.type === "note").map((f) => f.n as number);

describe.each(["hono", "express", "fastify"] as Framework[])("sessions on %s", (framework) => {
  it("restores rooms and delivers what was sent while away, once and in order", async () => {
    const { manager, open, drop, resume } = await start(framework);
    const first = await open("key-alice");
    expect(first.connected).toMatchObject({
      sessionId: expect.any(String),
      resumeToken: expect.any(String),
    });
    const { sessionId, resumeToken } = first.connected as Frame & Record<string, string>;
    expect(manager.getConnection(first.id)?.sessionId).toBe(sessionId);
    first.client.send({ type: "join", requestId: "j", payload: { room: "lobby" } });
    await first.client.ofType("joined", "j");
    expect(manager.joinRoom(first.id, "ops")).toBe(true);
    await drop(first.client, first.id);

    manager.broadcastToRoom("lobby", { type: "note", n: 1 });
    manager.sendToUser("alice", { type: "note", n: 2 });
    manager.sendToConnection(first.id, { type: "note", n: 3 });
    expect(manager.send(first.id, JSON.stringify({ type: "note", n: 4 }))).toBe(true);
    manager.broadcastToRoom("ops", { type: "note", n: 5 });

    // Bob holds Alice's token: refused, and he sees none of her frames.
    const bob = await open("key-bob");
    expect(await resume(bob.client, resumeToken)).toMatchObject({
      recovered: false,
      reason: "forbidden",
    });

    const second = await open("key-alice");
    const session = await resume(second.client, resumeToken);
    expect(session).toMatchObject({ recovered: true, sessionId, streams: [], dropped: 0 });
    expect([...(session.rooms as string[])].sort()).toEqual(["lobby", "ops"]);
    expect(session.resumeToken).toEqual(expect.any(String));
    await second.client.frame((f) => f.type === "note" && f.n === 5, "the last kept frame");
    // The session frame comes first, then the kept frames in the order they were sent.
    const sessionAt = second.client.frames.indexOf(session);
    expect(second.client.frames.slice(sessionAt + 1).map((f) => f.n)).toEqual([1, 2, 3, 4, 5]);
    expect(manager.getConnection(second.id)?.sessionId).toBe(sessionId);
    expect(manager.getUserRooms(second.id).sort()).toEqual(["lobby", "ops"]);

    // The restored rooms are live: a new broadcast reaches the resumed connection, once.
    manager.broadcastToRoom("lobby", { type: "note", n: 6 });
    await second.client.frame((f) => f.type === "note" && f.n === 6, "a live room frame");
    // The old id no longer keeps frames; the connection lives on after refusals too.
    expect(manager.send(first.id, JSON.stringify({ type: "note", n: 7 }))).toBe(false);
    bob.client.send({ type: "ping", timestamp: 1 });
    await bob.client.ofType("pong");
    expect(notes(bob.client)).toEqual([]);
    expect(notes(second.client)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(manager.getRoomInfo("lobby")?.memberCount).toBe(1);
  }, 30_000);

  it("keeps at most maxFrames and maxBytes, and says how many it dropped", async () => {
    const { manager, open, drop, resume } = await start(framework, {
      maxFrames: 3,
      maxBytes: 512,
    });
    const first = await open("key-alice");
    manager.joinRoom(first.id, "lobby");
    await drop(first.client, first.id);
    for (let n = 1; n <= 5; n++) manager.broadcastToRoom("lobby", { type: "note", n });

    const second = await open("key-alice");
    const session = await resume(second.client, first.connected.resumeToken);
    expect(session).toMatchObject({ recovered: true, dropped: 2, rooms: ["lobby"] });
    await second.client.frame((f) => f.type === "note" && f.n === 3, "the kept frames");

    // Dropped again, resumed with the token the session frame carried: a frame over maxBytes
    // is dropped, and so is everything after it (what is kept is never a sequence with holes).
    await drop(second.client, second.id);
    manager.broadcastToRoom("lobby", { type: "note", n: 10 });
    manager.broadcastToRoom("lobby", { type: "note", n: 11, pad: "x".repeat(600) });
    manager.broadcastToRoom("lobby", { type: "note", n: 12 });
    const third = await open("key-alice");
    const again = await resume(third.client, session.resumeToken, "s2");
    expect(again).toMatchObject({ recovered: true, dropped: 2, sessionId: session.sessionId });
    await third.client.frame((f) => f.type === "note" && f.n === 10, "the kept frame");
    manager.broadcastToRoom("lobby", { type: "note", n: 13 });
    await third.client.frame((f) => f.type === "note" && f.n === 13, "a live frame");
    expect(notes(third.client)).toEqual([10, 13]);
  }, 30_000);

  it("refuses forged tokens and forgotten sessions, and lists streams from the provider", async () => {
    const { manager, open, drop, resume } = await start(framework, { ttlMs: 300 });
    const asked: unknown[] = [];
    manager.setSessionStreamsProvider((session) => {
      asked.push(session);
      return [{ streamId: "st-1", lastOffset: 4 }];
    });
    const first = await open("key-alice");
    const token = first.connected.resumeToken as string;
    const probe = await open("key-alice");
    // One character of the signature changed.
    const at = token.length - 10;
    const forged = `${token.slice(0, at)}${token[at] === "A" ? "B" : "A"}${token.slice(at + 1)}`;
    expect(await resume(probe.client, forged, "f")).toMatchObject({
      recovered: false,
      reason: "invalid",
    });
    expect(await resume(probe.client, 42, "n")).toMatchObject({
      recovered: false,
      reason: "invalid",
    });

    // A drop, then a resume within ttlMs: the provider's streams come back.
    manager.joinRoom(first.id, "lobby");
    await drop(first.client, first.id);
    const second = await open("key-alice");
    const session = await resume(second.client, token);
    expect(session).toMatchObject({
      recovered: true,
      streams: [{ streamId: "st-1", lastOffset: 4 }],
    });
    expect(asked).toEqual([
      { sessionId: first.connected.sessionId, connectionId: first.id, userId: "alice" },
    ]);

    // Dropped and never resumed within ttlMs: the session is forgotten, its rooms left.
    await drop(second.client, second.id);
    expect(manager.getRoomInfo("lobby")?.memberCount).toBe(1);
    await until(() => manager.getRoomInfo("lobby") === undefined, "the session to expire");
    const late = await open("key-alice");
    expect(await resume(late.client, session.resumeToken)).toMatchObject({
      recovered: false,
      reason: "not_found",
    });
    late.client.send({ type: "ping", timestamp: 2 });
    expect(await late.client.ofType("pong")).toMatchObject({ timestamp: 2 });
  }, 30_000);
});

describe("a session whose old socket lingers", () => {
  it("is taken over: the old socket is dropped, its rooms move to the newcomer", async () => {
    const { manager, open, resume } = await start("hono");
    const first = await open("key-alice");
    manager.joinRoom(first.id, "lobby");
    // The first socket never closes (think of a half-open TCP connection after a network switch).
    const second = await open("key-alice");
    const session = await resume(second.client, first.connected.resumeToken);
    expect(session).toMatchObject({ recovered: true, rooms: ["lobby"], dropped: 0 });
    expect((await within(first.client.closed, "the old socket's end", 5000)).code).toBe(1006);
    expect(manager.getConnection(first.id)).toBeUndefined();
    manager.broadcastToRoom("lobby", { type: "note", n: 1 });
    await second.client.frame((f) => f.type === "note", "a room frame on the newcomer");
    expect(manager.getRoomInfo("lobby")?.memberCount).toBe(1);
  });
});

describe("sessions options", () => {
  it("are off by default, and agent.resume turns them on", async () => {
    server = await createServer(createTestBackend(), { config: { port: 0, host: "127.0.0.1" } });
    await server.start();
    const plain = await connect(WebSocket, `ws://127.0.0.1:${server.port}/ws`);
    clients.push(plain);
    expect(Object.keys(await plain.ofType("connected")).sort()).toEqual([
      "connectionId",
      "protocol",
      "timestamp",
      "type",
    ]);
    await server.stop();

    server = await createServer(createTestBackend(), {
      config: { port: 0, host: "127.0.0.1", agent: { resume: true } },
    });
    await server.start();
    const resumable = await connect(WebSocket, `ws://127.0.0.1:${server.port}/ws`);
    clients.push(resumable);
    expect(await resumable.ofType("connected")).toMatchObject({
      sessionId: expect.any(String),
      resumeToken: expect.any(String),
    });
  });

  it("throw a TypeError naming the bad option", async () => {
    const make = (sessions: unknown) =>
      createServer(createTestBackend(), {
        config: { websocket: { sessions: sessions as SessionsOptions } },
      });
    await expect(make({ ttlMs: 0 })).rejects.toThrow(/"sessions.ttlMs"/);
    await expect(make({ maxFrames: 1.5 })).rejects.toThrow(/"sessions.maxFrames"/);
    await expect(make({ secret: "short" })).rejects.toThrow(/"sessions.secret"/);
    await expect(make("yes")).rejects.toThrow(/"sessions" option/);
  });
});
