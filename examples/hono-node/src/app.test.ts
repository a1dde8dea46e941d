/**
 * The Hono-on-Node example on a real server: its own routes and CORS, the origin check on the
 * WebSocket handshake, and the agent's stream, generate and cancel.
 */
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import type { AgentBackend } from "@agentsocket/core";
import { createDemoAgent } from "@agentsocket/core/demo";
import { connect, refused, tryConnect, type TestClient } from "@agentsocket/core/testing";
import { startApp, type RunningApp } from "./app.ts";

const APP_ORIGIN = "https://app.example.com";
const EVIL_ORIGIN = "https://evil.example.com";

const apps: RunningApp[] = [];
const clients: TestClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function start(agent: AgentBackend = createDemoAgent({ tokensPerSecond: 0 })) {
  const app = await startApp({ port: 0, host: "127.0.0.1", agent, allowedOrigins: [APP_ORIGIN] });
  apps.push(app);
  return { ...app, wsUrl: `${app.url.replace(/^http/, "ws")}/ws` };
}

async function open(url: string, origin = APP_ORIGIN) {
  const client = await connect(WebSocket, url, { origin });
  clients.push(client);
  await client.ofType("connected");
  return client;
}

/** Streams `prompt` and returns the concatenated text and the `stream_complete` frame. */
async function stream(client: TestClient, requestId: string, prompt: string) {
  client.send({ type: "stream", requestId, payload: { prompt } });
  const complete = await client.ofType("stream_complete", requestId);
  const text = client.frames
    .filter((frame) => frame.type === "chunk" && frame.requestId === requestId)
    .map((frame) => frame.content)
    .join("");
  return { text, complete };
}

describe("hono example: the app's own routes", () => {
  it("serves its page and its API, with CORS for the app's origin only", async () => {
    const { url } = await start();
    const home = await fetch(url);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain("Hono on Node");

    const info = await fetch(`${url}/api/info`, { headers: { origin: APP_ORIGIN } });
    expect(info.status).toBe(200);
    expect(info.headers.get("access-control-allow-origin")).toBe(APP_ORIGIN);
    expect(await info.json()).toEqual({
      app: "hono-node example",
      websocket: "/ws",
      connections: 0,
    });

    const evil = await fetch(`${url}/api/info`, { headers: { origin: EVIL_ORIGIN } });
    expect(evil.headers.get("access-control-allow-origin")).not.toBe(EVIL_ORIGIN);
  });
});

describe("hono example: the agent at /ws", () => {
  it("refuses a handshake from another origin with 403 and accepts the app's origin", async () => {
    const { url, wsUrl, manager } = await start();
    expect(await tryConnect(WebSocket, wsUrl, { origin: EVIL_ORIGIN })).toEqual(
      refused(403, "ORIGIN_NOT_ALLOWED"),
    );
    expect(manager.getConnectionCount()).toBe(0);

    await open(wsUrl, APP_ORIGIN);
    expect(manager.getConnectionCount()).toBe(1);
    const info = (await (await fetch(`${url}/api/info`)).json()) as { connections: number };
    expect(info.connections).toBe(1);
  });

  it("streams the same text that generate returns for the same prompt", async () => {
    const { wsUrl } = await start();
    const client = await open(wsUrl);
    for (const [i, prompt] of ["Explain WebSockets", "calculate (12 + 30) * 2"].entries()) {
      const { text, complete } = await stream(client, `s${i}`, prompt);
      expect(complete.status).toBe("completed");
      client.send({ type: "generate", requestId: `g${i}`, payload: { prompt } });
      const response = await client.ofType("response", `g${i}`);
      expect(text.length).toBeGreaterThan(0);
      expect(text).toBe(response.content);
    }
  });

  it("ends a stream cancelled mid-way with status cancelled", async () => {
    const { wsUrl } = await start(createDemoAgent({ tokensPerSecond: 50 }));
    const client = await open(wsUrl);
    client.send({ type: "stream", requestId: "long", payload: { prompt: "Tell me everything" } });
    await client.ofType("chunk", "long");
    client.send({ type: "cancel", payload: { requestId: "long" } });

    const complete = await client.ofType("stream_complete", "long");
    expect(complete.status).toBe("cancelled");
    const text = client.frames
      .filter((frame) => frame.type === "chunk" && frame.requestId === "long")
      .map((frame) => frame.content)
      .join("");
    // The full answer is ~100 tokens (2 s at 50/s); cancelled after the first, most never came.
    expect(text.length).toBeGreaterThan(0);
    expect(text.split(" ").length).toBeLessThan(50);
    const terminal = client.frames.filter(
      (f) => f.requestId === "long" && (f.type === "stream_complete" || f.type === "error"),
    );
    expect(terminal).toHaveLength(1);
  });
});
