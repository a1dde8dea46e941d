/**
 * `ai:token` written pre-encoded is the packet `socket.emit` would send: the same payload, keys
 * and counts on `/` and on a named namespace; an `onAnyOutgoing` listener still sees every token;
 * and with connection state recovery each token still carries its offset.
 */
import { createServer } from "node:http";
import { Server, type ServerOptions } from "socket.io";
import { afterEach, expect, it } from "vitest";
import {
  createTestBackend,
  listenForTests,
  type ConformanceServer,
} from "@agentsocket/core/testing";
import { attachAgent } from "./index.ts";
import { connectTestClient, type TestClient } from "./testing.ts";

const open: Array<TestClient | ConformanceServer> = [];
afterEach(async () => {
  const items = open.splice(0);
  for (const item of items) if (!("stop" in item)) item.close();
  for (const item of items) if ("stop" in item) await item.stop();
});

async function serve(namespace: string, options: Partial<ServerOptions> = {}) {
  const http = createServer();
  const io = new Server(http, { serveClient: false, ...options });
  const served = attachAgent(io, createTestBackend(), { namespace });
  const server = await listenForTests(http, async () => {
    served.close();
    await io.close();
  });
  open.push(server);
  const client = await connectTestClient(`${server.url}${namespace === "/" ? "" : namespace}`);
  open.push(client);
  return { io, client };
}

/** Streams once and returns the `ai:token` payloads as the client decoded them. */
async function tokens(client: TestClient, streamId: string) {
  client.socket.emit("ai:stream", { streamId, prompt: "hello" });
  await client.next("ai:done");
  return client.received<Record<string, unknown>>("ai:token");
}

it.each(["/", "/agent"])("ai:token on %s is { streamId, data, tokenCount }", async (nsp) => {
  const { client } = await serve(nsp);
  const received = await tokens(client, 'id "quoted" ⟨1⟩');
  expect(received.length).toBeGreaterThan(2);
  received.forEach((token, i) => {
    expect(Object.keys(token)).toEqual(["streamId", "data", "tokenCount"]);
    expect(token).toEqual({
      streamId: 'id "quoted" ⟨1⟩',
      data: expect.any(String),
      tokenCount: i + 1,
    });
  });
});

it("an onAnyOutgoing listener sees every ai:token", async () => {
  const { io, client } = await serve("/ai");
  const seen: unknown[] = [];
  for (const socket of io.of("/ai").sockets.values()) {
    socket.onAnyOutgoing((event: string, payload: unknown) => {
      if (event === "ai:token") seen.push(payload);
    });
  }
  const received = await tokens(client, "s1");
  expect(seen).toEqual(received);
});

it("with connection state recovery, each ai:token carries its offset", async () => {
  const options = { connectionStateRecovery: { maxDisconnectionDuration: 10_000 } };
  const { client } = await serve("/ai", options);
  const offsets: unknown[] = [];
  client.socket.onAny((event: string, ...args: unknown[]) => {
    if (event === "ai:token") offsets.push(args[1]);
  });
  const received = await tokens(client, "s1");
  expect(offsets).toHaveLength(received.length);
  for (const offset of offsets) expect(offset).toEqual(expect.any(String));
});
