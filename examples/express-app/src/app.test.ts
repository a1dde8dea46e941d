/**
 * The Express example on a real server: its own routes and login keep working, and the agent at
 * `/ws` accepts exactly the app's credentials (session cookie or `?token=` JWT).
 */
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import type { AgentBackend } from "@agentsocket/core";
import { createDemoAgent } from "@agentsocket/core/demo";
import { connect, refused, tryConnect, type TestClient } from "@agentsocket/core/testing";
import { startApp, type RunningApp } from "./app.ts";

const apps: RunningApp[] = [];
const clients: TestClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function start(agent: AgentBackend = createDemoAgent({ tokensPerSecond: 0 })) {
  const app = await startApp({ port: 0, host: "127.0.0.1", agent });
  apps.push(app);
  return { ...app, wsUrl: `${app.url.replace(/^http/, "ws")}/ws` };
}

async function open(url: string, headers?: Record<string, string>) {
  const client = await connect(WebSocket, url, headers ? { headers } : {});
  clients.push(client);
  await client.ofType("connected");
  return client;
}

async function login(url: string, username: string, password: string) {
  const response = await fetch(`${url}/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  const body = (await response.json()) as { user?: { id: string }; token?: string };
  // `sid=<value>; Path=/; HttpOnly; SameSite=Lax` → `sid=<value>`
  const cookie = response.headers.get("set-cookie")?.split(";")[0];
  return { response, body, cookie, setCookie: response.headers.get("set-cookie") ?? "" };
}

/** The same signature on another session id. */
function forge(cookie: string): string {
  const signature = cookie.slice(cookie.lastIndexOf("."));
  return `sid=${randomUUID()}${signature}`;
}

/** The token with its subject changed to "bob" and the original signature kept. */
function asBob(token: string): string {
  const [header, payload, signature] = token.split(".");
  const claims = JSON.parse(Buffer.from(payload!, "base64url").toString()) as object;
  const forged = Buffer.from(JSON.stringify({ ...claims, sub: "bob" })).toString("base64url");
  return `${header}.${forged}.${signature}`;
}

describe("express example: the app's own routes", () => {
  it("serves its page and its todo API", async () => {
    const { url } = await start();
    const home = await fetch(url);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain("Todo app");
    const todos = await fetch(`${url}/api/todos`);
    expect(todos.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await todos.json()).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: 1, done: false })]),
    );
  });

  it("logs in with a signed HttpOnly session cookie and a JWT, and /me reads the session", async () => {
    const { url } = await start();
    expect((await fetch(`${url}/me`)).status).toBe(401);

    const { response, body, cookie, setCookie } = await login(url, "alice", "wonderland");
    expect(response.status).toBe(200);
    expect(body.user).toMatchObject({ id: "alice", name: "Alice" });
    expect(body.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/^sid=[\w-]+\.[\w-]+$/);

    const me = await fetch(`${url}/me`, { headers: { cookie: cookie! } });
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ user: { id: "alice", name: "Alice", roles: ["admin"] } });

    expect((await fetch(`${url}/me`, { headers: { cookie: forge(cookie!) } })).status).toBe(401);
  });

  it("refuses a wrong password", async () => {
    const { url } = await start();
    const { response, cookie } = await login(url, "alice", "nope");
    expect(response.status).toBe(401);
    expect(cookie).toBeUndefined();
  });
});

describe("express example: the agent at /ws", () => {
  it("streams an answer to a client that logged in with the session cookie", async () => {
    const { url, wsUrl } = await start();
    const { cookie } = await login(url, "bob", "builder");
    const client = await open(wsUrl, { cookie: cookie! });

    client.send({ type: "stream", requestId: "s1", payload: { prompt: "What is agentsocket?" } });
    await client.ofType("stream_start", "s1");
    const complete = await client.ofType("stream_complete", "s1");
    expect(complete.status).toBe("completed");
    const text = client.frames
      .filter((frame) => frame.type === "chunk" && frame.requestId === "s1")
      .map((frame) => frame.content)
      .join("");
    expect(text).toContain('You asked: "What is agentsocket?"');
  });

  it("accepts the login JWT in ?token= and hands the agent the signed-in user", async () => {
    const seen: (string | undefined)[] = [];
    const demo = createDemoAgent({ tokensPerSecond: 0 });
    const agent: AgentBackend = {
      ...demo,
      generate: (request) => {
        seen.push(request.context?.userId);
        return demo.generate(request);
      },
    };
    const { url, wsUrl, manager } = await start(agent);
    const { body } = await login(url, "alice", "wonderland");
    const client = await open(`${wsUrl}?token=${body.token}`);

    expect(manager.getConnectionsByUser("alice")).toHaveLength(1);
    expect(manager.getConnectionsByUser("alice")[0]!.user).toMatchObject({ name: "Alice" });
    client.send({ type: "generate", requestId: "g1", payload: { prompt: "Hello" } });
    const response = await client.ofType("response", "g1");
    expect(response.content).toContain('You asked: "Hello"');
    expect(seen).toEqual(["alice"]);
  });

  it("refuses a handshake without credentials with HTTP 401", async () => {
    const { wsUrl, manager } = await start();
    expect(await tryConnect(WebSocket, wsUrl)).toEqual(refused(401, "UNAUTHORIZED"));
    expect(manager.getConnectionCount()).toBe(0);
  });

  it("refuses a tampered token, a non-JWT or a forged cookie with HTTP 401", async () => {
    const { url, wsUrl } = await start();
    const { body, cookie } = await login(url, "alice", "wonderland");
    expect(await tryConnect(WebSocket, `${wsUrl}?token=${asBob(body.token!)}`)).toEqual(
      refused(401, "UNAUTHORIZED"),
    );
    expect(await tryConnect(WebSocket, `${wsUrl}?token=not-a-jwt`)).toEqual(
      refused(401, "UNAUTHORIZED"),
    );
    const forged = { headers: { cookie: forge(cookie!) } };
    expect(await tryConnect(WebSocket, wsUrl, forged)).toEqual(refused(401, "UNAUTHORIZED"));
  });

  it("refuses a token signed with another secret", async () => {
    const other = await startApp({ port: 0, host: "127.0.0.1", jwtSecret: "someone-else" });
    apps.push(other);
    const { body } = await login(other.url, "alice", "wonderland");
    const { wsUrl } = await start();
    expect(await tryConnect(WebSocket, `${wsUrl}?token=${body.token}`)).toEqual(
      refused(401, "UNAUTHORIZED"),
    );
  });
});
