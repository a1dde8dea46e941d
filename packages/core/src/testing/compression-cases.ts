/**
 * Conformance: `compression` negotiates permessage-deflate with a client that offers it — only
 * then, and only when on — and frames (a streamed answer, a large text frame, binary) arrive
 * intact and, for repetitive text, smaller on the wire.
 */
import { expect, it } from "vitest";
import { createAgentWebSocketHandler } from "../agent/ws-handler.ts";
import type { WebSocketConfig } from "../types.ts";
import { connect, type TestClient } from "./client.ts";
import type { Harness } from "./harness.ts";
import { handshakeLines, rawRequest } from "./raw-http.ts";
import { createTestBackend, TEST_TEXT } from "./test-backend.ts";

/** What `ws` exposes beyond the structural client: the negotiated extensions, the TCP socket. */
interface WsInternals {
  extensions?: string;
  _socket?: { bytesRead: number };
}

const internals = (client: TestClient) => client.socket as unknown as WsInternals;

/** Serves `/ws` echoing every frame and `/agent` with the test backend. */
async function serveEcho(h: Harness, config: WebSocketConfig) {
  const served = await h.serve(config, {
    "/ws": { onMessage: (connection, message) => served.manager.send(connection.id, message.data) },
    "/agent": createAgentWebSocketHandler(createTestBackend()),
  });
  return served;
}

/** The `Sec-WebSocket-Extensions` a raw handshake offering permessage-deflate gets back. */
async function negotiated(url: string): Promise<string | undefined> {
  const offer = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits";
  const response = await rawRequest(url, handshakeLines(new URL(url).pathname, [offer]));
  response.socket.destroy();
  expect(response.status).toBe(101);
  return response.headers["sec-websocket-extensions"];
}

export function compressionCases(h: Harness): void {
  it("answers an offer of permessage-deflate with it when compression is on", async () => {
    const { wsUrl } = await serveEcho(h, { compression: true });
    expect(await negotiated(wsUrl())).toMatch(/^permessage-deflate/);
    const client = await h.connect(wsUrl());
    await client.ofType("connected");
    expect(internals(client).extensions).toMatch(/^permessage-deflate/);
  });

  it("never negotiates it when compression is off (the default)", async () => {
    const { wsUrl } = await serveEcho(h, {});
    expect(await negotiated(wsUrl())).toBeUndefined();
    const client = await h.connect(wsUrl());
    await client.ofType("connected");
    expect(internals(client).extensions).toBe("");
  });

  it("serves a client that does not offer it, uncompressed", async () => {
    const { wsUrl } = await serveEcho(h, { compression: { threshold: 0, level: 9 } });
    const Plain = h.target.WebSocket as unknown as new (
      url: string,
      options: { perMessageDeflate: false },
    ) => never;
    const WithoutDeflate = function (url: string, options: object) {
      return new Plain(url, { ...options, perMessageDeflate: false });
    } as unknown as typeof h.target.WebSocket;
    const client = await connect(WithoutDeflate, wsUrl());
    try {
      await client.ofType("connected");
      expect(internals(client).extensions).toBe("");
      client.send({ type: "hello", payload: { text: TEST_TEXT } });
      expect(await client.ofType("hello")).toEqual({ type: "hello", payload: { text: TEST_TEXT } });
    } finally {
      client.socket.terminate();
    }
  });

  it("delivers compressed frames intact, and smaller on the wire", async () => {
    const { wsUrl } = await serveEcho(h, { compression: { threshold: 0 } });
    const client = await h.connect(wsUrl("/agent"));
    await client.ofType("connected");
    client.send({ type: "stream", requestId: "s1", payload: { prompt: "hi" } });
    await client.frame((f) => f.type === "stream_complete" && f.requestId === "s1", "the end");
    const chunks = client.frames.filter((f) => f.type === "chunk");
    expect(chunks.map((f) => f.content).join("")).toBe(TEST_TEXT);

    const echo = await h.connect(wsUrl());
    await echo.ofType("connected");
    const before = internals(echo)._socket!.bytesRead;
    const text = TEST_TEXT.repeat(600); // ~66 KB
    echo.send({ type: "big", payload: { text } });
    expect(await echo.ofType("big")).toEqual({ type: "big", payload: { text } });
    expect(internals(echo)._socket!.bytesRead - before).toBeLessThan(text.length / 10);
    echo.send(new Uint8Array([0, 1, 2, 255, 0, 0, 0, 0]));
    expect([...(await echo.binary())]).toEqual([0, 1, 2, 255, 0, 0, 0, 0]);
  });

  it("refuses a compression option out of range with a TypeError naming it", async () => {
    await expect(h.serve({ compression: { level: 12 } })).rejects.toThrow('"compression.level"');
    await expect(h.serve({ compression: "yes" as never })).rejects.toThrow('"compression"');
  });
}
