import { createDemoAgent } from "@agentsocket/core/demo";
import { describe, expect, it } from "vitest";
import type { ChurnResult } from "./churn.ts";
import type { FloodResult } from "./flood.ts";
import type { FuzzResult } from "./fuzz.ts";
import { CLOSING_KINDS, createFrameSource, WRONG_TYPE_COMBINATIONS } from "./hostile-frames.ts";
import {
  churnFailures,
  floodFailures,
  floodLatencyMisses,
  fuzzFailures,
  HEAP_GROWTH_BOUND,
  RSS_GROWTH_BOUND,
} from "./invariants.ts";
import { parseHostileOptions } from "./options.ts";
import { FLOOD_ROWS } from "./tables.ts";
import { countUpstream } from "./upstream-counter.ts";

const memory = {
  rssBefore: 100e6,
  rssPeak: 120e6,
  rssAfter: 110e6,
  heapBefore: 17e6,
  heapAfter: 17e6,
};
const serverLog = { lines: 0, bytes: 0 };
const fuzz: FuzzResult = {
  framework: "hono",
  frames: 10,
  durationMs: 1,
  sentByKind: {},
  errorsByCode: { INVALID_JSON: 3 },
  repliesByType: { pong: 1 },
  closesByCode: { 1007: 1 },
  unexpectedCloses: [],
  crashed: false,
  healthyStreams: 2,
  healthyIntact: true,
  prototypeKeys: [],
  leftoverConnections: 0,
  leftoverStreams: 0,
  memory,
  serverLog,
};
const churn: ChurnResult = {
  framework: "express",
  cycles: 5,
  durationMs: 1,
  killedMidStream: 5,
  failedCycles: 0,
  crashed: false,
  leftoverConnections: 0,
  streamsStarted: 5,
  streamsAborted: 5,
  streamsActive: 0,
  memory,
  serverLog,
};
const flood: FloodResult = {
  framework: "fastify",
  frames: 100,
  framesSent: 100,
  durationMs: 1,
  floodEnd: "1008",
  droppedAfterMs: 500,
  generateStarted: 16,
  generatePeakActive: 16,
  idle: { p50: 1, p99: 3, samples: 100 },
  flood: { p50: 2, p99: 6, samples: 100 },
  takenForMs: 400,
  whileTaken: { p50: 2, p99: 6, samples: 50 },
  firstSecond: { p50: 2, p99: 6, samples: 50 },
  serverCpuMs: 300,
  probeBroken: 0,
  crashed: false,
  memory,
  serverLog,
};

describe("hostile frames", () => {
  const next = createFrameSource(1);
  const frames = Array.from({ length: 20_000 }, next);

  it("are the same for the same seed and differ for another", () => {
    const take = (seed: number) => {
      const next = createFrameSource(seed);
      return Array.from({ length: 200 }, () => next().data.toString("latin1"));
    };
    expect(take(7)).toEqual(take(7));
    expect(take(8)).not.toEqual(take(7));
  });

  it("cover every kind, with the wrong-type combinations of every message type", () => {
    const kinds = new Set(frames.map((frame) => frame.kind));
    expect([...kinds].sort()).toEqual(
      [
        "random-bytes",
        "invalid-utf8",
        "random-text",
        "truncated-json",
        "nested-json",
        "prototype-keys",
        "wrong-type",
        "request-id",
        "unknown-type",
        "non-object",
        "oversize",
      ].sort(),
    );
    const wrong = new Set(frames.filter((f) => f.kind === "wrong-type").map((f) => f.data));
    expect(wrong.size).toBe(WRONG_TYPE_COMBINATIONS);
    for (const type of ["generate", "stream", "tool_call", "cancel", "ping", "pong"]) {
      expect([...wrong].some((data) => String(data).includes(`"type":"${type}"`))).toBe(true);
    }
    // Polluting keys really are in the JSON text (an object literal would have dropped them).
    const polluting = frames.filter((f) => f.kind === "prototype-keys").map((f) => String(f.data));
    expect(polluting.some((text) => text.includes('"__proto__":'))).toBe(true);
    expect(polluting.some((text) => text.includes('"constructor":'))).toBe(true);
  });

  it("send bytes that are not UTF-8 as invalid-utf8 frames, and oversize ones over 1 MiB", () => {
    const invalid = frames.find((frame) => frame.kind === "invalid-utf8")!;
    expect(new TextDecoder("utf-8", { fatal: false }).decode(invalid.data as Buffer)).toContain(
      "\ufffd",
    );
    expect(() =>
      new TextDecoder("utf-8", { fatal: true }).decode(invalid.data as Buffer),
    ).toThrow();
    const oversize = frames.find((frame) => frame.kind === "oversize")!;
    expect(oversize.data.length).toBeGreaterThan(1024 * 1024);
    expect(CLOSING_KINDS).toEqual({ "invalid-utf8": 1007, oversize: 1009 });
  });
});

describe("upstream counter", () => {
  it("counts streams started, aborted and still running", async () => {
    const { backend, counts } = countUpstream(createDemoAgent({ tokensPerSecond: 1000 }));
    const controller = new AbortController();
    const result = await backend.stream({ input: { text: "hi" }, abortSignal: controller.signal });
    const iterator = result.stream[Symbol.asyncIterator]();
    await iterator.next();
    expect(counts().stream).toMatchObject({ started: 1, aborted: 0, active: 1 });
    controller.abort();
    while (!(await iterator.next()).done);
    expect(counts().stream).toMatchObject({ started: 1, aborted: 1, active: 0, peakActive: 1 });
  });

  it("counts a stream aborted before anyone iterated it as over, and never-aborted ones as running", async () => {
    const { backend, counts } = countUpstream(createDemoAgent({ tokensPerSecond: 1000 }));
    const controller = new AbortController();
    await backend.stream({ input: { text: "hi" }, abortSignal: controller.signal });
    await backend.stream({ input: { text: "hi" }, abortSignal: new AbortController().signal });
    controller.abort();
    expect(counts().stream).toMatchObject({ started: 2, aborted: 1, active: 1 });
    await backend.generate({ input: { text: "hi" } });
    expect(counts().generate).toMatchObject({ started: 1, active: 0 });
  });
});

describe("invariants", () => {
  it("hold for results that keep them", () => {
    expect(fuzzFailures(fuzz)).toEqual([]);
    expect(churnFailures(churn)).toEqual([]);
    expect(floodFailures(flood)).toEqual([]);
  });

  it("fail the fuzz on a crash, a broken stream, pollution, internal errors or leftovers", () => {
    expect(fuzzFailures({ ...fuzz, crashed: true })).toEqual(["the server crashed"]);
    expect(fuzzFailures({ ...fuzz, healthyIntact: false, healthyProblem: "x" })).toEqual([
      "healthy stream broken: x",
    ]);
    expect(fuzzFailures({ ...fuzz, prototypeKeys: ["polluted"] })[0]).toMatch(/polluted/);
    expect(fuzzFailures({ ...fuzz, errorsByCode: { INTERNAL_ERROR: 2 } })[0]).toMatch(/2 INTERNAL/);
    expect(fuzzFailures({ ...fuzz, unexpectedCloses: ["a", "a"] })).toEqual([
      "unexpected closes: a",
    ]);
    expect(fuzzFailures({ ...fuzz, leftoverConnections: 1 })).toHaveLength(1);
    expect(fuzzFailures({ ...fuzz, leftoverStreams: 1 })).toHaveLength(1);
    expect(fuzzFailures({ ...fuzz, memory: { ...memory, rssPeak: 500e6 } })[0]).toMatch(/RSS/);
  });

  it("fail the churn on leftovers, unaborted streams and heap growth", () => {
    expect(churnFailures({ ...churn, leftoverConnections: 2 })).toEqual([
      "2 connections left open",
    ]);
    expect(churnFailures({ ...churn, streamsActive: 1 })).toEqual(["1 streams still running"]);
    expect(churnFailures({ ...churn, streamsAborted: 4 })).toEqual([
      "1 of 5 streams never aborted upstream",
    ]);
    const heapAfter = memory.heapBefore + HEAP_GROWTH_BOUND + 1;
    expect(churnFailures({ ...churn, memory: { ...memory, heapAfter } })[0]).toMatch(/heap grew/);
    expect(churnFailures({ ...churn, memory: { ...memory, heapAfter: NaN } })[0]).toMatch(/heap/);
  });

  it("fail the flood on RSS past its bound and broken probe streams, not on latency", () => {
    const rssPeak = memory.rssBefore + RSS_GROWTH_BOUND + 1;
    expect(floodFailures({ ...flood, memory: { ...memory, rssPeak } })[0]).toMatch(/RSS peaked/);
    expect(floodFailures({ ...flood, probeBroken: 1 })).toEqual(["1 probe streams broken"]);
    expect(floodFailures({ ...flood, flood: { ...flood.flood, p50: 70 } })).toEqual([]);
  });

  it("report the flood's latency target missed past idle's margins", () => {
    expect(floodLatencyMisses(flood)).toEqual([]);
    expect(floodLatencyMisses({ ...flood, flood: { ...flood.flood, p50: 7 } })[0]).toMatch(/p50/);
    // p99 may add the idle p99 or 5 ms, whichever is more: 3 + 5 = 8 holds, 9 does not.
    expect(floodLatencyMisses({ ...flood, flood: { ...flood.flood, p99: 8 } })).toEqual([]);
    expect(floodLatencyMisses({ ...flood, flood: { ...flood.flood, p99: 9 } })[0]).toMatch(/p99/);
    expect(floodLatencyMisses({ ...flood, flood: { ...flood.flood, p50: NaN } })[0]).toMatch(/p50/);
  });
});

describe("the flood table", () => {
  it("says when the server never dropped the flooder, instead of NaN", () => {
    const [, dropped] = FLOOD_ROWS.find(([label]) => label.startsWith("server dropped"))!;
    expect(dropped(flood)).toBe("0.5");
    expect(dropped({ ...flood, droppedAfterMs: NaN })).toBe("not dropped");
  });
});

describe("command line", () => {
  it("picks sizes, scripts and frameworks, and refuses what it does not know", () => {
    expect(parseHostileOptions([]).sizes.fuzz.frames).toBe(100_000);
    expect(parseHostileOptions(["--smoke"]).sizes.churn.cycles).toBe(200);
    expect(parseHostileOptions(["--smoke", "--frames=50"]).sizes.fuzz.frames).toBe(50);
    expect(parseHostileOptions(["--scripts=flood,fuzz"]).scripts).toEqual(["fuzz", "flood"]);
    expect(parseHostileOptions(["--frameworks=fastify"]).frameworks).toEqual(["fastify"]);
    expect(() => parseHostileOptions(["--scripts=nope"])).toThrow(/unknown "nope"/);
    expect(() => parseHostileOptions(["--cycles=0"])).toThrow(TypeError);
    expect(() => parseHostileOptions(["--smok"])).toThrow(/Unknown argument/);
    expect(parseHostileOptions(["--flood-nice=19"]).sizes.flood.nice).toBe(19);
    expect(parseHostileOptions([]).sizes.flood.nice).toBeUndefined();
    expect(() => parseHostileOptions(["--flood-nice=20"])).toThrow(/at most 19/);
  });
});
