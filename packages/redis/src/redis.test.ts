/**
 * The Redis broker's own contract: option checks that name the option, the envelope (text and
 * binary frames, targets, exceptions) and channel names that user input cannot break.
 */
import { describe, expect, it } from "vitest";
import { createRedisBroker } from "./index.ts";
import { channelOf, decodeMessage, encodeMessage, roomKeys } from "./wire.ts";

describe("createRedisBroker options", () => {
  it("throws a TypeError naming the bad option", () => {
    expect(() => createRedisBroker({})).toThrow(/exactly one of the "url" or "client"/);
    expect(() => createRedisBroker({ url: "http://x" })).toThrow(/"url" option/);
    expect(() => createRedisBroker({ url: "redis://x", prefix: "a{b" })).toThrow(/"prefix"/);
    expect(() => createRedisBroker({ url: "redis://x", presence: { ttlMs: 5 } })).toThrow(
      /"presence.ttlMs"/,
    );
    expect(() =>
      createRedisBroker({ url: "redis://x", presence: { ttlMs: 1000, heartbeatMs: 1000 } }),
    ).toThrow(/"presence.heartbeatMs"/);
    expect(() => createRedisBroker({ url: "redis://x", limits: { timeoutMs: 1 } })).toThrow(
      /"limits.timeoutMs"/,
    );
    expect(createRedisBroker({ url: "redis://x", limits: false }).limits).toBeUndefined();
    expect(createRedisBroker({ url: "redis://x" }).state).toBe("down"); // not started: no I/O
  });
});

describe("the envelope", () => {
  it("carries text frames unescaped and binary frames byte for byte", () => {
    const text = encodeMessage({
      src: "n1",
      to: { rooms: ["a", "b"] },
      except: ["n1.x"],
      data: '{"type":"t"}',
    });
    expect(text.endsWith('\n{"type":"t"}')).toBe(true);
    expect(decodeMessage(text)).toEqual({
      src: "n1",
      to: { rooms: ["a", "b"] },
      except: ["n1.x"],
      data: '{"type":"t"}',
    });
    const binary = decodeMessage(
      encodeMessage({ src: "n2", to: { user: "u" }, data: new Uint8Array([0, 255, 10]) }),
    );
    expect(binary?.to).toEqual({ user: "u" });
    expect([...(binary!.data as Uint8Array)]).toEqual([0, 255, 10]);
    expect(decodeMessage(encodeMessage({ src: "n", to: { all: true }, data: "x" }))?.to).toEqual({
      all: true,
    });
    expect(
      decodeMessage(encodeMessage({ src: "n", to: { connection: "n.c" }, data: "x" }))?.to,
    ).toEqual({ connection: "n.c" });
    expect(decodeMessage("not ours")).toBeUndefined();
  });

  it("keeps room names inside one hash tag, whatever they contain", () => {
    expect(channelOf("p", "room:lobby")).toBe("p:{r:lobby}");
    expect(channelOf("p", "room:{x}")).toBe("p:{r:%7Bx%7D}");
    expect(channelOf("p", "all")).toBe("p:{all}");
    expect(roomKeys("p", "a}b")[0]).toBe("p:{r:a%7Db}:p:m");
  });
});
