/**
 * Resume, on every framework, against servers with `agent.resume` on: a TCP proxy cut mid-stream
 * (a real drop, no close frame) and the `for await` loop simply goes on — the text equals the
 * whole answer, no chunk twice, none missing. A server that lost the stream answers
 * `recovered: false` and the stream fails with RESUME_FAILED; a cancel after a resume reaches the
 * producer; a drain (1012) moves the client to another instance sharing the stream store.
 */
import { WebSocket } from "ws";
import { afterEach, describe, expect, it } from "vitest";
import { createMemoryStreamStore } from "@agentsocket/core";
import type { AgentServer, Framework } from "../index.ts";
import { createAgentSocketClient, type AgentSocketClient } from "@agentsocket/client";
import { FRAMEWORKS, startAgentServer, startTcpProxy, type TcpProxy } from "./test-harness.ts";

const PROMPT = "Tell me everything about resumable streams";
let servers: AgentServer[] = [];
let proxy: TcpProxy | undefined;
let client: AgentSocketClient | undefined;

afterEach(async () => {
  client?.close();
  await proxy?.close();
  await Promise.all(servers.map((server) => server.stop()));
  servers = [];
  client = undefined;
  proxy = undefined;
});

async function resumableServer(framework: Framework, store = createMemoryStreamStore()) {
  const server = await startAgentServer(framework, {
    tokensPerSecond: 60,
    config: { agent: { allowedTools: ["calculator"], resume: { store } } },
  });
  servers.push(server);
  return server;
}

async function connectThroughProxy(server: AgentServer): Promise<AgentSocketClient> {
  proxy = await startTcpProxy(server.port!);
  const reconnect = { initialDelayMs: 20, maxDelayMs: 100 };
  return (client = createAgentSocketClient({ url: proxy.url, webSocket: WebSocket, reconnect }));
}

/** The whole answer, asked once more on a connection of its own. */
async function fullAnswer(server: AgentServer): Promise<string> {
  const other = createAgentSocketClient({
    url: `ws://127.0.0.1:${server.port}/ws`,
    webSocket: WebSocket,
  });
  try {
    return (await other.generate(PROMPT)).content;
  } finally {
    other.close();
  }
}

describe.each(FRAMEWORKS)("resume on %s", (framework) => {
  it("a stream cut twice mid-answer continues in the same loop: the full text, once", async () => {
    const server = await resumableServer(framework);
    const client = await connectThroughProxy(server);
    const stream = client.stream(PROMPT);
    const chunks: string[] = [];
    const cutsAt = [40, 200];
    for await (const text of stream) {
      chunks.push(text);
      if (cutsAt.length > 0 && chunks.join("").length > cutsAt[0]!) {
        cutsAt.shift();
        expect(proxy!.cut()).toBe(1);
      }
    }
    const result = await stream.result;
    const expected = await fullAnswer(server);
    expect(cutsAt).toEqual([]);
    expect(proxy!.accepted).toBe(3);
    expect(stream.streamId).toEqual(expect.any(String));
    expect(chunks.join("")).toBe(expected);
    expect(result).toMatchObject({ status: "completed", text: expected, finishReason: "stop" });
  });

  it("a server that no longer has the stream answers recovered:false: RESUME_FAILED, not a hang", async () => {
    const server = await resumableServer(framework);
    const client = await connectThroughProxy(server);
    const fresh = await resumableServer(framework); // a restart: its store never saw the stream
    const stream = client.stream(PROMPT);
    let received = "";
    const loop = (async () => {
      for await (const text of stream) {
        received += text;
        if (received.length > 40 && proxy!.accepted === 1) {
          proxy!.retarget(fresh.port!);
          proxy!.cut();
        }
      }
    })();
    await expect(loop).rejects.toMatchObject({ code: "RESUME_FAILED", reason: "not_found" });
    await expect(stream.result).rejects.toThrow(/could not resume stream .* \(not_found\)/);
    expect((await client.generate("and now?")).content).toContain("and now?");
  });

  it("aborting the signal after a resume cancels the stream upstream (cancel {streamId})", async () => {
    const server = await resumableServer(framework);
    const client = await connectThroughProxy(server);
    const controller = new AbortController();
    const stream = client.stream(PROMPT, { signal: controller.signal });
    let received = "";
    for await (const text of stream) {
      received += text;
      if (proxy!.accepted === 1 && received.length > 20) proxy!.cut();
      else if (proxy!.accepted === 2 && received.length > 80) controller.abort();
    }
    const result = await stream.result;
    expect(result.status).toBe("cancelled");
    const expected = await fullAnswer(server);
    expect(expected.startsWith(result.text)).toBe(true);
    expect(result.text.length).toBeLessThan(expected.length);
  });
});

describe("drain with resume", () => {
  it("stop({ graceMs }) closes 1012; the client resumes on another instance sharing the store", async () => {
    const store = createMemoryStreamStore();
    const first = await resumableServer("hono", store);
    const second = await resumableServer("hono", store);
    const client = await connectThroughProxy(first);
    const stream = client.stream(PROMPT);
    let received = "";
    let stopping: Promise<void> | undefined;
    for await (const text of stream) {
      received += text;
      if (!stopping && received.length > 40) {
        proxy!.retarget(second.port!);
        stopping = first.stop({ graceMs: 10_000 });
      }
    }
    expect(received).toBe(await fullAnswer(second));
    expect((await stream.result).status).toBe("completed");
    expect(proxy!.accepted).toBe(2);
    await stopping;
    servers = servers.filter((server) => server !== first);
  });
});

describe.each(FRAMEWORKS)("session resume on %s", (framework) => {
  it("after a drop the session comes back: its room, and what was sent to it while away", async () => {
    const server = await resumableServer(framework);
    const client = await connectThroughProxy(server);
    const messages: unknown[] = [];
    client.on("message", (message) => messages.push(message));
    await client.join("lobby");
    const sessionId = client.sessionId;
    expect(sessionId).toEqual(expect.any(String));
    const [connection] = server.websocket.getAllConnections();

    proxy!.hold(true); // the network is down: every reconnect attempt fails
    proxy!.cut();
    await proxy!.waitForConnections(2);
    server.websocket.broadcastToRoom("lobby", { type: "news", n: 1 });
    server.websocket.sendToConnection(connection!.id, { type: "direct" });
    proxy!.hold(false);

    // The kept frames arrive right after the session reply, before any later answer.
    await client.generate("back");
    expect(messages).toEqual([{ type: "news", n: 1 }, { type: "direct" }]);
    expect(client.sessionId).toBe(sessionId);
    expect(client.rooms).toEqual(["lobby"]);
    expect(server.websocket.broadcastToRoom("lobby", { type: "news", n: 2 })).toBe(1);
  });
});
