import { describe, expect, it } from "vitest";
import { WebSocketConnectionManager } from "./connection-manager.ts";
import { exceedsBytes } from "./frame-data.ts";

describe("WebSocketConnectionManager config", () => {
  it("fills the documented defaults without touching the caller's object", () => {
    const given = { maxConnections: 5 };
    const manager = new WebSocketConnectionManager(given);
    expect(manager.config).toMatchObject({
      path: "/ws",
      maxConnections: 5,
      pingInterval: 30000,
      pongTimeout: 10000,
      maxMessageSize: 1048576,
      maxBufferedBytes: 4194304,
    });
    expect(given).toEqual({ maxConnections: 5 });
  });

  it.each([
    [{ maxConnections: 0 }, '"maxConnections"'],
    [{ pingInterval: -1 }, '"pingInterval"'],
    [{ pongTimeout: 1.5 }, '"pongTimeout"'],
    [{ maxMessageSize: Number.NaN }, '"maxMessageSize"'],
    [{ maxBufferedBytes: 0 }, '"maxBufferedBytes"'],
    [{ path: "ws" }, '"path"'],
    [{ allowedOrigins: "https://a" as never }, '"allowedOrigins"'],
  ])("rejects %j with a TypeError naming the option", (config, name) => {
    expect(() => new WebSocketConnectionManager(config)).toThrow(TypeError);
    expect(() => new WebSocketConnectionManager(config)).toThrow(name);
  });

  it.each([
    [{ strategy: "bearer" }, 'needs exactly one of "validate" or "jwt"'],
    [{ strategy: "apiKey", apiKeys: [] }, "at least one key"],
    [{ strategy: "basic", jwt: { secret: "x" } }, 'jwt applies to strategy "bearer" only'],
    [{ strategy: "bearer", jwt: {} }, 'exactly one of "secret", "publicKey" or "jwksUrl"'],
    [{ strategy: "custom" }, 'must be a function for strategy "custom"'],
    [{ strategy: "oauth" }, "auth.strategy must be one of"],
  ])("rejects auth %j up front", (auth, message) => {
    expect(() => new WebSocketConnectionManager({ auth: auth as never })).toThrow(message);
  });

  it("serves config.path and every registered handler path, with or without a trailing slash", () => {
    const manager = new WebSocketConnectionManager({ path: "/ws/agent" });
    manager.registerHandler("/ws/notifications/", {});
    expect(manager.paths()).toEqual(["/ws/agent", "/ws/notifications"]);
    expect(manager.handlesPath("/ws/notifications")).toBe(true);
    expect(manager.handlesPath("/ws/agent/")).toBe(true);
    expect(manager.handlesPath("/ws")).toBe(false);
    expect(() => manager.registerHandler("ws", {})).toThrow(TypeError);
  });
});

describe("exceedsBytes", () => {
  it("counts UTF-8 bytes, not characters", () => {
    expect(exceedsBytes("a".repeat(10), 10)).toBe(false);
    expect(exceedsBytes("a".repeat(11), 10)).toBe(true);
    expect(exceedsBytes("é".repeat(5), 10)).toBe(false); // 10 bytes
    expect(exceedsBytes("é".repeat(6), 10)).toBe(true);
    expect(exceedsBytes("😀".repeat(2), 8)).toBe(false); // two 4-byte code points
    expect(exceedsBytes("😀😀a", 8)).toBe(true);
    expect(exceedsBytes("€€€€", 11)).toBe(true); // 12 bytes
    expect(exceedsBytes(new Uint8Array(11), 10)).toBe(true);
  });
});
