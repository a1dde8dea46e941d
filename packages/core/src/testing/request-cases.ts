/**
 * Conformance: requests in flight per connection (issue 8), which every adapter must keep
 * bounded — every kind counts against `maxInFlightRequests`, a connection that keeps sending past
 * its caps is closed once its refusals pile up, a handler hears nothing after its own close (not
 * even what the frame budget queued before it), and a peer that sends on after it is terminated.
 */
import { expect, it } from "vitest";
import { createAgentWebSocketHandler } from "../agent/ws-handler.ts";
import { within } from "./client.ts";
import { deferred, type Harness } from "./harness.ts";
import { createTestBackend } from "./test-backend.ts";

export function requestCases(h: Harness): void {
  it("bounds requests of every kind in flight per connection (TOO_MANY_REQUESTS)", async () => {
    const backend = createTestBackend();
    const handler = createAgentWebSocketHandler(backend, {
      maxInFlightRequests: 2,
      allowedTools: ["echo"],
      onError: () => {},
    });
    const { wsUrl } = await h.serve({}, { "/ws": handler });
    const client = await h.connect(wsUrl());
    for (const requestId of ["g1", "g2", "g3"])
      client.send({ type: "generate", requestId, payload: { prompt: "hold" } });
    client.send({ type: "tool_call", requestId: "t1", payload: { toolName: "echo" } });
    client.send({ type: "stream", requestId: "s1", payload: { prompt: "go" } });
    for (const requestId of ["g3", "t1", "s1"])
      expect(await client.ofType("error", requestId)).toMatchObject({ code: "TOO_MANY_REQUESTS" });
    expect(backend.state.peakGenerates).toBe(2);
    expect(backend.state.toolCalls).toEqual([]);
    // A finished request frees its place; the connection was never at fault.
    client.send({ type: "cancel", payload: { requestId: "g1" } });
    await client.frame((f) => f.requestId === "g1", "g1's answer after its cancel");
    client.send({ type: "tool_call", requestId: "t2", payload: { toolName: "echo", args: 1 } });
    expect(await client.ofType("tool_result", "t2")).toMatchObject({ result: { echoed: 1 } });
    expect(backend.state.peakGenerates).toBe(2);
  });

  it("closes with 1008 a connection that keeps sending requests past its cap, after a few hundred refusals", async () => {
    const backend = createTestBackend();
    const handler = createAgentWebSocketHandler(backend, {
      maxInFlightRequests: 2,
      onError: () => {},
    });
    const { manager, wsUrl } = await h.serve({}, { "/ws": handler });
    const flooder = await h.connect(wsUrl());
    const other = await h.connect(wsUrl());
    await Promise.all([flooder.ofType("connected"), other.ofType("connected")]);
    // Issue 8's flood: requests sent without waiting for any answer.
    const payload = { prompt: "hold" };
    for (let i = 0; i < 1000; i++) flooder.send({ type: "generate", requestId: `f${i}`, payload });
    expect(await within(flooder.closed, "the 1008 close", 10_000)).toEqual({
      code: 1008,
      reason: "Too many requests refused",
    });
    const refusals = flooder.frames.filter((f) => f.code === "TOO_MANY_REQUESTS");
    expect(refusals.length).toBeGreaterThan(200);
    expect(refusals.length).toBeLessThan(500); // 256, and what drained meanwhile (64 a second)
    expect(backend.state.peakGenerates).toBe(2);
    other.send({ type: "ping", timestamp: 3 });
    expect(await other.ofType("pong")).toEqual({ type: "pong", timestamp: 3 });
    expect(manager.getConnectionCount()).toBe(1);
  });

  it("hands the handler no frame after its close; the closing handshake still completes", async () => {
    const closed = deferred<number>();
    let seen = 0;
    const { wsUrl } = await h.serve(
      {},
      {
        "/ws": {
          onMessage: (connection) => (seen++, connection.socket.close(4000, "Bye")),
          onClose: (_connection, code) => closed.resolve(code),
        },
      },
    );
    const client = await h.connect(wsUrl());
    await client.ofType("connected");
    for (let i = 0; i < 200; i++) client.send({ type: "chat", text: `${i}` });
    // Frames after the close are dropped (and read slowly): the peer's close reply still comes.
    expect(await within(closed.promise, "the server's onClose")).toBe(4000);
    expect(await within(client.closed, "the client's close")).toEqual({
      code: 4000,
      reason: "Bye",
    });
    expect(seen).toBe(1);
  });

  it("hands the handler none of the frames queued before its close", async () => {
    let seen = 0;
    const { wsUrl } = await h.serve(
      { maxFramesPerTurn: 1 },
      { "/ws": { onMessage: (c) => void (++seen === 2 && c.socket.close(4000, "Bye")) } },
    );
    const client = await h.connect(wsUrl());
    await client.ofType("connected");
    // One frame a turn: the rest of each read waits in the frame budget, the close among them.
    for (let i = 0; i < 200; i++) client.send({ type: "chat", text: `${i}` });
    expect(await within(client.closed, "the client's close")).toMatchObject({ code: 4000 });
    expect(seen).toBe(2);
  });

  it("terminates a peer that sends on after the close, with an error it formats no stack for", async () => {
    const closed = deferred<number>();
    const { wsUrl } = await h.serve(
      {},
      {
        "/ws": {
          onMessage: (connection) => connection.socket.close(4000, "Bye"),
          onClose: (_connection, code) => closed.resolve(code),
        },
      },
    );
    const client = await h.connect(wsUrl());
    await client.ofType("connected");
    // Node's destroy() formats the error's stack at once: with source maps on, the first one a
    // process formats parses its maps (15–20 ms of the event loop in the flood script).
    const frames: number[] = [];
    const previous = Error.prepareStackTrace;
    Error.prepareStackTrace = (error, sites) => {
      if (error.message === "Connection terminated by agentsocket") frames.push(sites.length);
      return previous ? previous(error, sites) : String(error);
    };
    try {
      for (let i = 0; i < 1500; i++) client.send({ type: "chat", text: `${i}` });
      expect(await within(closed.promise, "the server's onClose")).toBe(1006);
    } finally {
      Error.prepareStackTrace = previous;
    }
    expect(frames).toEqual([0]);
  });
}
