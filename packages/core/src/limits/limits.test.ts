/**
 * The limits' building blocks on a virtual clock: the token bucket and its flood rule, the memory
 * ticket store, and the option checks that name a bad option.
 */
import { describe, expect, it } from "vitest";
import { WebSocketConnectionManager } from "../connection-manager.ts";
import { createAgentService } from "../agent/service.ts";
import type { LimitStore } from "../cluster/broker.ts";
import { createTestBackend } from "../testing/test-backend.ts";
import { MessageRate } from "./message-rate.ts";
import { createMemoryTicketStore, newTicket } from "./tickets.ts";

describe("the message bucket", () => {
  it("lets a burst through, then refills at messagesPerSecond and never past burst", () => {
    const rate = new MessageRate({ messagesPerSecond: 10, burst: 3, maxRefusals: 5 }, 0);
    expect([rate.take(0), rate.take(0), rate.take(0), rate.take(0)]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(rate.take(50)).toBe(false); // half a token
    expect(rate.take(100)).toBe(true); // one token after 100 ms
    expect(rate.take(100)).toBe(false);
    // A long pause refills to burst, not beyond.
    const after = [1, 2, 3, 4].map(() => rate.take(60_000));
    expect(after).toEqual([true, true, true, false]);
  });

  it("closes on refusals piling past maxRefusals; the pile drains at messagesPerSecond", () => {
    const rate = new MessageRate({ messagesPerSecond: 10, burst: 1, maxRefusals: 3 }, 0);
    expect([rate.refused(0), rate.refused(0), rate.refused(0)]).toEqual([false, false, false]);
    expect(rate.refused(0)).toBe(true);
    const paced = new MessageRate({ messagesPerSecond: 10, burst: 1, maxRefusals: 3 }, 0);
    // One refusal per 100 ms drains as fast as it piles up: throttled, never closed.
    for (let t = 0; t < 10_000; t += 100) expect(paced.refused(t)).toBe(false);
  });
});

describe("the memory ticket store", () => {
  it("gives a ticket's user once, never after its lifetime, and keeps at most maxTickets", async () => {
    const store = createMemoryTicketStore({ maxTickets: 2 });
    await store.put("a", { id: "alice" }, 60_000);
    expect(await store.take("a")).toEqual({ id: "alice" });
    expect(await store.take("a")).toBeUndefined();
    await store.put("b", { id: "bob" }, -1); // already expired
    expect(await store.take("b")).toBeUndefined();
    for (const t of ["c", "d", "e"]) await store.put(t, { id: t }, 60_000);
    expect(await store.take("c")).toBeUndefined(); // the oldest made room
    expect(await store.take("e")).toEqual({ id: "e" });
    expect(newTicket()).toMatch(/^[\w-]{43}$/);
    expect(newTicket()).not.toBe(newTicket());
  });
});

describe("option checks", () => {
  it.each([
    [{ rateLimit: { messagesPerSecond: 0 } }, /"rateLimit.messagesPerSecond"/],
    [{ rateLimit: { messagesPerSecond: 5, burst: 1.5 } }, /"rateLimit.burst"/],
    [{ rateLimit: { messagesPerSecond: 5, maxRefusals: -1 } }, /"rateLimit.maxRefusals"/],
    [{ maxConnectionsPerUser: 0 }, /"maxConnectionsPerUser"/],
    [{ maxConnectionsPerIp: 2.5 }, /"maxConnectionsPerIp"/],
    [{ tickets: { ttlMs: 0 } }, /"tickets.ttlMs"/],
    [{ tickets: { store: {} as never } }, /"tickets.store"/],
    [
      {
        auth: { strategy: "bearer" as const, validate: () => null, firstMessage: { timeoutMs: 0 } },
      },
      /"auth.firstMessage.timeoutMs"/,
    ],
  ])("%j throws a TypeError naming the option", (config, message) => {
    expect(() => new WebSocketConnectionManager(config)).toThrow(TypeError);
    expect(() => new WebSocketConnectionManager(config)).toThrow(message);
  });

  it("maxStreamsPerMinute must be a positive integer", () => {
    expect(() => createAgentService(createTestBackend(), { maxStreamsPerMinute: 0 })).toThrow(
      /"maxStreamsPerMinute"/,
    );
  });

  it("limits must be a LimitStore", () => {
    const limits = {} as unknown as LimitStore;
    expect(() => createAgentService(createTestBackend(), { limits })).toThrow(TypeError);
    expect(() => createAgentService(createTestBackend(), { limits })).toThrow(/"limits"/);
  });
});
