/**
 * `agentsocket serve` end to end: real servers on port 0 for every framework, real `ws` clients,
 * bad flags and environment, auth from the environment, and the backend chosen by the environment.
 */
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { backendFromEnv } from "./backend-from-env.ts";
import { authFromEnv, main, USAGE } from "./cli.ts";
import { recorder } from "./cli-recorder.ts";
import type { AgentServer, Framework } from "./create-server.ts";

type Frame = Record<string, unknown> & { type: string };

const LOCAL = ["--port", "0", "--host", "127.0.0.1"];
/** Keeps conversations out of the working directory. */
const DB = { AGENTSOCKET_DB: ":memory:" };

/** Opens a socket and resolves with it once `connected` arrives; rejects with the HTTP status. */
function connect(url: string): Promise<{ socket: WebSocket; frames: Frame[] }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const frames: Frame[] = [];
    socket.on("message", (data) => {
      frames.push(JSON.parse(String(data)) as Frame);
      if (frames.length === 1) resolve({ socket, frames });
    });
    socket.on("unexpected-response", (_request, response) => {
      reject(new Error(`HTTP ${response.statusCode}`));
      response.resume();
    });
    socket.on("error", reject);
  });
}

/** Resolves with every frame of the request once its terminal frame arrives. */
function untilTerminal(socket: WebSocket, frames: Frame[], requestId: string): Promise<Frame[]> {
  return new Promise((resolve) => {
    const check = () => {
      const mine = frames.filter((frame) => frame.requestId === requestId);
      const last = mine.at(-1)?.type;
      if (last === "stream_complete" || last === "error") {
        socket.off("message", check);
        resolve(mine);
      }
    };
    socket.on("message", check);
  });
}

describe("agentsocket serve", () => {
  let server: AgentServer | undefined;
  const sockets: WebSocket[] = [];

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.terminate();
    await server?.stop();
    server = undefined;
  });

  for (const framework of ["hono", "express", "fastify"] as Framework[]) {
    it(`serves the chat page, health and a streamed demo answer on ${framework}`, async () => {
      const { output, runtime } = recorder();
      const env = { ...DB, AGENTSOCKET_DEMO_TOKENS_PER_SECOND: "0" };
      server = await main(["serve", "--framework", framework, ...LOCAL], env, runtime);
      expect(server?.framework).toBe(framework);
      const base = `http://127.0.0.1:${server!.port}`;
      expect(output.log).toEqual([
        `agentsocket serving ${base} (${framework}, offline demo agent, conversations in SQLite :memory:, no auth)`,
      ]);

      const page = await fetch(`${base}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
      const html = await page.text();
      expect(html).toMatch(/^<!doctype html>/);
      expect(html).toContain('<textarea id="prompt"');
      expect((await fetch(`${base}/api/health`)).status).toBe(200);

      const { socket, frames } = await connect(`ws://127.0.0.1:${server!.port}/ws`);
      sockets.push(socket);
      expect(frames[0]?.type).toBe("connected");
      const done = untilTerminal(socket, frames, "r1");
      socket.send(JSON.stringify({ type: "stream", requestId: "r1", payload: { prompt: "hi" } }));
      const reply = await done;
      expect(reply[0]?.type).toBe("stream_start");
      const chunks = reply.filter((frame) => frame.type === "chunk");
      expect(chunks.length).toBeGreaterThan(0);
      expect(chunks.map((chunk) => chunk.content).join("")).toContain("demo agent");
      expect(reply.at(-1)).toMatchObject({ type: "stream_complete", status: "completed" });
    });
  }

  it("takes framework, port and host from the environment, flags winning", async () => {
    const env = { ...DB, AGENTSOCKET_FRAMEWORK: "express", PORT: "0", HOST: "127.0.0.1" };
    server = await main(["serve"], env, recorder().runtime);
    expect(server?.framework).toBe("express");
    await server?.stop();

    // PORT is invalid but never read: the flag wins.
    const overridden = { ...env, PORT: "not-a-port" };
    server = await main(["serve", "-f", "fastify", ...LOCAL], overridden, recorder().runtime);
    expect(server?.framework).toBe("fastify");
  });

  it.each([
    [["serve", "--framework", "koa"], /--framework must be hono, express or fastify \(got "koa"\)/],
    [["serve", "--port", "abc"], /--port must be an integer from 0 to 65535 \(got "abc"\)/],
    [["serve", "--port", "70000"], /--port must be an integer from 0 to 65535/],
    [["serve", "--verbose"], /Unknown option '--verbose'/],
    [["launch"], /Unknown command "launch"/],
  ])("refuses %j with a message and exit code 2", async (argv, message) => {
    const { output, runtime } = recorder();
    expect(await main(argv, {}, runtime)).toBeUndefined();
    expect(output.error.join("\n")).toMatch(message);
    expect(output.exitCode).toBe(2);
  });

  it("refuses bad environment values, naming the variable", async () => {
    const { output, runtime } = recorder();
    const env = { PORT: "eighty", AGENTSOCKET_API_KEYS: "k" };
    expect(await main(["serve"], env, runtime)).toBeUndefined();
    expect(output.error[0]).toBe(
      'agentsocket: PORT must be an integer from 0 to 65535 (got "eighty")',
    );
    expect(output.exitCode).toBe(2);
  });

  it("prints help with exit code 0", async () => {
    for (const argv of [["help"], ["--help"], ["serve", "-h"]]) {
      const { output, runtime } = recorder();
      expect(await main(argv, {}, runtime)).toBeUndefined();
      expect(output.log.join("\n")).toContain("Usage: agentsocket serve [options]");
      expect(output.exitCode).toBe(0);
    }
  });

  it("serves every route its help names", async () => {
    server = await main(["serve", ...LOCAL], DB, recorder().runtime);
    const routes = USAGE.match(/\/[\w/]+/g)!;
    expect(routes).toEqual(expect.arrayContaining(["/ws", "/chat", "/api/ready", "/api/metrics"]));
    for (const route of routes.filter((r) => r.startsWith("/api/") && !r.includes("/agent/"))) {
      expect([route, (await fetch(`http://127.0.0.1:${server!.port}${route}`)).status]).toEqual([
        route,
        200,
      ]);
    }
    for (const route of ["/ws", "/chat"]) {
      const socket = new WebSocket(`ws://127.0.0.1:${server!.port}${route}`);
      sockets.push(socket);
      await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
    }
  });

  it("reports a port in use with exit code 1", async () => {
    server = await main(["serve", ...LOCAL], DB, recorder().runtime);
    const { output, runtime } = recorder();
    const argv = ["serve", "--port", String(server!.port), "--host", "127.0.0.1"];
    expect(await main(argv, DB, runtime)).toBeUndefined();
    expect(output.error[0]).toMatch(/cannot listen on 127\.0\.0\.1 port \d+: .*EADDRINUSE/);
    expect(output.exitCode).toBe(1);
  });

  it("requires one of AGENTSOCKET_API_KEYS on the WebSocket handshake", async () => {
    const { output, runtime } = recorder();
    const env = { ...DB, AGENTSOCKET_API_KEYS: "first, second" };
    server = await main(["serve", ...LOCAL], env, runtime);
    expect(output.log[0]).toContain("auth: apiKey");
    const url = `ws://127.0.0.1:${server!.port}/ws`;
    await expect(connect(url)).rejects.toThrow("HTTP 401");
    await expect(connect(`${url}?apiKey=wrong`)).rejects.toThrow("HTTP 401");
    const { socket, frames } = await connect(`${url}?apiKey=second`);
    sockets.push(socket);
    expect(frames[0]?.type).toBe("connected");
  });

  it("requires a JWT when AGENTSOCKET_JWT_SECRET is set", async () => {
    server = await main(
      ["serve", ...LOCAL],
      { ...DB, AGENTSOCKET_JWT_SECRET: "s3cret" },
      recorder().runtime,
    );
    const url = `ws://127.0.0.1:${server!.port}/ws`;
    await expect(connect(url)).rejects.toThrow("HTTP 401");
    await expect(connect(`${url}?token=not-a-jwt`)).rejects.toThrow("HTTP 401");
  });
});

describe("authFromEnv", () => {
  it("prefers a JWT secret, then API keys, else none", () => {
    const keys = { AGENTSOCKET_API_KEYS: " a ,b,," };
    expect(authFromEnv({ ...keys, AGENTSOCKET_JWT_SECRET: "s" })).toEqual({
      strategy: "bearer",
      jwt: { secret: "s" },
    });
    expect(authFromEnv(keys)).toEqual({ strategy: "apiKey", apiKeys: ["a", "b"] });
    expect(authFromEnv({ AGENTSOCKET_API_KEYS: "" })).toEqual({ strategy: "none" });
  });

  it("refuses a key list without a key rather than serving without auth", () => {
    expect(() => authFromEnv({ AGENTSOCKET_API_KEYS: " , " })).toThrow(
      "AGENTSOCKET_API_KEYS holds no key",
    );
  });
});

describe("backendFromEnv", () => {
  it("picks the offline demo agent without OPENAI_API_KEY", async () => {
    const { backend, description } = await backendFromEnv({});
    expect(description).toBe("offline demo agent");
    expect(await backend.executeTool?.("calculator", { expression: "6 * 7" })).toMatchObject({
      value: 42,
    });
  });

  it("picks an OpenAI model through the AI SDK with OPENAI_API_KEY (not called)", async () => {
    const env = { OPENAI_API_KEY: "sk-test", OPENAI_MODEL: "gpt-4.1-nano" };
    const { backend, description } = await backendFromEnv(env);
    expect(description).toBe("OpenAI gpt-4.1-nano via the AI SDK");
    expect(backend.stream).toBeTypeOf("function");
    const proxied = await backendFromEnv({
      ...env,
      OPENAI_BASE_URL: "https://user:pw@llm.example.com/v1?key=x",
    });
    expect(proxied.description).toBe(
      "OpenAI gpt-4.1-nano at https://llm.example.com via the AI SDK",
    );
    expect((await backendFromEnv({ OPENAI_API_KEY: "sk-test" })).description).toContain(
      "gpt-4o-mini",
    );
  });

  it("refuses bad values, naming the variable", async () => {
    await expect(backendFromEnv({ AGENTSOCKET_DEMO_TOKENS_PER_SECOND: "fast" })).rejects.toThrow(
      /AGENTSOCKET_DEMO_TOKENS_PER_SECOND must be a number >= 0/,
    );
    await expect(
      backendFromEnv({ OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: "not a url" }),
    ).rejects.toThrow(/OPENAI_BASE_URL must be a URL/);
  });
});
