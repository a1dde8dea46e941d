/**
 * One connection after the upgrade, driven the way an adapter drives it (the manager's `accept()`
 * and the events it returns) over a fake socket: frames in, core's own maxMessageSize check (the
 * only guard on runtimes without `ws`'s maxPayload), system frames, and what reaches `onError`.
 * Pings and closing are in managed-connection-lifecycle.test.ts.
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
  vi.restoreAllMocks();
});

describe("frames in", () => {
  it("hands text and binary frames to onMessage, stamped with their arrival", () => {
    const { events, messages, manager } = accepted();
    vi.setSystemTime(5000);
    events.message("hello", false);
    events.message(new TextEncoder().encode("as bytes"), false);
    events.message(new Uint8Array([1, 2, 3]), true);
    expect(messages.map((m) => [m.type, m.timestamp])).toEqual([
      ["text", 5000],
      ["text", 5000],
      ["binary", 5000],
    ]);
    expect(messages[1]?.data).toBe("as bytes");
    expect([...new Uint8Array(messages[2]?.data as ArrayBuffer)]).toEqual([1, 2, 3]);
    expect(manager.getAllConnections()[0]?.lastActivity).toBe(5000);
  });

  it("a frame over maxMessageSize closes with 1009, reports MESSAGE_TOO_LARGE, and ends delivery", () => {
    const { events, socket, messages, errors } = accepted({ maxMessageSize: 8 });
    events.message("12345678", false);
    events.message("ééééé", false); // 5 characters, 10 bytes of UTF-8
    events.message("after", false);
    expect(messages.map((m) => m.data)).toEqual(["12345678"]);
    expect(socket.closes).toEqual([{ code: 1009, reason: "Message too big" }]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      name: "WebSocketError",
      code: "MESSAGE_TOO_LARGE",
      closeCode: 1009,
      message: "Message exceeds max size (8 bytes)",
    });
  });

  it("measures binary frames in bytes too", () => {
    const { events, socket, messages } = accepted({ maxMessageSize: 8 });
    events.message(new Uint8Array(8), true);
    events.message(new Uint8Array(9), true);
    expect(messages).toHaveLength(1);
    expect(socket.closes[0]?.code).toBe(1009);
  });

  it("ws's own maxPayload error is reported and closed the same way", () => {
    const { events, socket, errors } = accepted({ maxMessageSize: 8 });
    events.error(
      Object.assign(new Error("Max payload size exceeded"), {
        code: "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH",
      }),
    );
    expect(errors.map((e) => e.code)).toEqual(["MESSAGE_TOO_LARGE"]);
    expect(socket.closes).toEqual([{ code: 1009, reason: "Message too big" }]);
  });

  it("answers a JSON ping with a pong and keeps system frames from onMessage", () => {
    const { events, socket, messages } = accepted();
    socket.sent.length = 0; // the connected frame
    events.message('{"type":"ping","timestamp":7}', false);
    events.message('{"type":"pong"}', false);
    expect(socket.frames()).toEqual([{ type: "pong", timestamp: 7 }]);
    expect(messages).toEqual([]);
  });

  it("with systemFrames off, sends no connected frame and passes pings to onMessage", () => {
    const { events, socket, messages } = accepted({ systemFrames: false });
    events.message('{"type":"ping","timestamp":7}', false);
    expect(socket.sent).toEqual([]);
    expect(messages.map((m) => m.data)).toEqual(['{"type":"ping","timestamp":7}']);
  });
});

describe("errors", () => {
  it("a handler that throws or rejects is reported as HANDLER_ERROR with the cause", async () => {
    const boom = new Error("boom");
    const { events, errors } = accepted({}, undefined, {
      onMessage: (_c, m) => (m.data === "sync" ? Promise.reject(boom) : undefined),
      onClose: () => {
        throw boom;
      },
    });
    events.message("sync", false);
    await vi.advanceTimersByTimeAsync(0);
    events.close(1000, "");
    expect(errors.map((e) => [e.code, e.message, e.cause])).toEqual([
      ["HANDLER_ERROR", "onMessage failed: boom", boom],
      ["HANDLER_ERROR", "onClose failed: boom", boom],
    ]);
  });

  it("a transport error is reported as TRANSPORT_ERROR, whatever was thrown", () => {
    const { events, errors } = accepted();
    events.error(new Error("ECONNRESET"));
    events.error("not an error");
    events.error(undefined);
    expect(errors.map((e) => [e.code, e.message])).toEqual([
      ["TRANSPORT_ERROR", "ECONNRESET"],
      ["TRANSPORT_ERROR", "Transport error"],
      ["TRANSPORT_ERROR", "Transport error"],
    ]);
    expect(errors[0]?.connectionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("without onError the report goes to the console; an onError that throws is contained", () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const quiet = accepted({ maxMessageSize: 1 }, undefined, { onError: undefined });
    quiet.events.message("too big", false);
    expect(logged.mock.calls).toEqual([
      ["[agentsocket] MESSAGE_TOO_LARGE: Message exceeds max size (1 bytes)"],
    ]);
    const failing = accepted({}, undefined, {
      onError: () => {
        throw new Error("logger down");
      },
    });
    expect(() => failing.events.error(new Error("x"))).not.toThrow();
    expect(logged).toHaveBeenCalledTimes(1);
  });

  it("on a path without a handler frames are dropped and reports go to the console", () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const manager = new WebSocketConnectionManager({ maxMessageSize: 4 });
    const socket = new FakeSocket();
    const events = manager.accept(socket, { ok: true, path: "/ws" });
    expect(() => events.message("fits", false)).not.toThrow();
    events.message("too big", false);
    expect(logged.mock.calls).toEqual([
      ["[agentsocket] MESSAGE_TOO_LARGE: Message exceeds max size (4 bytes)"],
    ]);
    expect(socket.closes[0]?.code).toBe(1009);
  });

  it("a plain error reported without naming a callback is a HANDLER_ERROR of the handler", () => {
    const errors: Error[] = [];
    const connection = {
      id: "c1",
      socket: new FakeSocket(),
      metadata: { path: "/ws" },
      createdAt: 0,
      lastActivity: 0,
    };
    const settings = {
      maxMessageSize: 8,
      pongTimeout: 1,
      systemFrames: true,
      closeTimeout: 1,
      maxFramesPerTurn: 32,
      maxBufferedBytes: 4 * 1024 * 1024,
    };
    const handler = { onError: (_c: unknown, e: Error) => void errors.push(e) };
    new ManagedConnection(connection, handler, settings, () => {}).report(new Error("x"));
    expect(errors).toMatchObject([{ code: "HANDLER_ERROR", message: "handler failed: x" }]);
  });
});
