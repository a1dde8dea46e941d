/**
 * Per-path options of `registerHandler(path, handler, options)`: a path without system frames
 * gets no `connected` frame, its JSON `ping`/`join` frames reach the handler unanswered, its
 * heartbeat uses protocol pings only; a path's own frame limit; bad options are a TypeError.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { WebSocketConnectionManager } from "./connection-manager.ts";
import { FakeSocket } from "./testing/fake-socket.ts";
import type { WebSocketHandler, WebSocketMessage } from "./types.ts";

beforeEach(() => {
  vi.useFakeTimers({ now: 1000 });
});
afterEach(() => {
  vi.useRealTimers();
});

function open(manager: WebSocketConnectionManager, path: string, protocolPing = true) {
  const socket = new FakeSocket({ protocolPing });
  const events = manager.accept(socket, { ok: true, path });
  return { socket, events };
}

function recording(extra: Partial<WebSocketHandler> = {}) {
  const messages: WebSocketMessage[] = [];
  return {
    messages,
    handler: { onMessage: (_c, m) => void messages.push(m), ...extra } as WebSocketHandler,
  };
}

describe("registerHandler options", () => {
  it("turns system frames off on one path only", () => {
    const manager = new WebSocketConnectionManager({ pingInterval: 0 });
    const chat = recording();
    manager.registerHandler("/chat", chat.handler, { systemFrames: false });
    manager.registerHandler("/ws", recording().handler);
    const onChat = open(manager, "/chat");
    const onWs = open(manager, "/ws");
    expect(onChat.socket.sent).toEqual([]);
    expect(onWs.socket.frames()[0]?.type).toBe("connected");
    onChat.events.message('{"type":"ping"}', false);
    onChat.events.message('{"type":"join","payload":{"room":"r"}}', false);
    expect(onChat.socket.sent).toEqual([]);
    expect(chat.messages.map((m) => m.data)).toEqual([
      '{"type":"ping"}',
      '{"type":"join","payload":{"room":"r"}}',
    ]);
  });

  it("takes the handler's own pathOptions when registered without options", () => {
    const manager = new WebSocketConnectionManager({ pingInterval: 0 });
    manager.registerHandler("/chat", {
      pathOptions: { systemFrames: false, maxMessageSize: 4096 },
    });
    expect(open(manager, "/chat").socket.sent).toEqual([]);
    expect(manager.maxFrameSize()).toBe(1024 * 1024);
    manager.registerHandler("/big", {}, { maxMessageSize: 8 * 1024 * 1024 });
    expect(manager.maxFrameSize()).toBe(8 * 1024 * 1024);
  });

  it("applies a path's own frame limit: 1009 above it, the manager's limit elsewhere", () => {
    const manager = new WebSocketConnectionManager({ pingInterval: 0, maxMessageSize: 16 });
    const big = recording();
    manager.registerHandler("/big", big.handler, { maxMessageSize: 64, systemFrames: false });
    manager.registerHandler("/ws", recording().handler);
    const onBig = open(manager, "/big");
    onBig.events.message("x".repeat(64), false);
    expect(big.messages).toHaveLength(1);
    onBig.events.message("x".repeat(65), false);
    expect(onBig.socket.closes[0]?.code).toBe(1009);
    const onWs = open(manager, "/ws");
    onWs.events.message("x".repeat(17), false);
    expect(onWs.socket.closes[0]?.code).toBe(1009);
  });

  it("heartbeats a path without system frames with protocol pings only", () => {
    const manager = new WebSocketConnectionManager({ pingInterval: 100, pongTimeout: 1000 });
    manager.registerHandler("/chat", {}, { systemFrames: false });
    const withPing = open(manager, "/chat");
    const without = open(manager, "/chat", false);
    vi.advanceTimersByTime(200);
    expect(withPing.socket.pings).toBeGreaterThanOrEqual(1);
    // No JSON ping to fall back on, and so no expiry either: nothing is sent, nothing closes.
    vi.advanceTimersByTime(5000);
    expect(without.socket.sent).toEqual([]);
    // The peer that never answered its protocol ping was dropped; the other one lives on.
    expect(withPing.socket.terminations).toBe(1);
    expect(without.socket.terminations).toBe(0);
    expect(manager.getConnectionCount()).toBe(1);
    void manager.closeAll();
  });

  it("refuses bad options with a TypeError naming the option", () => {
    const manager = new WebSocketConnectionManager();
    expect(() => manager.registerHandler("/a", {}, { systemFrames: "no" as never })).toThrow(
      /"systemFrames"/,
    );
    expect(() => manager.registerHandler("/a", {}, { maxMessageSize: 0 })).toThrow(TypeError);
    expect(() => manager.registerHandler("/a", {}, { maxMessageSize: 1.5 })).toThrow(
      /"maxMessageSize"/,
    );
  });
});
