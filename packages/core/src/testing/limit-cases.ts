/**
 * Conformance: connection limit, message size, dead peers, stalled readers.
 */
import { expect, it } from "vitest";
import { createAgentWebSocketHandler } from "../agent/ws-handler.ts";
import { within } from "./client.ts";
import { deferred, refused, type Harness } from "./harness.ts";
import { createTestBackend } from "./test-backend.ts";

export function limitCases(h: Harness): void {
  it("at maxConnections the next handshake gets 503 MAX_CONNECTIONS and onError hears why", async () => {
    const heard = deferred<Error>();
    const { manager, wsUrl } = await h.serve(
      { maxConnections: 2 },
      {
        "/ws": { onError: (_c, error) => heard.resolve(error) },
      },
    );
    await Promise.all([h.connect(wsUrl()), h.connect(wsUrl())]);
    expect(await h.tryConnect(wsUrl())).toEqual(refused(503, "MAX_CONNECTIONS"));
    const error = await within(heard.promise, "onError");
    expect(error.name).toBe("WebSocketConnectionError");
    expect(error.message).toBe("Maximum connections (2) reached");
    expect(manager.getConnectionCount()).toBe(2);
  });

  it("a frame over maxMessageSize closes with 1009; frames at the limit pass", async () => {
    const errors: Error[] = [];
    const sizes: number[] = [];
    const { wsUrl } = await h.serve(
      { maxMessageSize: 1024 },
      {
        "/ws": {
          onMessage: (_c, m) => void sizes.push((m.data as string).length),
          onError: (_c, e) => void errors.push(e),
        },
      },
    );
    const client = await h.connect(wsUrl());
    client.send("a".repeat(1024));
    client.send("é".repeat(513)); // 1026 bytes in UTF-8, 513 characters
    client.send("sent behind the oversized frame"); // the connection is closing: not delivered
    expect((await within(client.closed, "the 1009 close")).code).toBe(1009);
    expect(sizes).toEqual([1024]);
    expect(errors.map((e) => e.message)).toContain("Message exceeds max size (1024 bytes)");
    expect(errors[0]?.name).toBe("WebSocketError");

    const big = await h.connect(wsUrl());
    big.send(new Uint8Array(64 * 1024));
    expect((await within(big.closed, "the 1009 close of a 64 KiB frame")).code).toBe(1009);
  });

  it("terminates a peer that does not answer pings, keeps one that does", async () => {
    const expired = deferred<Error>();
    const { manager, wsUrl } = await h.serve(
      { pingInterval: 50, pongTimeout: 250 },
      {
        "/ws": { onError: (_c, e) => expired.resolve(e) },
      },
    );
    const alive = await h.connect(wsUrl());
    const silent = await h.connect(wsUrl(), { autoPong: false });
    const closed = await within(silent.closed, "the silent peer's termination", 2000);
    expect(closed.code).toBe(1006);
    expect((await expired.promise).message).toBe("No pong within 250 ms");
    expect(alive.socket.readyState).toBe(1);
    expect(manager.getConnectionCount()).toBe(1);
    alive.send({ type: "ping", timestamp: 7 });
    expect(await alive.ofType("pong")).toEqual({ type: "pong", timestamp: 7 });
  });

  it("pingInterval 0 disables the heartbeat: a silent peer outlives one a heartbeat drops", async () => {
    const off = await h.serve({ pingInterval: 0, pongTimeout: 1 });
    const silent = await h.connect(off.wsUrl(), { autoPong: false });
    // The control: the same silent peer on a server with a heartbeat is dropped ~150 ms in, by
    // which time a 1 ms pong timeout would have dropped `silent` a hundred times over.
    const expired = deferred<Error>();
    const on = await h.serve(
      { pingInterval: 50, pongTimeout: 100 },
      { "/ws": { onError: (_c, e) => expired.resolve(e) } },
    );
    const dropped = await h.connect(on.wsUrl(), { autoPong: false });
    expect((await within(dropped.closed, "the control peer's termination", 2000)).code).toBe(1006);
    expect((await expired.promise).message).toBe("No pong within 100 ms");
    expect(silent.socket.readyState).toBe(1);
    silent.send({ type: "ping", timestamp: 1 });
    expect(await silent.ofType("pong")).toEqual({ type: "pong", timestamp: 1 });
    expect(off.manager.getConnectionCount()).toBe(1);
  });

  it("a client that stops reading a stream is closed with 1008 after stallTimeout, upstream aborted", async () => {
    const backend = createTestBackend({ burst: true });
    const handler = createAgentWebSocketHandler(backend, {
      onError: () => {},
      streaming: { bufferSize: 4096, stallTimeout: 200 },
    });
    const { wsUrl } = await h.serve({}, { "/ws": handler });
    const client = await h.connect(wsUrl());
    await client.ofType("connected");
    client.socket.pause(); // reads nothing more: the server's send buffer fills
    client.send({ type: "stream", requestId: "slow", payload: { prompt: "forever" } });
    // Megabytes fill the loopback buffers before the channel's own queue grows: allow a busy machine.
    await within(backend.state.nextAbort(), "the stall to abort upstream", 20_000);
    // Reading again drains what was queued, then the close frame.
    client.socket.resume();
    expect(await within(client.closed, "the 1008 close", 10_000)).toEqual({
      code: 1008,
      reason: "Client too slow",
    });
  }, 40_000);
}
