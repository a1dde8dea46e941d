/**
 * The streaming channel under backpressure, on fake timers: `send()` makes the producer wait while
 * the transport holds more than `bufferSize`, resumes it at half of that, closes a client stalled
 * for `stallTimeout` with 1008 SLOW_CONSUMER, and rejects once the transport is gone. Also: the
 * channel over a socket or a connection instead of a FrameWriter.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { WebSocketError } from "../errors.ts";
import { countingWriter } from "../testing/counting-writer.ts";
import { FakeSocket } from "../testing/fake-socket.ts";
import type { WebSocketConnection } from "../types.ts";
import { createStreamingChannel, type StreamingChannelOptions } from "./channel.ts";

/** Where a promise stands, read without awaiting it. */
function track(promise: Promise<void> | undefined) {
  const state: { settled: "pending" | "resolved" | "rejected"; error?: unknown } = {
    settled: "pending",
  };
  expect(promise).toBeInstanceOf(Promise);
  promise!.then(
    () => (state.settled = "resolved"),
    (error: unknown) => Object.assign(state, { settled: "rejected", error }),
  );
  return state;
}

const congested = (options: Partial<StreamingChannelOptions> = {}) => {
  const writer = countingWriter();
  const channel = createStreamingChannel(writer, {
    requestId: "r1",
    bufferSize: 1000,
    stallTimeout: 100,
    ...options,
  });
  writer.bufferedAmount = 1001;
  return { writer, channel };
};

beforeEach(() => {
  // Not 0: a stall measured from the wrong origin must show.
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("backpressure", () => {
  it("send() returns nothing while the transport holds at most bufferSize bytes", () => {
    const { writer, channel } = congested();
    writer.bufferedAmount = 1000;
    expect(channel.send("a")).toBeUndefined();
    expect(writer.contents()).toEqual(["a"]);
  });

  it("over bufferSize the producer waits, and resumes once half of bufferSize is left", async () => {
    const { writer, channel } = congested();
    const wait = track(channel.send("a"));
    expect(writer.contents()).toEqual(["a"]); // the piece itself is written; the next one waits
    writer.bufferedAmount = 501;
    await vi.advanceTimersByTimeAsync(50);
    expect(wait.settled).toBe("pending");
    writer.bufferedAmount = 500;
    await vi.advanceTimersByTimeAsync(4);
    expect(wait.settled).toBe("pending"); // polled every 5 ms
    await vi.advanceTimersByTimeAsync(1);
    expect(wait.settled).toBe("resolved");
    expect(writer.closes).toEqual([]);
  });

  it("a stream that ends while the producer waits lets it go", async () => {
    const { channel } = congested();
    const wait = track(channel.send("a"));
    channel.complete();
    await vi.advanceTimersByTimeAsync(5);
    expect(wait.settled).toBe("resolved");
  });

  it("a client stalled for stallTimeout is closed with 1008 and send() rejects SLOW_CONSUMER", async () => {
    const { writer, channel } = congested();
    const wait = track(channel.send("a"));
    await vi.advanceTimersByTimeAsync(99);
    expect(wait.settled).toBe("pending");
    expect(writer.closes).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(wait.settled).toBe("rejected");
    expect(wait.error).toBeInstanceOf(WebSocketError);
    expect(wait.error).toMatchObject({
      code: "SLOW_CONSUMER",
      closeCode: 1008,
      message: "Client did not read for 100 ms",
    });
    expect(writer.closes).toEqual([{ code: 1008, reason: "Client too slow" }]);
    // Every later send fails the same way, so the producer stops.
    await expect(channel.send("b")).rejects.toBe(wait.error);
  });

  it("after a stall, send() rejects even while the writer's close is still under way", async () => {
    const { writer, channel } = congested();
    writer.close = (code, reason) => void writer.closes.push({ code, reason }); // stays open
    const wait = track(channel.send("a"));
    await vi.advanceTimersByTimeAsync(100);
    expect(wait.settled).toBe("rejected");
    writer.bufferedAmount = 0;
    await expect(channel.send("b")).rejects.toMatchObject({ code: "SLOW_CONSUMER" });
    expect(writer.contents()).toEqual(["a"]);
  });

  it("a transport that closes while the producer waits rejects it with CONNECTION_CLOSED", async () => {
    const { writer, channel } = congested();
    const wait = track(channel.send("a"));
    writer.open = false;
    await vi.advanceTimersByTimeAsync(5);
    expect(wait.settled).toBe("rejected");
    expect(wait.error).toMatchObject({ code: "CONNECTION_CLOSED", message: "Connection closed" });
    await expect(channel.send("b")).rejects.toBe(wait.error);
    expect(writer.closes).toEqual([]);
  });

  it("send() on a closed transport rejects with CONNECTION_CLOSED and writes nothing", async () => {
    const writer = countingWriter();
    const channel = createStreamingChannel(writer, { requestId: "r1" });
    writer.open = false;
    await expect(channel.send("a")).rejects.toMatchObject({ code: "CONNECTION_CLOSED" });
    expect(writer.writes).toEqual([]);
  });

  it("after a full frame the producer yields a turn, also with exactly bufferSize queued", async () => {
    const { writer, channel } = congested({ maxChunkSize: 2 });
    writer.bufferedAmount = 0;
    channel.send("a");
    writer.bufferedAmount = 1000;
    const wait = track(channel.send("bc"));
    await vi.advanceTimersByTimeAsync(0);
    expect(wait.settled).toBe("resolved");
  });

  it("after a full frame a congested transport still makes the producer wait for the drain", async () => {
    const { writer, channel } = congested({ maxChunkSize: 2 });
    writer.bufferedAmount = 0;
    channel.send("a");
    writer.bufferedAmount = 1001;
    const wait = track(channel.send("bc"));
    expect(writer.contents()).toEqual(["a", "bc"]);
    await vi.advanceTimersByTimeAsync(50);
    expect(wait.settled).toBe("pending");
    writer.bufferedAmount = 0;
    await vi.advanceTimersByTimeAsync(5);
    expect(wait.settled).toBe("resolved");
  });

  it("the default stallTimeout is 30 s and the default bufferSize 64 KiB", async () => {
    const writer = countingWriter();
    const channel = createStreamingChannel(writer, { requestId: "r1" });
    writer.bufferedAmount = 64 * 1024;
    expect(channel.send("a")).toBeUndefined();
    writer.bufferedAmount = 64 * 1024 + 1;
    const wait = track(channel.send("b"));
    await vi.advanceTimersByTimeAsync(29_999);
    expect(wait.settled).toBe("pending");
    await vi.advanceTimersByTimeAsync(1);
    expect(wait.settled).toBe("rejected");
  });
});

describe("many waiting channels", () => {
  it("share one poll timer, and each resumes once its own transport drains", async () => {
    const streams = Array.from({ length: 50 }, () => congested());
    const waits = streams.map(({ channel }) => track(channel.send("a")));
    // One timer for all of them, not one per waiting channel.
    expect(vi.getTimerCount()).toBe(1);
    streams[0]!.writer.bufferedAmount = 0;
    await vi.advanceTimersByTimeAsync(5);
    expect(waits.map((wait) => wait.settled)).toEqual(["resolved", ...Array(49).fill("pending")]);
    for (const { writer } of streams) writer.bufferedAmount = 0;
    await vi.advanceTimersByTimeAsync(5);
    expect(waits.every((wait) => wait.settled === "resolved")).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a transport that throws while polled rejects its own wait only", async () => {
    const broken = congested();
    const healthy = congested();
    const brokenWait = track(broken.channel.send("a"));
    const healthyWait = track(healthy.channel.send("a"));
    Object.defineProperty(broken.writer, "bufferedAmount", {
      get: () => {
        throw new Error("transport gone");
      },
    });
    healthy.writer.bufferedAmount = 0;
    await vi.advanceTimersByTimeAsync(5);
    expect(brokenWait).toMatchObject({ settled: "rejected", error: { message: "transport gone" } });
    expect(healthyWait.settled).toBe("resolved");
  });
});

describe("targets", () => {
  it("writes to a socket, and closes it with 1008 when the client stalls", async () => {
    const socket = new FakeSocket();
    const channel = createStreamingChannel(socket, {
      requestId: "r1",
      bufferSize: 10,
      stallTimeout: 10,
    });
    channel.send("hi");
    expect(socket.frames()).toEqual([{ type: "chunk", requestId: "r1", seq: 1, content: "hi" }]);
    socket.bufferedAmount = 11;
    const wait = track(channel.send("there"));
    await vi.advanceTimersByTimeAsync(10);
    expect(wait.settled).toBe("rejected");
    expect(socket.closes).toEqual([{ code: 1008, reason: "Client too slow" }]);
  });

  it("writes to a connection's socket, and stops when the socket is no longer open", async () => {
    const socket = new FakeSocket();
    const connection = { socket } as unknown as WebSocketConnection;
    const channel = createStreamingChannel(connection, { requestId: "r1" });
    channel.event({ type: "stream_start" });
    socket.readyState = 2;
    await expect(channel.send("late")).rejects.toMatchObject({ code: "CONNECTION_CLOSED" });
    channel.complete();
    expect(socket.frames()).toEqual([{ type: "stream_start", requestId: "r1" }]);
  });
});
