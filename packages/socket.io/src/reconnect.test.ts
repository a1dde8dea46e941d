/**
 * `ai:reconnect` with `agent.resume` on, with the real `socket.io-client`: a stream started on a
 * client whose transport drops goes on into its log, and moves — with the client's rooms — to
 * the new client of the same user that names the old one: every token exactly once, then the
 * normal completion. Another user gets `ai:error`.
 */
import { createServer, type Server as HttpServer } from "node:http";
import { Server } from "socket.io";
import { afterEach, describe, expect, it } from "vitest";
import {
  createTestBackend,
  listenForTests,
  TEST_TEXT,
  type ConformanceServer,
} from "@agentsocket/core/testing";
import { attachAgent, type SocketIOAgentOptions } from "./index.ts";
import { connectTestClient, type TestClient } from "./testing.ts";

type Token = { streamId: string; data: string; tokenCount: number };

/** Clients, then servers: what each test leaves to close. */
const open: Array<TestClient | ConformanceServer> = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await ("stop" in item ? item.stop() : item.close());
});

const validate = (token: string) => ({ a: { id: "alice" }, m: { id: "mallory" } })[token] ?? null;

async function serve(options: SocketIOAgentOptions = {}) {
  const backend = createTestBackend({ tokenDelay: 25 });
  const http: HttpServer = createServer();
  const io = new Server(http, { serveClient: false });
  const served = attachAgent(io, backend, {
    auth: { strategy: "bearer", validate },
    agent: { resume: true },
    ...options,
  });
  const server = await listenForTests(http, async () => {
    served.close();
    await io.close();
  });
  open.push(server);
  const connect = async (token: string) => {
    const client = await connectTestClient(`${server.url}/ai`, { auth: { token } });
    open.push(client);
    return client;
  };
  return { backend, served, connect };
}

describe("ai:reconnect moves the previous client's streams", () => {
  it("an ai:stream goes on on the new client after a transport drop: every token once", async () => {
    const { backend, connect } = await serve();
    const first = await connect("a");
    const previousClientId = first.socket.id!;
    first.socket.emit("ai:stream", { prompt: "hi", streamId: "s1" });
    await first.next<Token>("ai:token", (token) => token.tokenCount >= 3);
    first.socket.io.engine.close(); // the transport drops; the server finds out on its own
    await first.disconnected;
    const had = first.received<Token>("ai:token");

    const thief = await connect("m");
    thief.socket.emit("ai:reconnect", { previousClientId, streams: { s1: had.length } });
    expect(await thief.next("ai:error")).toEqual({
      code: "NOT_FOUND",
      error: "Unknown previous client",
    });

    const second = await connect("a");
    second.socket.emit("ai:reconnect", { previousClientId, streams: { s1: had.length } });
    expect(await second.next("ai:reconnect:success")).toEqual({
      previousClientId,
      newClientId: second.socket.id,
      rooms: [],
      streams: ["s1"],
    });
    const done = await second.next("ai:done");
    expect(done).toMatchObject({ streamId: "s1", totalTokens: expect.any(Number) });
    const rest = second.received<Token>("ai:token");
    expect(rest.length).toBeGreaterThan(0);
    expect([...had, ...rest].map((token) => token.data).join("")).toBe(TEST_TEXT);
    expect([...had, ...rest].map((token) => token.tokenCount)).toEqual(
      [...had, ...rest].map((_, i) => i + 1),
    );
    expect(second.order.filter((event) => event.startsWith("ai:stream"))).toEqual([
      "ai:stream:complete",
    ]);
    expect(thief.received("ai:token")).toEqual([]);
    expect(backend.state.abortedAt).toEqual([]);
    // A previous client is taken over once.
    second.socket.emit("ai:reconnect", { previousClientId });
    expect(await second.next("ai:error")).toMatchObject({ code: "NOT_FOUND" });
  });

  it("a chat turn and the client's rooms move too; ai:cancel on the new client stops a moved stream", async () => {
    const { backend, served, connect } = await serve();
    const first = await connect("a");
    const previousClientId = first.socket.id!;
    served.namespace.sockets.get(previousClientId)!.join("news");
    first.socket.emit("chat:start", { message: "hi" });
    first.socket.emit("ai:stream", { prompt: "forever", streamId: "long" });
    await first.next("chat:message");
    await first.next<Token>("ai:token", (token) => token.streamId === "long");
    // Dropped by the server: what it wrote before the drop reaches the client.
    served.namespace.sockets.get(previousClientId)!.conn.close();
    await first.disconnected;
    const had = first.received<{ content: string }>("chat:message");

    const second = await connect("a");
    second.socket.emit("ai:reconnect", { previousClientId });
    expect(await second.next("ai:reconnect:success")).toMatchObject({
      rooms: ["news"],
      streams: ["long"],
    });
    const end = await second.next("chat:end");
    expect(end).toMatchObject({ conversationId: expect.any(String), finishReason: "stop" });
    const rest = second.received<{ content: string }>("chat:message");
    expect([...had, ...rest].map((message) => message.content).join("")).toBe(TEST_TEXT);

    served.namespace.to("news").emit("news", { hello: 1 });
    expect(await second.next("news")).toEqual({ hello: 1 });

    const aborted = backend.state.nextAbort();
    second.socket.emit("ai:cancel", { streamId: "long" });
    expect(await second.next("ai:stream:cancelled")).toEqual({ streamId: "long" });
    await aborted;
  });

  it("without resume, nothing moves: the previous client's streams were aborted", async () => {
    const { backend, served, connect } = await serve({ agent: {} });
    const first = await connect("a");
    const previousClientId = first.socket.id!;
    first.socket.emit("ai:stream", { prompt: "forever", streamId: "s" });
    await first.next("ai:token");
    const aborted = backend.state.nextAbort();
    served.namespace.sockets.get(previousClientId)!.conn.close();
    await aborted;
    const second = await connect("a");
    second.socket.emit("ai:reconnect", { previousClientId });
    expect(await second.next("ai:reconnect:success")).toMatchObject({ streams: [] });
  });
});
