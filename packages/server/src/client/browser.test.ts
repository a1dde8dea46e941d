/**
 * The client in a real browser (Chromium through playwright-core): the package built for the
 * browser with tsdown, served as a module by a real agent server, streaming, calling a tool,
 * getting typed errors, room messages, and reconnecting after the server drops its socket.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { build } from "tsdown";
import { WebSocket } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgentServer, RouteDefinition } from "../index.ts";
import { createAgentSocketClient } from "@agentsocket/client";
import { startAgentServer } from "./test-harness.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"];
// The client's source entry, as a bundler resolves it inside the workspace.
const ENTRY = createRequire(import.meta.url).resolve("@agentsocket/client");
const PAGE = `<!doctype html><title>client</title>
<script type="module">import * as client from "/client.mjs"; window.agentsocket = client;</script>`;

/** Builds the package for the browser, as a bundler would: one ESM file, no Node built-ins. */
async function buildForBrowser(outDir: string): Promise<string> {
  await build({
    config: false,
    entry: { client: ENTRY },
    outDir,
    format: "esm",
    platform: "browser",
    dts: false,
    sourcemap: false,
    logLevel: "silent",
  });
  const file = (await readdir(outDir)).find((name) => /^client\.m?js$/.test(name));
  if (!file) throw new Error(`tsdown wrote no client.js to ${outDir}: ${await readdir(outDir)}`);
  return readFileSync(join(outDir, file), "utf8");
}

describe("the client in Chromium", () => {
  let server: AgentServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let outDir: string;
  let bundleRoutes: RouteDefinition[];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (CHROMIUM_PATH)`);
    outDir = await mkdtemp(join(tmpdir(), "agentsocket-client-"));
    const bundle = await buildForBrowser(outDir);
    expect(bundle).not.toMatch(/from\s*["']node:/);
    bundleRoutes = [
      {
        method: "GET",
        path: "/client.mjs",
        fetch: () => new Response(bundle, { headers: { "content-type": "text/javascript" } }),
      },
      {
        method: "GET",
        path: "/client-page",
        fetch: () => new Response(PAGE, { headers: { "content-type": "text/html" } }),
      },
    ];
    server = await startAgentServer("hono", { tokensPerSecond: 200, routes: bundleRoutes });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    page = await browser.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`http://127.0.0.1:${server.port}/client-page`);
    await page.waitForFunction(() => "agentsocket" in window);
    await page.evaluate(() => {
      const { createAgentSocketClient } = (
        window as never as { agentsocket: typeof import("@agentsocket/client") }
      ).agentsocket;
      const url = new URL("/ws", location.href);
      url.protocol = "ws:";
      const client = createAgentSocketClient({
        url: url.href,
        reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
      });
      const states: string[] = [];
      const messages: unknown[] = [];
      client.on("state", (state) => states.push(state));
      client.on("message", (message) => messages.push(message));
      Object.assign(window, { client, states, messages });
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  type Client = ReturnType<typeof createAgentSocketClient>;
  type PageWindow = { client: Client; states: string[]; messages: unknown[] };

  it("streams an answer with the browser's own WebSocket: the whole text, chunk by chunk", async () => {
    const streamed = await page.evaluate(async () => {
      const { client } = window as never as PageWindow;
      const stream = client.stream("Hello from Chromium");
      const chunks: string[] = [];
      for await (const text of stream) chunks.push(text);
      return { chunks, result: await stream.result };
    });
    const node = createAgentSocketClient({
      url: `ws://127.0.0.1:${server!.port}/ws`,
      webSocket: WebSocket,
    });
    try {
      const expected = (await node.generate("Hello from Chromium")).content;
      expect(streamed.chunks.length).toBeGreaterThan(5);
      expect(streamed.chunks.join("")).toBe(expected);
      expect(streamed.result).toMatchObject({
        status: "completed",
        text: expected,
        finishReason: "stop",
      });
    } finally {
      node.close();
    }
  });

  it("calls a tool, gets typed errors, and receives its room's messages", async () => {
    const outcome = await page.evaluate(async () => {
      const { client } = window as never as PageWindow;
      const tool = await client.callTool("calculator", { expression: "2 ^ 10" });
      const error = await client.generate("x", { options: { temperature: 9 } }).catch((e) => e);
      await client.join("browser-room");
      return { tool, error: { name: error.name, code: error.code } };
    });
    expect(outcome).toEqual({
      tool: { expression: "2 ^ 10", value: 1024 },
      error: { name: "AgentSocketError", code: "VALIDATION_FAILED" },
    });
    expect(server!.websocket.broadcastToRoom("browser-room", { type: "hello", n: 1 })).toBe(1);
    await page.waitForFunction(() => (window as never as PageWindow).messages.length > 0);
    expect(await page.evaluate(() => (window as never as PageWindow).messages)).toEqual([
      { type: "hello", n: 1 },
    ]);
  });

  it("with resume on the server, a stream whose socket drops mid-answer completes once", async () => {
    const resumable = await startAgentServer("hono", {
      tokensPerSecond: 60,
      config: { agent: { resume: true } },
      routes: bundleRoutes,
    });
    const other = await browser!.newPage();
    try {
      await other.goto(`http://127.0.0.1:${resumable.port}/client-page`);
      await other.waitForFunction(() => "agentsocket" in window);
      const running = other.evaluate(async () => {
        const { createAgentSocketClient } = (
          window as never as { agentsocket: typeof import("@agentsocket/client") }
        ).agentsocket;
        const client = createAgentSocketClient({
          url: location.href.replace(/^http/, "ws").replace(/\/client-page$/, "/ws"),
          reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
        });
        const stream = client.stream("Tell me about resume in the browser");
        let text = "";
        for await (const chunk of stream) {
          text += chunk;
          (window as never as { received: number }).received = text.length;
        }
        const result = await stream.result;
        client.close();
        return { text, result };
      });
      await other.waitForFunction(
        () => ((window as never as { received?: number }).received ?? 0) > 40,
      );
      const [connection] = resumable.websocket.getAllConnections();
      await resumable.websocket.close(connection!.id, 1011, "dropped by the test");
      const { text, result } = await running;
      const node = createAgentSocketClient({
        url: `ws://127.0.0.1:${resumable.port}/ws`,
        webSocket: WebSocket,
      });
      try {
        const expected = (await node.generate("Tell me about resume in the browser")).content;
        expect(text).toBe(expected);
        expect(result).toMatchObject({ status: "completed", text: expected });
      } finally {
        node.close();
      }
    } finally {
      await other.close();
      await resumable.stop();
    }
  });

  it("reconnects after the server drops the socket, re-joins its room and goes on", async () => {
    const [connection] = server!.websocket.getAllConnections();
    await server!.websocket.close(connection!.id, 1011, "dropped by the test");
    await page.waitForFunction(
      () => (window as never as PageWindow).states.join() === "open,reconnecting,open",
    );
    const content = await page.evaluate(async () => {
      const { client } = window as never as PageWindow;
      return (await client.generate("still there?")).content;
    });
    expect(content).toContain("still there?");
    expect(server!.websocket.broadcastToRoom("browser-room", { type: "hello", n: 2 })).toBe(1);
    await page.waitForFunction(() => (window as never as PageWindow).messages.length > 1);
    expect(await page.evaluate(() => (window as never as PageWindow).messages.at(-1))).toEqual({
      type: "hello",
      n: 2,
    });
  });
});
