/**
 * `examples/ai-sdk-react` — `useChat` from `@ai-sdk/react` with `@agentsocket/client/ai-sdk`'s
 * `WebSocketChatTransport` — built with Vite and run in Chromium (playwright-core) against
 * `agentsocket serve`'s `/chat` path, through a TCP proxy that can cut the connection. The page is
 * served from a second origin. What is checked is what the user sees: the answer streams in and
 * finishes; after a cut mid-answer it completes once; Stop stops it and the chat goes on.
 */
import type { Server } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDemoAgent } from "@agentsocket/core/demo";
import { buildExample, launchChromium, requireChromium, serveStatic } from "./browser-harness.ts";
import { main } from "./cli.ts";
import type { AgentServer } from "./create-server.ts";
import { startProxy, type CuttableProxy } from "./resume-harness.ts";

const ROOT = fileURLToPath(new URL("../../../examples/ai-sdk-react", import.meta.url));
const ANSWER = ".message.assistant .text";

/** The demo agent's whole answer to a first question, as the page should end up showing it. */
async function demoAnswer(prompt: string): Promise<string> {
  const { stream } = await createDemoAgent({ tokensPerSecond: 0 }).stream({
    input: { text: prompt },
  });
  let text = "";
  for await (const chunk of stream) if ("content" in chunk) text += chunk.content;
  return text;
}

/** Waits until the (last) answer shows some text while still streaming; returns that text. */
async function firstText(page: Page): Promise<string> {
  const handle = await page.waitForFunction((selector) => {
    const shown = [...document.querySelectorAll(selector)].at(-1)?.textContent ?? "";
    const streaming = document.querySelector(".status")?.textContent === "status: streaming";
    return streaming && shown !== "" && shown;
  }, ANSWER);
  return (await handle.jsonValue()) as string;
}

describe("useChat over WebSocketChatTransport (examples/ai-sdk-react) on agentsocket serve", () => {
  let agent: AgentServer | undefined;
  let proxy: CuttableProxy | undefined;
  let web: Server | undefined;
  let origin: string;
  let browser: Browser | undefined;
  let page: Page;
  let errors: string[];
  let sockets: number;

  beforeAll(async () => {
    requireChromium();
    const site = await serveStatic(join(ROOT, "dist"));
    ({ server: web, origin } = site);
    const env = {
      AGENTSOCKET_ALLOWED_ORIGINS: site.origin,
      AGENTSOCKET_DB: ":memory:",
      // The default pace, 40 tokens/s: over 2 s per answer, so a cut or a Stop right after the
      // first text lands mid-answer (each test checks it did).
      AGENTSOCKET_DEMO_TOKENS_PER_SECOND: "40",
      LOG_LEVEL: "silent",
    };
    const quiet = { log: () => {}, handleSignals: false };
    agent = await main(["serve", "--port", "0", "--host", "127.0.0.1"], env, quiet);
    proxy = await startProxy(agent!.port!);
    // As `VITE_CHAT_URL=… vite build` would (the example has no Vite config file).
    await buildExample(ROOT, {
      "import.meta.env.VITE_CHAT_URL": `ws://127.0.0.1:${proxy.port}/chat`,
    });
    browser = await launchChromium();
  }, 60_000);

  afterEach(async () => {
    await page?.close();
  });

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await agent?.stop();
    await new Promise((resolve) => (web ? web.close(resolve) : resolve(undefined)));
  });

  /** A fresh page (a new chat), its errors and WebSockets counted. */
  async function open(): Promise<void> {
    page = await browser!.newPage();
    errors = [];
    sockets = 0;
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("websocket", () => void sockets++);
    await page.goto(origin);
    await page.locator(".status", { hasText: "status: ready" }).waitFor();
  }

  /** Sends `prompt`; resolves with the first text of its answer, shown while it streams. */
  async function ask(prompt: string): Promise<string> {
    await page.getByLabel("Prompt").fill(prompt);
    await page.getByRole("button", { name: "Send" }).click();
    await page.locator(".message.user", { hasText: prompt }).waitFor();
    return firstText(page);
  }

  const ready = () =>
    page.locator(".status", { hasText: "status: ready" }).waitFor({ timeout: 20_000 });
  const answers = () => page.locator(ANSWER).allTextContents();
  /** Neither an error shown in the page (`useChat`'s `error`) nor an uncaught one. */
  async function noErrors(): Promise<void> {
    expect(await page.getByRole("alert").allTextContents()).toEqual([]);
    expect(errors).toEqual([]);
  }

  it("streams the answer into the page, then finishes with Send back", async () => {
    await open();
    const prompt = "What is agentsocket?";
    const partial = await ask(prompt);
    await page.getByRole("button", { name: "Stop" }).waitFor();
    await ready();
    const full = await demoAnswer(prompt);
    expect(full.startsWith(partial) && partial.length < full.length).toBe(true);
    expect(await answers()).toEqual([full]);
    await page.getByRole("button", { name: "Send" }).waitFor();
    await noErrors();
  }, 30_000);

  it("completes the answer exactly once after the connection is cut mid-answer", async () => {
    await open();
    const prompt = "Does a dropped connection lose my answer?";
    const [before, full] = await Promise.all([ask(prompt), demoAnswer(prompt)]);
    expect(before.length).toBeLessThan(full.length);
    // Both TCP sockets destroyed, no close frame: the transport reconnects and resumes.
    proxy!.cut();
    await ready();
    expect(await answers()).toEqual([full]);
    expect(await page.locator(".message").count()).toBe(2);
    expect(sockets).toBeGreaterThanOrEqual(2);
    await noErrors();
  }, 30_000);

  it("Stop stops the answer: no more text, status ready, and the next question is answered", async () => {
    await open();
    const prompt = "Tell me everything, slowly.";
    await ask(prompt);
    await page.getByRole("button", { name: "Stop" }).click();
    await ready();
    const [stopped] = await answers();
    const full = await demoAnswer(prompt);
    expect(full.startsWith(stopped!) && stopped!.length < full.length).toBe(true);
    // A second question in the same chat: the server took it (the first answer had really
    // stopped, or it would refuse "already active"), and by the time its whole answer has
    // streamed, the stopped one has not grown.
    await ask("And now?");
    await ready();
    const [first, second] = await answers();
    expect(first).toBe(stopped);
    expect(second).toContain("This is question 2 of our conversation");
    await noErrors();
  }, 30_000);
});
