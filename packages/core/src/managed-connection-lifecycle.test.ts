/**
 * A connection's life after the upgrade, over a fake socket on fake timers: pings (protocol or
 * JSON), a dead peer expired and unregistered, the closing handshake with its closeTimeout, a
 * close the socket refuses, frames after the close, and the late handshake that overshoots
 * maxConnections.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { WebSocketConnectionManager } from "./connection-manager.ts";
import { ManagedConnection } from "./managed-connection.ts";
import { acceptFakeSocket as accepted, FakeSocket } from "./testing/fake-socket.ts";

beforeEach(() => {
  vi.useFakeTimers({ now: 1000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("pings", () => {
  it("sends protocol pings where the socket has them, JSON pings where it does not", () => {
    const withPing = accepted({ pingInterval: 100, pongTimeout: 1000 });
    const without = accepted({ pingInterval: 100, pongTimeout: 1000 }, { protocolPing: false });
    without.socket.sent.length = 0;
    vi.advanceTimersByTime(100);
    expect(withPing.socket.pings).toBe(1);
    expect(without.socket.frames()).toEqual([{ type: "ping", timestamp: 1100 }]);
  });

  it("a pong or any frame answers the ping: the peer is not expired", () => {
    const { events, socket, errors, manager } = accepted({ pingInterval: 100, pongTimeout: 200 });
    vi.advanceTimersByTime(100);
    events.pong();
    vi.advanceTimersByTime(150);
    expect(socket.pings).toBe(2); // quiet for 100 ms after the pong at 1100: pinged at 1200
    events.message("still here", false);
    vi.advanceTimersByTime(199);
    expect(errors).toEqual([]);
    expect(manager.getConnectionCount()).toBe(1);
    expect(socket.terminations).toBe(0);
  });

  it("a peer that misses its pong is reported, terminated and unregistered; onClose hears 1006", () => {
    const { socket, errors, closes, manager } = accepted({ pingInterval: 100, pongTimeout: 200 });
    vi.advanceTimersByTime(300);
    expect(errors.map((e) => [e.code, e.message])).toEqual([
      ["PONG_TIMEOUT", "No pong within 200 ms"],
    ]);
    expect(socket.terminations).toBe(1);
    expect(closes).toEqual([[1006, ""]]);
    expect(manager.getConnectionCount()).toBe(0);
  });

  it("a socket without terminate() is closed with 1001 instead", () => {
    const { socket } = accepted({ pingInterval: 100, pongTimeout: 200 }, { terminate: false });
    vi.advanceTimersByTime(300);
    expect(socket.closes).toEqual([{ code: 1001, reason: "Terminated" }]);
  });

  it("does not ping a socket that is no longer open, and reports a ping that throws", () => {
    const closing = accepted({ pingInterval: 100, pongTimeout: 1000 });
    closing.socket.readyState = 2;
    const broken = accepted({ pingInterval: 100, pongTimeout: 1000 });
    broken.socket.ping = () => {
      throw new Error("socket gone");
    };
    vi.advanceTimersByTime(100);
    expect(closing.socket.pings).toBe(0);
    expect(broken.errors.map((e) => [e.code, e.message])).toEqual([
      ["TRANSPORT_ERROR", "socket gone"],
    ]);
  });
});

describe("frames after the close", () => {
  // A socket that can pause (the frame budget needs it), accepted as an adapter would.
  const pausable = () => {
    const manager = new WebSocketConnectionManager({ pingInterval: 0 });
    const closes: [number, string][] = [];
    const messages: unknown[] = [];
    manager.registerHandler("/ws", {
      onMessage: (_c, m) => void messages.push(m),
      onClose: (_c, code, reason) => void closes.push([code, reason]),
    });
    const socket = new FakeSocket();
    const calls: string[] = [];
    Object.assign(socket, {
      pause: () => void calls.push("pause"),
      resume: () => void calls.push("resume"),
    });
    const events = manager.accept(socket, { ok: true, path: "/ws" });
    return { events, socket, closes, messages, calls };
  };

  it("are read again a turn after each 64 (no wait: a flooder's is its terminate's)", () => {
    const { events, socket, calls } = pausable();
    socket.close(4000, "Bye");
    for (let i = 0; i < 64; i++) events.message("late", false);
    expect(calls).toEqual(["pause"]);
    vi.advanceTimersByTime(1);
    expect(calls).toEqual(["pause", "resume"]);
  });

  it("past 1,024 terminate the peer once, whatever else of that read follows", () => {
    const { events, socket, closes, messages } = pausable();
    socket.close(4000, "Bye");
    for (let i = 0; i < 1100; i++) events.message("late", false);
    expect(socket.terminations).toBe(1);
    expect(closes).toEqual([[1006, ""]]);
    expect(messages).toEqual([]);
  });
});

describe("closing", () => {
  it("close() starts the handshake and resolves when the socket reports the close", async () => {
    const { manager, events, socket, closes, messages } = accepted();
    const id = manager.getAllConnections()[0]!.id;
    let done = false;
    const closed = manager.close(id, 4000, "bye").then(() => (done = true));
    expect(socket.closes).toEqual([{ code: 4000, reason: "bye" }]);
    events.message("in flight", false);
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(false);
    events.close(4000, "bye");
    events.close(4000, "bye");
    await closed;
    expect(closes).toEqual([[4000, "bye"]]);
    expect(messages).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
    await manager.close(id); // unknown now: resolves at once
  });

  it("a peer that never finishes the handshake is terminated after closeTimeout", async () => {
    const { manager, socket, closes } = accepted({ closeTimeout: 500 });
    let done = false;
    const closed = manager.closeAll().then(() => (done = true));
    await vi.advanceTimersByTimeAsync(499);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await closed;
    expect(socket.terminations).toBe(1);
    expect(closes).toEqual([[1006, ""]]);
  });

  it("a close the socket refuses (an invalid code) becomes a terminate", async () => {
    const refuse = () => {
      throw new RangeError("invalid close code");
    };
    const { manager, socket } = accepted({}, { onClose: refuse });
    void manager.close(manager.getAllConnections()[0]!.id, 999, "");
    expect(socket.terminations).toBe(1);
    // A socket that can neither close nor terminate is dropped from the registry at closeTimeout.
    const stuck = accepted({ closeTimeout: 100 }, { onClose: refuse, terminate: false });
    let closed: Promise<void> | undefined;
    const id = stuck.manager.getAllConnections()[0]!.id;
    expect(() => (closed = stuck.manager.close(id, 999, ""))).not.toThrow();
    await vi.advanceTimersByTimeAsync(100);
    await closed;
    expect(stuck.closes).toEqual([[1006, ""]]);
    expect(stuck.manager.getConnectionCount()).toBe(0);
  });

  it("closing a connection that has already closed resolves at once and sends nothing", async () => {
    const socket = new FakeSocket();
    const connection = {
      id: "c1",
      socket,
      metadata: { path: "/ws" },
      createdAt: 0,
      lastActivity: 0,
    };
    const settings = {
      maxMessageSize: 8,
      pongTimeout: 1,
      systemFrames: true,
      closeTimeout: 500,
      maxFramesPerTurn: 32,
      maxBufferedBytes: 4 * 1024 * 1024,
    };
    const managed = new ManagedConnection(connection, undefined, settings, () => {});
    expect(managed.closed).toBe(false);
    managed.events().close(1000, "");
    expect(managed.closed).toBe(true);
    await managed.close(1000, "again");
    expect(socket.closes).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a handshake that overshoots maxConnections is closed with 1013 and never opens", () => {
    const opened: string[] = [];
    const first = accepted({ maxConnections: 1 }, undefined, {
      onOpen: (c) => void opened.push(c.id),
    });
    // Two handshakes authorized concurrently: the second is accepted after the first took the slot.
    const late = new FakeSocket();
    const events = first.manager.accept(late, { ok: true, path: "/ws" });
    expect(late.closes).toEqual([{ code: 1013, reason: "Try again later" }]);
    expect(late.sent).toEqual([]);
    expect(first.errors.map((e) => [e.code, e.message, e.closeCode])).toEqual([
      ["MAX_CONNECTIONS", "Maximum connections (1) reached", 1013],
    ]);
    events.close(1013, "Try again later");
    events.message("ignored", false);
    expect(first.closes).toEqual([]);
    expect(first.messages).toEqual([]);
    expect(opened).toHaveLength(1);
    expect(first.manager.getConnectionCount()).toBe(1);
  });
});
