/**
 * The instrumentation hook, driven the way an adapter drives a connection over a fake socket:
 * what each hook hears, that a throwing hook breaks nothing, that bad hooks are refused up front,
 * and that the labels it hands over are bounded.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { WebSocketConnectionManager } from "../connection-manager.ts";
import { createStreamingChannel } from "../streaming/channel.ts";
import { acceptFakeSocket, FakeSocket } from "../testing/fake-socket.ts";
import type { Instrumentation } from "./instrumentation.ts";

/** An instrumentation recording every call as `[hook, ...args]`. */
function recorder() {
  const calls: unknown[][] = [];
  const record =
    (hook: string) =>
    (...args: unknown[]) =>
      void calls.push([hook, ...args]);
  const instrumentation: Instrumentation = {
    connectionOpened: record("connectionOpened"),
    connectionClosed: record("connectionClosed"),
    handshakeRejected: record("handshakeRejected"),
    messageReceived: record("messageReceived"),
    frameSent: record("frameSent"),
    error: record("error"),
    streamStarted: record("streamStarted"),
    streamChunk: record("streamChunk"),
    streamEnded: record("streamEnded"),
    backpressure: record("backpressure"),
    heartbeat: record("heartbeat"),
  };
  const of = (hook: string) => calls.filter((call) => call[0] === hook).map((c) => c.slice(1));
  return { instrumentation, calls, of };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("the instrumentation hook", () => {
  it("hears a connection open, its frames in and out (UTF-8 bytes), its errors and its close", () => {
    const { instrumentation, of } = recorder();
    const { events, socket } = acceptFakeSocket({ instrumentation });
    expect(of("connectionOpened")).toEqual([["/ws"]]);
    expect(of("frameSent")).toEqual([["/ws", (socket.sent[0] as string).length]]); // connected
    events.message("é", false);
    expect(of("messageReceived")).toEqual([["/ws", 2]]);
    vi.setSystemTime(4000);
    events.close(1000, "");
    expect(of("connectionClosed")).toEqual([[{ path: "/ws", durationMs: 3000 }]]);
  });

  it("counts error frames by their code, and codes outside the table as OTHER", () => {
    const { instrumentation, of } = recorder();
    const { manager } = acceptFakeSocket({ instrumentation });
    const [connection] = manager.getAllConnections();
    connection!.socket.send(JSON.stringify({ type: "error", code: "INVALID_JSON", error: "x" }));
    connection!.socket.send(JSON.stringify({ type: "error", code: "MY_OWN_CODE", error: "x" }));
    connection!.socket.send(JSON.stringify({ type: "chunk", content: '"code":"INVALID_JSON"' }));
    expect(of("error")).toEqual([
      ["/ws", "INVALID_JSON"],
      ["/ws", "OTHER"],
    ]);
  });

  it("reports connection errors that go to onError (a frame past maxMessageSize)", () => {
    const { instrumentation, of } = recorder();
    const { events } = acceptFakeSocket({ instrumentation, maxMessageSize: 4 });
    events.message("far too long", false);
    expect(of("error")).toEqual([["/ws", "MESSAGE_TOO_LARGE"]]);
  });

  it("follows a stream: start, chunks, time to first chunk, backpressure, end", () => {
    const { instrumentation, of } = recorder();
    const { manager, socket } = acceptFakeSocket({ instrumentation });
    const connection = manager.getAllConnections()[0]!;
    const channel = createStreamingChannel(connection, {
      requestId: "r",
      coalesce: false,
      bufferSize: 10,
    });
    expect(of("streamStarted")).toEqual([["/ws"]]);
    vi.setSystemTime(1250);
    void channel.send("a");
    socket.bufferedAmount = 100;
    void channel.send("b")?.catch(() => {});
    expect(of("backpressure")).toEqual([["/ws"]]);
    vi.setSystemTime(2000);
    channel.complete();
    channel.complete();
    expect(of("streamChunk")).toHaveLength(2);
    expect(of("streamEnded")).toEqual([
      [{ path: "/ws", status: "completed", durationMs: 1000, timeToFirstChunkMs: 250, chunks: 2 }],
    ]);
  });

  it("reports refused handshakes with a bounded path", async () => {
    const { instrumentation, of } = recorder();
    const manager = new WebSocketConnectionManager({
      instrumentation,
      auth: { strategy: "apiKey", apiKeys: ["k"] },
    });
    await manager.authorizeUpgrade({ url: "/ws/", headers: {} });
    await manager.authorizeUpgrade({ url: "/random-1234", headers: {} });
    expect(of("handshakeRejected")).toEqual([
      [{ path: "/ws", status: 401, code: "UNAUTHORIZED" }],
      [{ path: "unknown", status: 404, code: "NOT_FOUND" }],
    ]);
  });

  it("measures the heartbeat round trip into connection.latency, the hook and onHeartbeat", () => {
    const { instrumentation, of } = recorder();
    const heard: number[] = [];
    const { manager, events, socket } = acceptFakeSocket(
      { instrumentation, pingInterval: 100, pongTimeout: 1000 },
      undefined,
      { onHeartbeat: (_c, latency) => void heard.push(latency) },
    );
    vi.advanceTimersByTime(125);
    expect(socket.pings).toBe(1);
    vi.advanceTimersByTime(40);
    events.pong();
    const latency = manager.getAllConnections()[0]!.latency;
    expect(latency).toBeGreaterThanOrEqual(25);
    expect(heard).toEqual([latency]);
    expect(of("heartbeat")).toEqual([["/ws", latency]]);
    expect(manager.getStats().averageLatency).toBe(latency);
    events.pong(); // unasked for: measures nothing
    expect(heard).toHaveLength(1);
    manager.closeAll();
  });

  it("ignores a hook that throws, and stops calling one that was removed", () => {
    const throwing: Instrumentation = {
      frameSent: () => {
        throw new Error("boom");
      },
      connectionOpened: () => {
        throw new Error("boom");
      },
    };
    const { instrumentation, of } = recorder();
    const manager = new WebSocketConnectionManager({ pingInterval: 0, instrumentation: throwing });
    const remove = manager.addInstrumentation(instrumentation);
    manager.registerHandler("/ws", {});
    const socket = new FakeSocket();
    manager.accept(socket, { ok: true, path: "/ws" });
    expect(socket.frames().map((f) => f.type)).toEqual(["connected"]);
    expect(of("connectionOpened")).toHaveLength(1);
    remove();
    manager.accept(new FakeSocket(), { ok: true, path: "/ws" });
    expect(of("connectionOpened")).toHaveLength(1);
  });

  it("refuses an instrumentation that is not an object of functions, naming it", () => {
    expect(() => new WebSocketConnectionManager({ instrumentation: 1 as never })).toThrow(
      /"instrumentation" option/,
    );
    expect(
      () => new WebSocketConnectionManager({ instrumentation: { frameSent: 1 } as never }),
    ).toThrow(/"instrumentation.frameSent" hook must be a function/);
  });
});
