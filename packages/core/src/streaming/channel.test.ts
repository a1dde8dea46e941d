/**
 * The streaming channel over a counting FrameWriter (what bench/src/coalescing.ts measures):
 * leading-edge timing, same-turn coalescing, maxChunkSize splits that never cut a surrogate pair,
 * event ordering, the one terminal frame, and option checks. Backpressure and stalls are in
 * channel-backpressure.test.ts.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { createStreamingChannel, type StreamingChannelOptions } from "./channel.ts";
import { countingWriter, endOfTurn } from "../testing/counting-writer.ts";

const open = (options: Partial<StreamingChannelOptions> = {}) => {
  const writer = countingWriter();
  const channel = createStreamingChannel(writer, { requestId: "r1", ...options });
  return { writer, channel };
};

afterEach(() => {
  vi.useRealTimers();
});

describe("coalescing", () => {
  it("writes the first piece of a turn at once (leading edge), as a chunk frame of the request", () => {
    const { writer, channel } = open();
    expect(channel.send("Hello")).toBeUndefined();
    expect(writer.writes).toEqual([
      {
        type: "chunk",
        frame: { type: "chunk", requestId: "r1", seq: 1, content: "Hello" },
      },
    ]);
  });

  it("gathers the pieces that follow in the same turn into one frame at the turn's end", async () => {
    const { writer, channel } = open();
    for (const piece of ["a", "b", "c"]) channel.send(piece);
    expect(writer.contents()).toEqual(["a"]);
    await endOfTurn();
    expect(writer.contents()).toEqual(["a", "bc"]);
    // A piece alone in a later turn is not delayed either.
    channel.send("d");
    expect(writer.contents()).toEqual(["a", "bc", "d"]);
    await endOfTurn();
    expect(writer.chunks().map((f) => f.seq)).toEqual([1, 2, 3]);
    expect([channel.getChunkCount(), channel.getFrameCount()]).toEqual([4, 3]);
  });

  it("a turn with a single piece sends a single frame", async () => {
    const { writer, channel } = open();
    channel.send("alone");
    await endOfTurn();
    await endOfTurn();
    expect(writer.contents()).toEqual(["alone"]);
  });

  it("with coalesce: false every piece is its own frame, at once", () => {
    const { writer, channel } = open({ coalesce: false });
    for (const piece of ["a", "b", "c"]) channel.send(piece);
    expect(writer.contents()).toEqual(["a", "b", "c"]);
  });

  it("with latencyTarget > 0 pieces wait up to that many ms and leave together", async () => {
    vi.useFakeTimers();
    const { writer, channel } = open({ latencyTarget: 25 });
    channel.send("a");
    expect(writer.contents()).toEqual([]);
    await vi.advanceTimersByTimeAsync(10);
    channel.send("b");
    await vi.advanceTimersByTimeAsync(14);
    expect(writer.contents()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(writer.contents()).toEqual(["ab"]);
  });

  it("ignores empty pieces: no frame, not counted", async () => {
    const { writer, channel } = open();
    expect(channel.send("")).toBeUndefined();
    await endOfTurn();
    expect(writer.writes).toEqual([]);
    expect(channel.getChunkCount()).toBe(0);
  });

  it("does not write gathered text once the transport has closed", async () => {
    const { writer, channel } = open();
    channel.send("a");
    channel.send("b");
    writer.open = false;
    await endOfTurn();
    expect(writer.contents()).toEqual(["a"]);
  });
});

describe("maxChunkSize", () => {
  it("splits long text into frames of at most maxChunkSize characters, in order", () => {
    const { writer, channel } = open({ maxChunkSize: 4, coalesce: false });
    channel.send("abcdefghij");
    expect(writer.contents()).toEqual(["abcd", "efgh", "ij"]);
    expect(writer.chunks().map((f) => f.seq)).toEqual([1, 2, 3]);
  });

  // A frame ending in a high surrogate would cut a pair: that frame is one unit shorter.
  it.each([
    ["keeps U+1F600 whole", "abc😀d", ["abc", "😀d"]],
    [
      "keeps the lowest high surrogate (U+10000) with its pair",
      "abc\u{10000}d",
      ["abc", "\u{10000}d"],
    ],
    [
      "keeps the highest high surrogate (U+10FFFF) with its pair",
      "abc\u{10FFFF}d",
      ["abc", "\u{10FFFF}d"],
    ],
    ["cuts after a low surrogate", "ab😀cd", ["ab😀", "cd"]],
    ["cuts after the unit below the surrogates (U+D7FF)", "abc\ud7ffd", ["abc\ud7ff", "d"]],
    ["cuts after a unit above the high surrogates (U+E000)", "abc\ue000d", ["abc\ue000", "d"]],
  ])("maxChunkSize 4 %s", (_name, text, frames) => {
    const { writer, channel } = open({ maxChunkSize: 4, coalesce: false });
    channel.send(text);
    expect(writer.contents()).toEqual(frames);
  });

  it("a window that reaches maxChunkSize goes out at once, and the producer yields one turn", async () => {
    const { writer, channel } = open({ maxChunkSize: 4 });
    channel.send("a");
    expect(channel.send("bc")).toBeUndefined();
    const wait = channel.send("de");
    expect(writer.contents()).toEqual(["a", "bcde"]);
    expect(wait).toBeInstanceOf(Promise);
    let resumed = false;
    void wait!.then(() => (resumed = true));
    await Promise.resolve();
    expect(resumed).toBe(false);
    await endOfTurn();
    expect(resumed).toBe(true);
  });
});

describe("events and the terminal frame", () => {
  it("an event flushes the text before it and carries the requestId", () => {
    const { writer, channel } = open({ latencyTarget: 1000 });
    channel.send("before ");
    channel.event({ type: "tool_call", toolName: "calc", requestId: "forged" });
    expect(writer.writes).toEqual([
      { type: "chunk", frame: { type: "chunk", requestId: "r1", seq: 1, content: "before " } },
      { type: "tool_call", frame: { type: "tool_call", toolName: "calc", requestId: "r1" } },
    ]);
  });

  it("complete() flushes pending text, then sends exactly one stream_complete", async () => {
    const { writer, channel } = open();
    channel.send("a");
    channel.send("b");
    channel.complete({ usage: { total: 2 } });
    channel.complete();
    channel.error("INTERNAL_ERROR", "late");
    channel.event({ type: "tool_result" });
    await endOfTurn();
    expect(writer.writes.map((w) => w.type)).toEqual(["chunk", "chunk", "stream_complete"]);
    expect(writer.writes.at(-1)?.frame).toEqual({
      type: "stream_complete",
      requestId: "r1",
      status: "completed",
      usage: { total: 2 },
    });
    expect(channel.ended).toBe(true);
    await expect(channel.send("more")).rejects.toMatchObject({
      code: "INTERNAL_ERROR",
      message: "Stream already ended",
    });
  });

  it("complete() may override the status, e.g. cancelled", () => {
    const { writer, channel } = open();
    channel.complete({ status: "cancelled" });
    expect(writer.writes[0]?.frame).toEqual({
      type: "stream_complete",
      requestId: "r1",
      status: "cancelled",
    });
  });

  it("error() sends one error frame with the code and message", () => {
    const { writer, channel } = open();
    expect(channel.ended).toBe(false);
    channel.error("PROVIDER_ERROR", "Upstream failed");
    channel.complete();
    expect(writer.writes).toEqual([
      {
        type: "error",
        frame: { type: "error", requestId: "r1", code: "PROVIDER_ERROR", error: "Upstream failed" },
      },
    ]);
  });

  it("writes nothing, not even the terminal frame, to a closed transport", async () => {
    const { writer, channel } = open();
    writer.open = false;
    channel.event({ type: "stream_start" });
    channel.complete();
    expect(writer.writes).toEqual([]);
    expect(channel.ended).toBe(true);
  });
});

describe("options", () => {
  it.each([
    [{ requestId: "" }, 'The "requestId" option is required'],
    [{ requestId: 7 as unknown as string }, 'The "requestId" option is required'],
    [{ bufferSize: 0 }, 'The "bufferSize" option must be a positive integer'],
    [{ maxChunkSize: 1.5 }, 'The "maxChunkSize" option must be a positive integer'],
    [{ stallTimeout: 0 }, 'The "stallTimeout" option must be a positive integer'],
    [{ latencyTarget: -1 }, 'The "latencyTarget" option must be a non-negative integer'],
  ])("%j throws a TypeError naming the option", (options, message) => {
    const make = () => createStreamingChannel(countingWriter(), { requestId: "r", ...options });
    expect(make).toThrow(TypeError);
    expect(make).toThrow(message);
  });

  it("accepts the smallest valid values", () => {
    const options = { bufferSize: 1, maxChunkSize: 1, stallTimeout: 1, latencyTarget: 0 };
    expect(createStreamingChannel(countingWriter(), { requestId: "r", ...options }).requestId).toBe(
      "r",
    );
  });
});

describe("writeText", () => {
  it("hands chunks to a writer's writeText as text and seq, never serialized; other frames to write", async () => {
    const texts: Array<[string, number]> = [];
    const writer = countingWriter();
    const channel = createStreamingChannel(
      { ...writer, writeText: (content, seq) => void texts.push([content, seq]) },
      { requestId: "r1", maxChunkSize: 3 },
    );
    channel.event({ type: "stream_start" });
    channel.send('a"\\');
    for (const piece of ["b", "cdef"]) channel.send(piece);
    await endOfTurn();
    channel.complete();
    expect(texts).toEqual([
      ['a"\\', 1],
      ["bcd", 2],
      ["ef", 3],
    ]);
    expect(writer.writes.map((w) => w.type)).toEqual(["stream_start", "stream_complete"]);
  });
});
