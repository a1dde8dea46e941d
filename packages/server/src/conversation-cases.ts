/**
 * The end-to-end checks of issue 12, run for each conversation store: real `createServer`
 * instances on port 0, real `ws` clients, HTTP through `fetch`. Imported by the
 * `conversations-*.test.ts` files, one per store.
 */
import { afterEach, expect, it } from "vitest";
import WebSocket from "ws";
import type { ConversationStore } from "@agentsocket/core";
import { connect, createTestBackend, TEST_TEXT, type TestClient } from "@agentsocket/core/testing";
import { createServer, type AgentServer, type Framework } from "./index.ts";

/** A store on the test's data: each call opens one more store on the same data. */
export type OpenStore = () => ConversationStore | Promise<ConversationStore>;

interface Running {
  server: AgentServer;
  /** `http://127.0.0.1:port` */
  url: string;
  backend: ReturnType<typeof createTestBackend>;
  /** A `ws` client authenticated as `who`. */
  client(who: "alice" | "bob"): Promise<TestClient>;
  /** `fetch` under the base path, authenticated as `who`. */
  http(who: "alice" | "bob", path: string, init?: RequestInit): Promise<Response>;
}

/** Registers the conversation cases of one store on one framework. */
export function conversationCases(framework: Framework, open: OpenStore): void {
  const cleanup: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  // Fresh user ids per test: durable stores keep what earlier tests wrote.
  let users = { alice: "", bob: "" };
  const keys = { alice: "key-alice", bob: "key-bob" };

  const start = async (
    conversations: { maxHistory?: number } = {},
    store?: ConversationStore,
  ): Promise<Running> => {
    const backend = createTestBackend();
    const opened = store ?? (await open());
    if (!store) cleanup.push(() => opened.close());
    const server = await createServer(backend, {
      framework,
      config: {
        port: 0,
        host: "127.0.0.1",
        websocket: {
          auth: {
            strategy: "apiKey",
            apiKeys: { [keys.alice]: { id: users.alice }, [keys.bob]: { id: users.bob } },
          },
        },
        agent: { conversations: { store: opened, ...conversations } },
      },
    });
    await server.start();
    cleanup.push(() => server.stop());
    const base = `127.0.0.1:${server.port}`;
    return {
      server,
      url: `http://${base}`,
      backend,
      async client(who) {
        const client = await connect(WebSocket, `ws://${base}/ws?apiKey=${keys[who]}`);
        cleanup.push(() => client.socket.terminate());
        return client;
      },
      http: (who, path, init = {}) =>
        fetch(`http://${base}/api${path}`, {
          ...init,
          headers: { "content-type": "application/json", "x-api-key": keys[who] },
        }),
    };
  };

  let seq = 0;
  /** Streams `prompt` to the end; resolves the start and terminal frames. */
  const turn = async (client: TestClient, prompt: string, conversationId?: string) => {
    const requestId = `r${++seq}`;
    client.send({ type: "stream", requestId, payload: { prompt, conversationId } });
    const end = await client.frame(
      (f) => f.requestId === requestId && (f.type === "stream_complete" || f.type === "error"),
      `the end of ${requestId}`,
      10_000,
    );
    const startFrame = client.frames.find(
      (f) => f.requestId === requestId && f.type === "stream_start",
    );
    return { start: startFrame, end };
  };

  const fresh = () => {
    const tag = crypto.randomUUID().slice(0, 8);
    users = { alice: `alice-${tag}`, bob: `bob-${tag}` };
  };

  it("streams two turns; the second backend call sees the first, both ends carry the ids", async () => {
    fresh();
    const { client, backend, http } = await start();
    const alice = await client("alice");
    const first = await turn(alice, "My name is Ada.");
    const { conversationId, messageId } = first.start!;
    expect(conversationId).toEqual(expect.any(String));
    expect(messageId).toEqual(expect.any(String));
    expect(first.end).toMatchObject({
      type: "stream_complete",
      status: "completed",
      conversationId,
      messageId,
    });
    expect(backend.state.requests[0]!.conversationMessages).toEqual([]);

    const second = await turn(alice, "What is my name?", conversationId as string);
    expect(second.end).toMatchObject({ status: "completed", conversationId });
    expect(second.end.messageId).not.toBe(messageId);
    const seen = backend.state.requests[1]!.conversationMessages!;
    expect(seen.map((m) => [m.role, m.content])).toEqual([
      ["user", "My name is Ada."],
      ["assistant", TEST_TEXT],
    ]);
    expect(seen[1]!.id).toBe(messageId);

    const stored = await (await http("alice", `/conversations/${conversationId}`)).json();
    expect(stored.messages.map((m: { role: string }) => m.role)).toEqual([
      "user",
      "assistant",
      "user",
      "assistant",
    ]);
    expect(stored.messages[3]).toMatchObject({ id: second.end.messageId, content: TEST_TEXT });
    expect(stored.messages[3].metadata).toMatchObject({
      status: "completed",
      finishReason: "stop",
    });
  });

  it("lists and continues a conversation from a new server on the same store", async () => {
    fresh();
    const one = await start();
    const { start: started } = await turn(await one.client("alice"), "Remember the fox.");
    await one.server.stop();

    const two = await start();
    const listed = await (await two.http("alice", "/conversations")).json();
    expect(listed.conversations).toEqual([
      expect.objectContaining({ id: started!.conversationId, title: "Remember the fox." }),
    ]);
    const next = await turn(
      await two.client("alice"),
      "And now?",
      started!.conversationId as string,
    );
    expect(next.end).toMatchObject({
      status: "completed",
      conversationId: started!.conversationId,
    });
    expect(two.backend.state.requests[0]!.conversationMessages).toHaveLength(2);
  });

  it("refuses another user's conversation: 404 over HTTP, NOT_FOUND over WebSocket", async () => {
    fresh();
    const { client, http, backend } = await start();
    const { start: started } = await turn(await client("alice"), "Private.");
    const id = started!.conversationId as string;
    const bob = await client("bob");
    const stolen = await turn(bob, "Tell me what Alice said.", id);
    expect(stolen.start).toBeUndefined();
    expect(stolen.end).toMatchObject({ type: "error", code: "NOT_FOUND" });
    bob.send({
      type: "generate",
      requestId: "g-bob",
      payload: { prompt: "And now?", conversationId: id },
    });
    expect(await bob.ofType("error", "g-bob")).toMatchObject({ code: "NOT_FOUND" });
    expect((await http("bob", `/conversations/${id}`)).status).toBe(404);
    expect((await http("bob", `/conversations/${id}`, { method: "DELETE" })).status).toBe(404);
    expect((await (await http("bob", "/conversations")).json()).conversations).toEqual([]);
    const body = JSON.stringify({ prompt: "Over HTTP?", conversationId: id });
    const overHttp = await http("bob", "/agent/generate", { method: "POST", body });
    expect(overHttp.status).toBe(404);
    expect(await overHttp.json()).toMatchObject({ code: "NOT_FOUND" });
    expect(backend.state.requests).toHaveLength(1);
    const kept = await (await http("alice", `/conversations/${id}`)).json();
    expect(kept.messages).toHaveLength(2);
  });

  it("deletes a conversation: gone from HTTP and refused over WebSocket", async () => {
    fresh();
    const { client, http } = await start();
    const alice = await client("alice");
    const { start: started } = await turn(alice, "Forget this.");
    const id = started!.conversationId as string;
    expect((await http("alice", `/conversations/${id}`, { method: "DELETE" })).status).toBe(204);
    expect((await http("alice", `/conversations/${id}`)).status).toBe(404);
    expect((await (await http("alice", "/conversations")).json()).conversations).toEqual([]);
    expect((await turn(alice, "Still there?", id)).end).toMatchObject({ code: "NOT_FOUND" });
  });

  it("bounds the history the backend receives by maxHistory", async () => {
    fresh();
    const { client, backend } = await start({ maxHistory: 3 });
    const alice = await client("alice");
    const { start: started } = await turn(alice, "one");
    const id = started!.conversationId as string;
    await turn(alice, "two", id);
    await turn(alice, "three", id);
    const seen = backend.state.requests.map((r) => r.conversationMessages!.map((m) => m.content));
    expect(seen[1]).toEqual(["one", TEST_TEXT]);
    expect(seen[2]).toEqual([TEST_TEXT, "two", TEST_TEXT]);
  });

  it("stores what was streamed before a cancel, marked cancelled", async () => {
    fresh();
    const { client, http } = await start();
    const alice = await client("alice");
    alice.send({ type: "stream", requestId: "c1", payload: { prompt: "forever" } });
    await alice.frame(
      (f) => f.type === "chunk" && f.requestId === "c1" && (f.seq as number) >= 3,
      "three chunks",
    );
    alice.send({ type: "cancel", payload: { requestId: "c1" } });
    const end = await alice.ofType("stream_complete", "c1");
    expect(end).toMatchObject({ status: "cancelled", conversationId: expect.any(String) });
    const streamed = alice.frames
      .filter((f) => f.type === "chunk" && f.requestId === "c1")
      .map((f) => f.content)
      .join("");
    const stored = await (await http("alice", `/conversations/${end.conversationId}`)).json();
    expect(stored.messages[1]).toMatchObject({
      id: end.messageId,
      role: "assistant",
      content: streamed,
      metadata: { status: "cancelled" },
    });
  });

  it("keeps generate turns too, and pages the list over HTTP", async () => {
    fresh();
    const { client, http, backend, url } = await start();
    const alice = await client("alice");
    alice.send({ type: "generate", requestId: "g1", payload: { prompt: "first" } });
    const one = await alice.ofType("response", "g1");
    expect(one).toMatchObject({
      conversationId: expect.any(String),
      messageId: expect.any(String),
    });
    alice.send({
      type: "generate",
      requestId: "g2",
      payload: { prompt: "second", conversationId: one.conversationId },
    });
    await alice.ofType("response", "g2");
    expect(backend.state.requests[1]!.conversationMessages!.map((m) => m.content)).toEqual([
      "first",
      "echo: first",
    ]);
    alice.send({ type: "generate", requestId: "g3", payload: { prompt: "other" } });
    const other = await alice.ofType("response", "g3");
    const page = await (await http("alice", "/conversations?limit=1")).json();
    const rest = await (
      await http("alice", `/conversations?limit=1&cursor=${page.nextCursor}`)
    ).json();
    const [newer, older] = [page.conversations[0], rest.conversations[0]];
    // Newest first; two conversations updated in the same millisecond may come in either order.
    expect([newer.id, older.id].sort()).toEqual([one.conversationId, other.conversationId].sort());
    expect(Date.parse(newer.updatedAt)).toBeGreaterThanOrEqual(Date.parse(older.updatedAt));
    expect(rest.nextCursor).toBeUndefined();
    expect((await http("alice", "/conversations?limit=0")).status).toBe(400);
    expect((await fetch(`${url}/api/conversations`)).status).toBe(401);
  });
}
