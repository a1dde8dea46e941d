/**
 * The Fastify example on a real server: its own routes and hook work beside the plugin, the
 * hook's 403 applies to the WebSocket handshake, and the agent streams and calls tools.
 */
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { createDemoAgent } from "@agentsocket/core/demo";
import { connect, refused, tryConnect, within, type TestClient } from "@agentsocket/core/testing";
import { startApp, type RunningApp } from "./app.ts";

const TOKEN = "test-token";
const AUTH = { authorization: `Bearer ${TOKEN}` };
const BANNED = { "user-agent": "BadBot/1.0" };

const apps: RunningApp[] = [];
const clients: TestClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function start() {
  const app = await startApp({
    port: 0,
    host: "127.0.0.1",
    agent: createDemoAgent({ tokensPerSecond: 0 }),
    tokens: { [TOKEN]: { id: "tester" } },
  });
  apps.push(app);
  return { ...app, wsUrl: `${app.url.replace(/^http/, "ws")}/ws` };
}

async function open(url: string) {
  const client = await connect(WebSocket, url, { headers: AUTH });
  clients.push(client);
  await client.ofType("connected");
  return client;
}

describe("fastify example: the app's own routes and hook", () => {
  it("serves its routes beside the plugin, each response tagged by the hook", async () => {
    const { url } = await start();
    const home = await fetch(url);
    expect(home.status).toBe(200);
    expect(await home.json()).toEqual({ app: "fastify example", agent: "/ws" });
    expect(home.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const health = await fetch(`${url}/health/app`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok" });
  });

  it("answers a banned user agent 403 on its routes", async () => {
    const { url } = await start();
    expect((await fetch(`${url}/health/app`, { headers: BANNED })).status).toBe(403);
  });

  it("applies the hook's 403 to the WebSocket handshake, before the agent's auth", async () => {
    const { wsUrl, manager } = await start();
    const withToken = { headers: { ...AUTH, ...BANNED } };
    // The hook's own 403, not core's (which would carry a code).
    expect(await tryConnect(WebSocket, wsUrl, withToken)).toMatchObject({ ok: false, status: 403 });
    // Without a token too: the app's hook answers before agentsocket would say 401.
    expect(await tryConnect(WebSocket, wsUrl, { headers: BANNED })).toMatchObject({
      ok: false,
      status: 403,
    });
    expect(manager.getConnectionCount()).toBe(0);
  });

  it("refuses a missing or unknown bearer token with 401", async () => {
    const { wsUrl } = await start();
    expect(await tryConnect(WebSocket, wsUrl)).toEqual(refused(401, "UNAUTHORIZED"));
    const wrong = { headers: { authorization: "Bearer nope" } };
    expect(await tryConnect(WebSocket, wsUrl, wrong)).toEqual(refused(401, "UNAUTHORIZED"));
  });
});

describe("fastify example: the agent at /ws", () => {
  it("streams an answer and runs a calculator tool call", async () => {
    const { wsUrl, manager } = await start();
    const client = await open(wsUrl);
    expect(manager.getConnectionsByUser("tester")).toHaveLength(1);

    client.send({ type: "stream", requestId: "s1", payload: { prompt: "Tell me a story" } });
    const complete = await client.ofType("stream_complete", "s1");
    expect(complete.status).toBe("completed");
    const chunks = client.frames.filter((f) => f.type === "chunk" && f.requestId === "s1");
    expect(chunks.map((chunk) => chunk.seq)).toEqual(chunks.map((_, i) => i + 1));
    expect(chunks.map((chunk) => chunk.content).join("")).toContain("Tell me a story");

    client.send({
      type: "tool_call",
      requestId: "t1",
      payload: { toolName: "calculator", args: { expression: "2+3" } },
    });
    const result = await client.ofType("tool_result", "t1");
    expect(result).toMatchObject({ toolName: "calculator", result: { value: 5 } });
  });

  it("closes clients with 1001 on app.close()", async () => {
    const running = await start();
    const client = await open(running.wsUrl);
    await running.close();
    expect(await within(client.closed, "the close")).toMatchObject({ code: 1001 });
  });
});

describe("fastify example: the request log", () => {
  it("never shows the ?token= a browser connects with, served or refused", async () => {
    const lines: string[] = [];
    const running = await startApp({
      port: 0,
      host: "127.0.0.1",
      agent: createDemoAgent({ tokensPerSecond: 0 }),
      tokens: { [TOKEN]: { id: "tester" } },
      logger: { stream: { write: (line) => lines.push(line) } },
    });
    apps.push(running);
    const wsUrl = `${running.url.replace(/^http/, "ws")}/ws`;
    const client = await connect(WebSocket, `${wsUrl}?token=${TOKEN}`);
    clients.push(client);
    await client.ofType("connected");
    expect(await tryConnect(WebSocket, `${wsUrl}?token=wrong-${TOKEN}`)).toEqual(
      refused(401, "UNAUTHORIZED"),
    );
    expect((await fetch(`${running.url}/missing?token=${TOKEN}`)).status).toBe(404);
    const home = await fetch(`${running.url}/?token=${TOKEN}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(home.status).toBe(200);
    await running.close();

    expect(lines.join("")).not.toContain(TOKEN);
    const urls = lines.map((line) => (JSON.parse(line) as { req?: { url?: string } }).req?.url);
    expect(urls).toEqual(
      expect.arrayContaining([
        "/ws?token=[REDACTED]",
        "/missing?token=[REDACTED]",
        "/?token=[REDACTED]",
      ]),
    );
  });
});
