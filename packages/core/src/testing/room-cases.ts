/**
 * Conformance: rooms on one instance — server-side join/leave and sends, limits, membership ending
 * on close, and the client `join`/`leave` frames guarded by `rooms.authorizeJoin`.
 */
import { expect, it } from "vitest";
import type { WebSocketConfig, WebSocketHandler } from "../types.ts";
import type { TestClient } from "./client.ts";
import { deferred, type Harness } from "./harness.ts";

const USERS: Record<string, { id: string }> = { a: { id: "alice" }, b: { id: "bob" } };
const auth = { strategy: "bearer" as const, validate: (token: string) => USERS[token] ?? null };

/** Everything a client received after `connected`, as type names (frames then binaries). */
const seen = (client: TestClient) => client.frames.filter((f) => f.type !== "connected");

export function roomCases(h: Harness): void {
  async function clients(config: WebSocketConfig, tokens: string[], handler?: WebSocketHandler) {
    const served = await h.serve({ auth, ...config }, handler ? { "/ws": handler } : {});
    const list = await Promise.all(tokens.map((t) => h.connect(served.wsUrl("/ws", `token=${t}`))));
    const ids = await Promise.all(
      list.map(async (c) => (await c.ofType("connected")).connectionId as string),
    );
    return { ...served, list, ids };
  }

  it("broadcastToRoom reaches the members once each and nobody else; data is encoded once", async () => {
    const { manager, list, ids } = await clients({}, ["a", "a", "b"]);
    const [a1, a2, b] = list as [TestClient, TestClient, TestClient];
    expect(manager.joinRoom(ids[0]!, "lobby")).toBe(true);
    expect(manager.joinRoom(ids[0]!, "lobby")).toBe(true); // idempotent
    expect(manager.joinRoom(ids[1]!, "lobby")).toBe(true);
    let encodings = 0;
    const frame = { toJSON: () => (encodings++, { type: "news", n: 1 }) };
    expect(manager.broadcastToRoom("lobby", frame)).toBe(2);
    expect(encodings).toBe(1);
    expect(manager.broadcastToRoom("lobby", '{"type":"text"}')).toBe(2);
    expect(manager.broadcastToRoom("lobby", new Uint8Array([7, 8]))).toBe(2);
    expect(manager.broadcastToRoom("lobby", { type: "skip-a1" }, { except: ids[0]! })).toBe(1);
    expect(manager.broadcast({ type: "fence" })).toBe(3);
    await Promise.all(list.map((c) => c.ofType("fence")));
    expect(seen(a1).map((f) => f.type)).toEqual(["news", "text", "fence"]);
    expect(seen(a2).map((f) => f.type)).toEqual(["news", "text", "skip-a1", "fence"]);
    expect(seen(b).map((f) => f.type)).toEqual(["fence"]);
    expect([...(await a1.binary())]).toEqual([7, 8]);
    expect(b.binaries).toEqual([]);
    expect(manager.getRoomInfo("lobby")).toMatchObject({
      name: "lobby",
      memberCount: 2,
      userCount: 1,
    });
    expect(manager.getRoomInfo("nowhere")).toBeUndefined();
  });

  it("broadcastToRooms sends one copy to a connection in several rooms", async () => {
    const { manager, list, ids } = await clients({}, ["a", "b", "b"]);
    const [a, b1, b2] = list as [TestClient, TestClient, TestClient];
    manager.joinRoom(ids[0]!, "x");
    manager.joinRoom(ids[0]!, "y");
    manager.joinRoom(ids[1]!, "y");
    expect(manager.broadcastToRooms(["x", "y", "x"], { type: "both" })).toBe(2);
    expect(manager.sendToUser("bob", { type: "for-bob" })).toBe(2);
    expect(manager.sendToConnection(ids[2]!, '{"type":"direct"}')).toBe(true);
    expect(manager.sendToConnection("no-such-id", { type: "lost" })).toBe(false);
    expect(manager.broadcast({ type: "fence" })).toBe(3);
    await Promise.all(list.map((c) => c.ofType("fence")));
    expect(seen(a).map((f) => f.type)).toEqual(["both", "fence"]);
    expect(seen(b1).map((f) => f.type)).toEqual(["both", "for-bob", "fence"]);
    expect(seen(b2).map((f) => f.type)).toEqual(["for-bob", "direct", "fence"]);
  });

  it("enforces the room limits and lists rooms; joinRoom is false for unknown connections", async () => {
    const rooms = { maxRoomsPerConnection: 2, maxRoomNameLength: 5 };
    const { manager, ids } = await clients({ rooms }, ["a"]);
    const id = ids[0]!;
    expect(manager.joinRoom(id, "r1")).toBe(true);
    expect(manager.joinRoom(id, "r2")).toBe(true);
    expect(manager.joinRoom(id, "r3")).toBe(false);
    expect(manager.joinRoom(id, "r1")).toBe(true); // already in: not a new room
    expect(manager.getUserRooms(id).sort()).toEqual(["r1", "r2"]);
    expect(manager.leaveRoom(id, "r2")).toBe(true);
    expect(manager.leaveRoom(id, "r2")).toBe(false);
    expect(manager.joinRoom(id, "toolong")).toBe(false);
    expect(manager.joinRoom(id, "")).toBe(false);
    expect(manager.joinRoom("unknown", "r1")).toBe(false);
    expect(manager.getRooms()).toEqual(["r1"]);
    expect(manager.getUserRooms("unknown")).toEqual([]);
    await expect(h.serve({ rooms: { maxRoomsPerConnection: 0 } })).rejects.toThrow(
      /"rooms.maxRoomsPerConnection"/,
    );
  });

  it("membership ends when the connection closes", async () => {
    const closed = deferred();
    const { manager, list, ids } = await clients({}, ["a", "b"], {
      onClose: () => closed.resolve(),
    });
    manager.joinRoom(ids[0]!, "lobby");
    manager.joinRoom(ids[1]!, "lobby");
    await list[0]!.close();
    await closed.promise;
    expect(manager.getRoomInfo("lobby")?.memberCount).toBe(1);
    expect(manager.getUserRooms(ids[0]!)).toEqual([]);
    await list[1]!.close();
    await new Promise<void>((resolve) => {
      const poll = () => (manager.getConnectionCount() === 0 ? resolve() : setImmediate(poll));
      poll();
    });
    expect(manager.getRooms()).toEqual([]);
  });

  it("refuses client joins with FORBIDDEN unless authorizeJoin allows them", async () => {
    let messages = 0;
    const closedDefault = await clients({}, ["a"], { onMessage: () => void messages++ });
    const plain = closedDefault.list[0]!;
    plain.send({ type: "join", payload: { room: "lobby" }, requestId: "j0" });
    expect(await plain.ofType("error", "j0")).toMatchObject({ code: "FORBIDDEN" });
    expect(closedDefault.manager.getRooms()).toEqual([]);

    const rooms = {
      maxRoomsPerConnection: 2,
      authorizeJoin: async (connection: { user?: { id: string } }, room: string) =>
        room.startsWith("public") || connection.user?.id === "alice",
    };
    const { manager, list, ids } = await clients({ rooms }, ["b"], {
      onMessage: () => void messages++,
    });
    const bob = list[0]!;
    bob.send({ type: "join", payload: { room: "private" }, requestId: "j1" });
    expect(await bob.ofType("error", "j1")).toMatchObject({ code: "FORBIDDEN" });
    bob.send({ type: "join", payload: { room: "public-1" }, requestId: "j2" });
    expect(await bob.ofType("joined", "j2")).toEqual({
      type: "joined",
      requestId: "j2",
      room: "public-1",
    });
    expect(manager.getUserRooms(ids[0]!)).toEqual(["public-1"]);
    expect(manager.broadcastToRoom("public-1", { type: "hello-room" })).toBe(1);
    await bob.ofType("hello-room");
    bob.send({ type: "join", payload: { room: "public-2" }, requestId: "j3" });
    await bob.ofType("joined", "j3");
    bob.send({ type: "join", payload: { room: "public-3" }, requestId: "j4" });
    expect(await bob.ofType("error", "j4")).toMatchObject({ code: "TOO_MANY_ROOMS" });
    bob.send({ type: "join", payload: { room: 42 }, requestId: "j5" });
    expect(await bob.ofType("error", "j5")).toMatchObject({ code: "VALIDATION_FAILED" });
    bob.send({ type: "leave", payload: { room: "public-1" }, requestId: "l1" });
    expect(await bob.ofType("left", "l1")).toEqual({
      type: "left",
      requestId: "l1",
      room: "public-1",
    });
    expect(manager.getUserRooms(ids[0]!)).toEqual(["public-2"]);
    expect(messages).toBe(0); // room frames never reach the path's handler
  });

  it("a throwing authorizeJoin answers INTERNAL_ERROR and reaches onError; the connection lives", async () => {
    const reported = deferred<Error>();
    const rooms = {
      authorizeJoin: () => {
        throw new Error("policy store offline");
      },
    };
    const { list } = await clients({ rooms }, ["a"], { onError: (_c, e) => reported.resolve(e) });
    const client = list[0]!;
    client.send({ type: "join", payload: { room: "lobby" }, requestId: "j1" });
    expect(await client.ofType("error", "j1")).toMatchObject({
      code: "INTERNAL_ERROR",
      error: "Internal error",
    });
    const error = (await reported.promise) as Error & { code?: string };
    expect(error.code).toBe("HANDLER_ERROR");
    expect(error.message).toContain("policy store offline");
    client.send({ type: "ping", timestamp: 5 });
    expect(await client.ofType("pong")).toEqual({ type: "pong", timestamp: 5 });
  });
}
