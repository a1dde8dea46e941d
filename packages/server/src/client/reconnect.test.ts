/**
 * Reconnecting, on every framework: a TCP proxy between client and server cut mid-connection (a
 * real drop, no close frame) and a server restarted on its port. The client comes back by itself,
 * re-joins its rooms, runs what was asked meanwhile, and fails a stream the server cannot resume
 * with a clear error instead of hanging. Then the knobs: reconnect: false, maxRetries, 1012.
 */
import { WebSocket } from "ws";
import { afterEach, describe, expect, it } from "vitest";
import type { AgentServer, Framework } from "../index.ts";
import {
  createAgentSocketClient,
  type AgentSocketClient,
  type AgentSocketClientOptions,
} from "@agentsocket/client";
import {
  FRAMEWORKS,
  startAgentServer,
  startTcpProxy,
  waitForState,
  type TcpProxy,
} from "./test-harness.ts";

const FAST = { initialDelayMs: 20, maxDelayMs: 100 };

let servers: AgentServer[] = [];
let proxy: TcpProxy | undefined;
let clients: AgentSocketClient[] = [];

afterEach(async () => {
  for (const client of clients) client.close();
  await proxy?.close();
  await Promise.all(servers.map((server) => server.stop()));
  servers = [];
  clients = [];
  proxy = undefined;
});

async function setUp(
  framework: Framework,
  options: Partial<AgentSocketClientOptions> = {},
  tokensPerSecond = 0,
) {
  const server = await startAgentServer(framework, { tokensPerSecond });
  servers.push(server);
  proxy = await startTcpProxy(server.port!);
  const client = createAgentSocketClient({
    url: proxy.url,
    webSocket: WebSocket,
    reconnect: FAST,
    ...options,
  });
  clients.push(client);
  await waitForState(client, "open");
  return { server, proxy, client };
}

function nextMessage(client: AgentSocketClient, type: string): Promise<unknown> {
  return new Promise((resolve) => {
    const off = client.on("message", (message) => {
      if ((message as { type?: string }).type !== type) return;
      off();
      resolve(message);
    });
  });
}

describe.each(FRAMEWORKS)("reconnect on %s", (framework) => {
  it("a cut connection comes back by itself: rooms are re-joined and new requests work", async () => {
    const { server, proxy, client } = await setUp(framework);
    await client.join("lobby");
    const states: string[] = [];
    client.on("state", (state) => states.push(state));

    expect(proxy.cut()).toBe(1);
    await waitForState(client, "reconnecting");
    const meanwhile = client.generate("asked while reconnecting");
    await waitForState(client, "open");
    expect(states).toEqual(["reconnecting", "open"]);
    expect(proxy.accepted).toBe(2);
    expect((await meanwhile).content).toContain("asked while reconnecting");
    expect(await client.callTool("calculator", { expression: "6 * 7" })).toMatchObject({
      value: 42,
    });

    // The re-join is answered before any later request: the room reaches the new connection.
    const news = nextMessage(client, "news");
    await client.generate("after");
    expect(server.websocket.broadcastToRoom("lobby", { type: "news" })).toBe(1);
    expect(await news).toEqual({ type: "news" });
    expect(client.rooms).toEqual(["lobby"]);
  });

  it("a stream cut mid-answer by a server without resume fails with CONNECTION_LOST, never hangs", async () => {
    const { proxy, client } = await setUp(framework, {}, 40);
    const stream = client.stream("Tell me a long story");
    let received = "";
    const loop = (async () => {
      for await (const text of stream) {
        received += text;
        if (received.length > 10 && proxy.cut() !== 1) throw new Error("nothing to cut");
      }
    })();
    await expect(loop).rejects.toMatchObject({ name: "AgentSocketError", code: "CONNECTION_LOST" });
    const error = await stream.result.catch((error: Error) => error);
    expect(error).toMatchObject({ code: "CONNECTION_LOST", requestId: stream.requestId });
    expect((error as Error).message).toMatch(/does not resume streams/);
    await waitForState(client, "open");
    expect((await client.generate("still here?")).content).toContain("still here?");
  });

  it("a restarted server on the same port is reconnected to; pending generate calls succeed", async () => {
    const { server, client } = await setUp(framework);
    const port = server.port;
    await server.stop();
    servers = [];
    await waitForState(client, "reconnecting");
    const meanwhile = client.generate("while the server was down");
    servers.push(await startAgentServer(framework, { port }));
    expect((await meanwhile).content).toContain("while the server was down");
    expect(client.state).toBe("open");
  });
});

describe("reconnect options", () => {
  it("reconnect: false turns closed on a drop; in-flight requests fail CONNECTION_LOST", async () => {
    const { proxy, client } = await setUp("hono", { reconnect: false }, 5);
    const inFlight = client.generate("slow");
    await new Promise<void>((resolve) => setImmediate(resolve));
    proxy.cut();
    await expect(inFlight).rejects.toMatchObject({ code: "CONNECTION_LOST" });
    expect(client.state).toBe("closed");
    await expect(client.generate("later")).rejects.toMatchObject({ code: "CONNECTION_CLOSED" });
    expect(proxy.accepted).toBe(1);
  });

  it("gives up after maxRetries failed attempts and fails the queued requests", async () => {
    const { server, proxy, client } = await setUp("hono", {
      reconnect: { ...FAST, maxRetries: 2 },
    });
    await server.stop();
    servers = [];
    await waitForState(client, "reconnecting");
    const queued = client.generate("never sent");
    await waitForState(client, "closed");
    await expect(queued).rejects.toMatchObject({ code: "CONNECTION_CLOSED" });
    expect(proxy.accepted).toBe(3); // the first connection, then two retries
  });

  it("close code 1012 (server restart) reconnects at once, not after the backoff", async () => {
    const slowBackoff = { initialDelayMs: 60_000, maxDelayMs: 60_000 };
    const { server, proxy, client } = await setUp("hono", { reconnect: slowBackoff });
    const [connection] = server.websocket.getAllConnections();
    await server.websocket.close(connection!.id, 1012, "restart");
    await proxy.waitForConnections(2);
    await waitForState(client, "open");
    expect((await client.generate("back")).content).toContain("back");
  });

  it('{type:"shutdown", reconnect:true} before a close reconnects at once too', async () => {
    const slowBackoff = { initialDelayMs: 60_000, maxDelayMs: 60_000 };
    const { server, proxy, client } = await setUp("hono", { reconnect: slowBackoff });
    const [connection] = server.websocket.getAllConnections();
    server.websocket.sendToConnection(connection!.id, { type: "shutdown", reconnect: true });
    await server.websocket.close(connection!.id, 1001, "going away");
    await proxy.waitForConnections(2);
    await waitForState(client, "open");
  });

  it("a normal drop waits for the backoff (the same server with a 60 s delay is not retried yet)", async () => {
    const slowBackoff = { initialDelayMs: 60_000, maxDelayMs: 60_000 };
    const { server, proxy, client } = await setUp("hono", { reconnect: slowBackoff });
    const [connection] = server.websocket.getAllConnections();
    await server.websocket.close(connection!.id, 1001, "going away");
    await waitForState(client, "reconnecting");
    // The 1012 test above reconnects within this; a backoff of up to 60 s does not (p ≈ 0.003).
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(proxy.accepted).toBe(1);
  });
});
