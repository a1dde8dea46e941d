// The agent handler's `stream` route answers as soon as the stream runs (its frames are the
// answer), keeps the request tracked until the stream's last frame, and turns a service that
// fails after the route returned into an `error` frame, never an unhandled rejection.
import { describe, expect, it } from "vitest";
import { createTestBackend } from "../testing/test-backend.ts";
import { FakeSocket } from "../testing/fake-socket.ts";
import type { WebSocketConnection } from "../types.ts";
import { createAgentService } from "./service.ts";
import { createAgentWebSocketHandler } from "./ws-handler.ts";

function connect(handler: ReturnType<typeof createAgentWebSocketHandler>) {
  const socket = new FakeSocket();
  const connection = {
    id: "c1",
    socket,
    user: { id: "u1" },
    metadata: { path: "/ws" },
    createdAt: Date.now(),
    lastActivity: Date.now(),
  } as WebSocketConnection;
  const send = (data: object) =>
    handler.onMessage!(connection, { type: "text", data: JSON.stringify(data), timestamp: 0 });
  return { socket, send };
}

describe("the agent handler's stream route", () => {
  it("keeps a stream's request id taken until its last frame, then frees it", async () => {
    const handler = createAgentWebSocketHandler(createTestBackend({ tokenDelay: 1 }));
    const { socket, send } = connect(handler);
    await send({ type: "stream", requestId: "s1", payload: { prompt: "forever" } });
    await expect
      .poll(() => socket.frames().filter((f) => f.type === "chunk").length)
      .toBeGreaterThan(2);

    await send({ type: "stream", requestId: "s1", payload: { prompt: "again" } });
    expect(socket.frames().at(-1)).toMatchObject({
      type: "error",
      code: "INVALID_MESSAGE",
      duplicateRequestId: "s1",
    });

    await send({ type: "cancel", payload: { requestId: "s1" } });
    await expect
      .poll(() => socket.frames().find((f) => f.type === "stream_complete"))
      .toMatchObject({ requestId: "s1", status: "cancelled" });
    // A client reads the frame in a later turn of the event loop, when the stream's promise
    // chain (ended by that frame) has run out.
    await new Promise((resolve) => setImmediate(resolve));

    await send({ type: "stream", requestId: "s1", payload: { prompt: "hi" } });
    await expect
      .poll(() => socket.frames().filter((f) => f.type === "stream_complete").length)
      .toBe(2);
    expect(socket.frames().at(-1)).toMatchObject({ requestId: "s1", status: "completed" });
  });

  it("answers a service that fails after the route returned with INTERNAL_ERROR", async () => {
    const reported: Error[] = [];
    const service = createAgentService(createTestBackend(), {
      onError: (error) => void reported.push(error),
    });
    service.stream = () => Promise.reject(new Error("boom"));
    const { socket, send } = connect(createAgentWebSocketHandler(service));

    await send({ type: "stream", requestId: "s1", payload: { prompt: "hi" } });
    await expect
      .poll(() => socket.frames().at(-1))
      .toMatchObject({ type: "error", requestId: "s1", code: "INTERNAL_ERROR" });
    expect(reported.map((error) => error.message)).toEqual(["boom"]);

    // The request was freed: the same id runs again (and fails the same way).
    await send({ type: "stream", requestId: "s1", payload: { prompt: "hi" } });
    await expect
      .poll(() => socket.frames().filter((f) => f.code === "INTERNAL_ERROR").length)
      .toBe(2);
  });
});
