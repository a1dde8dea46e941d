// The `resume` option: bad fields are named up front, and the handler lists a connection's,
// user's or session's resumable streams (what `session {streams}` reports).
import { describe, expect, it } from "vitest";
import { createMemoryStreamStore } from "../../stream-store/memory-stream-store.ts";
import { createTestBackend } from "../../testing/test-backend.ts";
import { FakeSocket } from "../../testing/fake-socket.ts";
import type { WebSocketConnection } from "../../types.ts";
import { createAgentWebSocketHandler } from "../ws-handler.ts";

const backend = createTestBackend();

describe("agent.resume", () => {
  it("names a bad field with a TypeError", () => {
    const make = (resume: unknown) =>
      createAgentWebSocketHandler(backend, { resume: resume as never });
    expect(() => make("yes")).toThrow(/"resume" option/);
    expect(() => make({ graceMs: 0 })).toThrow(/"resume.graceMs"/);
    expect(() => make({ pageSize: 1.5 })).toThrow(/"resume.pageSize"/);
    expect(() => make({ maxFrames: -1 })).toThrow(/"resume.maxFrames"/);
    expect(() => make({ maxBytes: "big" })).toThrow(/"resume.maxBytes"/);
    expect(() => make({ store: {} })).toThrow(/"resume.store"/);
    expect(() => make(true)).not.toThrow();
    expect(() => make(false)).not.toThrow();
  });

  it("lists the streams of a connection, a user and a session, with their state", async () => {
    const store = createMemoryStreamStore();
    const handler = createAgentWebSocketHandler(createTestBackend({ tokenDelay: 1 }), {
      resume: { store },
    });
    const socket = new FakeSocket();
    const connection = {
      id: "c1",
      socket,
      user: { id: "u1" },
      sessionId: "sess-1",
      metadata: { path: "/ws" },
      createdAt: Date.now(),
      lastActivity: Date.now(),
    } as WebSocketConnection;
    const message = (data: object) =>
      handler.onMessage!(connection, { type: "text", data: JSON.stringify(data), timestamp: 0 });
    const done = message({ type: "stream", requestId: "s1", payload: { prompt: "forever" } });
    await expect.poll(() => socket.frames().some((f) => f.type === "stream_start")).toBe(true);
    const start = socket.frames().find((f) => f.type === "stream_start")!;
    const running = [
      {
        streamId: start.streamId,
        epoch: start.epoch,
        lastOffset: expect.any(Number),
        state: "active",
      },
    ];
    expect(await handler.listStreams({ connectionId: "c1" })).toEqual(running);
    expect(await handler.listStreams({ userId: "u1", sessionId: "sess-1" })).toEqual(running);
    expect(await handler.listStreams({ userId: "u2" })).toEqual([]);
    await message({ type: "cancel", payload: { requestId: "s1" } });
    await done;
    const end = socket.frames().at(-1)!;
    expect(end).toMatchObject({
      type: "stream_complete",
      status: "cancelled",
      streamId: start.streamId,
    });
    expect(await handler.listStreams({ sessionId: "sess-1" })).toEqual([]);
    expect(await handler.listStreams({ sessionId: "sess-1", includeDone: true })).toEqual([
      { streamId: start.streamId, epoch: start.epoch, lastOffset: end.offset, state: "done" },
    ]);
    const plain = createAgentWebSocketHandler(backend);
    expect(await plain.listStreams({ userId: "u1" })).toEqual([]);
    await store.close();
  });
});
