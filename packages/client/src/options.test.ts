/**
 * The options: each bad one is a TypeError naming it; the backoff is full jitter under a doubling,
 * capped ceiling. That `params` reach a real server's auth is tested in the server package
 * (packages/server/src/client/params.test.ts).
 */
import { WebSocket } from "ws";
import { describe, expect, it } from "vitest";
import { createAgentSocketClient } from "./index.ts";
import { backoffDelay, resolveOptions, type AgentSocketClientOptions } from "./options.ts";

describe("options", () => {
  const base = { url: "ws://127.0.0.1:1/ws", webSocket: WebSocket };

  it.each<[string, Partial<AgentSocketClientOptions> | undefined, RegExp]>([
    ["url", { url: "ftp://example.com" }, /"url" option/],
    ["url", { url: "not a url" }, /"url" option/],
    ["reconnect", { reconnect: 3 as never }, /"reconnect" option/],
    [
      "reconnect.initialDelayMs",
      { reconnect: { initialDelayMs: -1 } },
      /"reconnect.initialDelayMs"/,
    ],
    ["reconnect.maxRetries", { reconnect: { maxRetries: Number.NaN } }, /"reconnect.maxRetries"/],
    [
      "reconnect.maxDelayMs",
      { reconnect: { initialDelayMs: 10, maxDelayMs: 5 } },
      /"reconnect.maxDelayMs"/,
    ],
    ["params", { params: "apiKey=1" as never }, /"params" option/],
    ["onError", { onError: 1 as never }, /"onError" option/],
  ])("a bad %s throws a TypeError naming it", (_name, patch, message) => {
    expect(() => createAgentSocketClient({ ...base, ...patch })).toThrow(TypeError);
    expect(() => createAgentSocketClient({ ...base, ...patch })).toThrow(message);
  });

  it("without a global WebSocket (Node 20) it asks for the webSocket option", () => {
    const global = globalThis as { WebSocket?: unknown };
    const saved = global.WebSocket;
    delete global.WebSocket;
    try {
      expect(() => createAgentSocketClient({ url: base.url })).toThrow(
        /"webSocket" option.*from "ws"/,
      );
    } finally {
      if (saved !== undefined) global.WebSocket = saved;
    }
  });

  it("turns http(s): into ws(s): and fills in the defaults", () => {
    const resolved = resolveOptions({ url: "https://example.com/ws?x=1", webSocket: WebSocket });
    expect(resolved.url).toBe("wss://example.com/ws?x=1");
    expect(resolved.reconnect).toEqual({
      initialDelayMs: 500,
      maxDelayMs: 30_000,
      maxRetries: Infinity,
    });
    expect(resolveOptions({ ...base, reconnect: false }).reconnect).toBe(false);
    expect(resolveOptions({ ...base, reconnect: { maxRetries: 3 } }).reconnect).toEqual({
      initialDelayMs: 500,
      maxDelayMs: 30_000,
      maxRetries: 3,
    });
  });

  it("backoff: a random delay below initialDelayMs * 2^attempt, capped at maxDelayMs", () => {
    const reconnect = { initialDelayMs: 100, maxDelayMs: 1000, maxRetries: Infinity };
    for (const [attempt, ceiling] of [
      [0, 100],
      [1, 200],
      [3, 800],
      [4, 1000],
      [20, 1000],
    ] as const) {
      const delays = Array.from({ length: 400 }, () => backoffDelay(reconnect, attempt));
      expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...delays)).toBeLessThan(ceiling);
      // Full jitter spreads over the whole range, not around the ceiling.
      expect(Math.min(...delays)).toBeLessThan(ceiling * 0.1);
      expect(Math.max(...delays)).toBeGreaterThan(ceiling * 0.9);
    }
  });
});
