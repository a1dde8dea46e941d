/**
 * Conformance: the connected frame, messages both ways, JSON ping, lookups, broadcast, close.
 */
import { expect, it } from "vitest";
import type { WebSocketConnection, WebSocketMessage } from "../types.ts";
import { within } from "./client.ts";
import { deferred, type Harness } from "./harness.ts";

export function connectionCases(h: Harness): void {
  it("sends the connected frame and registers the connection", async () => {
    const { manager, wsUrl } = await h.serve();
    const client = await h.connect(wsUrl());
    const connected = await client.ofType("connected");
    expect(connected).toMatchObject({ type: "connected", protocol: 1 });
    expect(typeof connected.connectionId).toBe("string");
    expect(typeof connected.timestamp).toBe("number");
    const connection = manager.getConnection(connected.connectionId as string);
    expect(connection?.metadata.path).toBe("/ws");
    expect(manager.getConnectionCount()).toBe(1);
  });

  it("delivers text and binary frames to onMessage and sends both back", async () => {
    const received: WebSocketMessage[] = [];
    const { manager, wsUrl } = await h.serve(
      {},
      {
        "/ws": {
          onMessage: (connection, message) => {
            received.push(message);
            manager.send(connection.id, message.data);
          },
        },
      },
    );
    const client = await h.connect(wsUrl());
    client.send({ type: "hello", payload: { n: 1 } });
    expect(await client.ofType("hello")).toEqual({ type: "hello", payload: { n: 1 } });
    client.send(new Uint8Array([0, 1, 2, 255]));
    expect([...(await client.binary())]).toEqual([0, 1, 2, 255]);
    expect(received.map((m) => m.type)).toEqual(["text", "binary"]);
    expect(received[1]!.data).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(received[1]!.data as ArrayBuffer)]).toEqual([0, 1, 2, 255]);
  });

  it("answers a JSON ping with a pong carrying its timestamp, without calling onMessage", async () => {
    let messages = 0;
    const { wsUrl } = await h.serve({}, { "/ws": { onMessage: () => void messages++ } });
    const client = await h.connect(wsUrl());
    client.send({ type: "ping", timestamp: 1234 });
    expect(await client.ofType("pong")).toEqual({ type: "pong", timestamp: 1234 });
    client.send({ type: "ping" });
    await client.frame((f) => f.type === "pong" && f.timestamp !== 1234, "a second pong");
    expect(messages).toBe(0);
  });

  it("finds connections by user and by path, and broadcasts with a filter", async () => {
    const users: Record<string, { id: string; roles: string[] }> = {
      a: { id: "alice", roles: ["admin"] },
      b: { id: "bob", roles: [] },
    };
    const auth = { strategy: "bearer" as const, validate: (token: string) => users[token] ?? null };
    const { manager, wsUrl } = await h.serve({ auth }, { "/ws": {}, "/ws/notifications": {} });
    const alice1 = await h.connect(wsUrl("/ws", "token=a"));
    await h.connect(wsUrl("/ws/notifications", "token=a"));
    const bob = await h.connect(wsUrl("/ws", "token=b"));
    await Promise.all([alice1.ofType("connected"), bob.ofType("connected")]);

    expect(manager.getConnectionsByUser("alice")).toHaveLength(2);
    expect(manager.getConnectionsByUser("bob")).toHaveLength(1);
    expect(manager.getConnectionsByUser("nobody")).toEqual([]);
    expect(manager.getConnectionsByPath("/ws")).toHaveLength(2);
    expect(manager.getConnectionsByPath("/ws/notifications")[0]?.user?.id).toBe("alice");
    expect(manager.getAllConnections()).toHaveLength(3);

    const admins = (c: WebSocketConnection) => c.user?.roles?.includes("admin") ?? false;
    expect(manager.broadcast(JSON.stringify({ type: "admin-only" }), admins)).toBe(2);
    expect(manager.broadcast(JSON.stringify({ type: "everyone" }))).toBe(3);
    await alice1.ofType("admin-only");
    await bob.ofType("everyone");
    expect(bob.frames.some((f) => f.type === "admin-only")).toBe(false);
  });

  it("closes one connection with a code and reason, and runs onClose", async () => {
    const onClose = deferred<[number, string]>();
    const { manager, wsUrl } = await h.serve(
      {},
      {
        "/ws": { onClose: (_c, code, reason) => onClose.resolve([code, reason]) },
      },
    );
    const client = await h.connect(wsUrl());
    const { connectionId } = await client.ofType("connected");
    await manager.close(connectionId as string, 4000, "Session ended");
    expect(await within(client.closed, "the close")).toEqual({
      code: 4000,
      reason: "Session ended",
    });
    expect(await within(onClose.promise, "onClose")).toEqual([4000, "Session ended"]);
    expect(manager.getConnectionCount()).toBe(0);
    expect(manager.send(connectionId as string, "late")).toBe(false);
  });

  it("closeAll closes every connection with 1001", async () => {
    const { manager, wsUrl } = await h.serve();
    const clients = await Promise.all([h.connect(wsUrl()), h.connect(wsUrl()), h.connect(wsUrl())]);
    await Promise.all(clients.map((c) => c.ofType("connected")));
    await manager.closeAll();
    for (const client of clients) expect((await client.closed).code).toBe(1001);
    expect(manager.getConnectionCount()).toBe(0);
  });

  it("survives handlers that throw or reject: onError hears of it, every connection lives on", async () => {
    const errors: Error[] = [];
    const reported = deferred();
    const { wsUrl } = await h.serve(
      {},
      {
        "/ws": {
          onOpen: () => {
            throw new Error("open failed");
          },
          onMessage: async (connection, message) => {
            const text = message.data as string;
            if (text === "throw") throw new Error("sync-style failure");
            if (text === "reject") return Promise.reject(new Error("async failure"));
            (connection.socket as { send(d: string): void }).send(
              JSON.stringify({ type: "echo", text }),
            );
          },
          onError: (_c, error) => {
            errors.push(error);
            if (errors.length === 4) reported.resolve();
          },
        },
      },
    );
    const a = await h.connect(wsUrl());
    const b = await h.connect(wsUrl());
    a.send("throw");
    a.send("reject");
    await within(reported.promise, "four onError calls (two opens, two messages)");
    expect(new Set(errors.map((e) => (e as { code?: string }).code))).toEqual(
      new Set(["HANDLER_ERROR"]),
    );
    expect(errors.map((e) => e.message).sort()).toEqual([
      "onMessage failed: async failure",
      "onMessage failed: sync-style failure",
      "onOpen failed: open failed",
      "onOpen failed: open failed",
    ]);
    a.send("still here");
    b.send("me too");
    expect((await a.ofType("echo")).text).toBe("still here");
    expect((await b.ofType("echo")).text).toBe("me too");
  });
}
