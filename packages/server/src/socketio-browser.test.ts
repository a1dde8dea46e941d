/**
 * Seed 001's hook and chat component and seed 002's streaming component — their code as the
 * seeds print it, only the server URL set at build time — built with Vite and run in Chromium
 * (playwright-core, the system browser) against `agentsocket serve` with AGENTSOCKET_SOCKETIO=1.
 * The app is `examples/socketio-react`; its page is served from a second origin.
 * Each streams the demo agent's answer into the page.
 */
import type { Server } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildExample, launchChromium, requireChromium, serveStatic } from "./browser-harness.ts";
import { main } from "./cli.ts";
import type { AgentServer } from "./create-server.ts";

const ROOT = fileURLToPath(new URL("../../../examples/socketio-react", import.meta.url));

describe("the seeds' React clients, unchanged, on agentsocket serve", () => {
  let agent: AgentServer | undefined;
  let web: Server | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    requireChromium();
    // The page's origin is only known once its server listens; the API's once agentsocket does.
    const site = await serveStatic(join(ROOT, "dist"));
    web = site.server;
    const env = {
      AGENTSOCKET_SOCKETIO: "1",
      AGENTSOCKET_SOCKETIO_CORS: site.origin,
      AGENTSOCKET_ALLOWED_MODELS: "gpt-4",
      AGENTSOCKET_DEMO_TOKENS_PER_SECOND: "60",
    };
    const quiet = { log: () => {}, handleSignals: false };
    agent = await main(["serve", "--port", "0", "--host", "127.0.0.1"], env, quiet);
    await buildExample(
      ROOT,
      {
        __AI_URL__: `http://127.0.0.1:${agent!.port}/ai`,
        __AI_TOKEN__: "unused-without-auth",
      },
      { oxc: { jsx: { runtime: "automatic" } } },
    );
    browser = await launchChromium();
    page = await browser.newPage();
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("dialog", (dialog) => {
      errors.push(`alert: ${dialog.message()}`);
      void dialog.dismiss();
    });
    await page.goto(site.origin);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await agent?.stop();
    await new Promise((resolve) => (web ? web.close(resolve) : resolve(undefined)));
  });

  it("seed 001's hook connects", async () => {
    await page.waitForFunction(
      () => document.querySelector("#hook")?.textContent === "hook: connected",
    );
  });

  it("seed 001's chat component streams an answer, then ends the turn", async () => {
    const chat = page.locator("#seed-001");
    await chat.locator("input").fill("What is agentsocket?");
    await chat.locator("button", { hasText: "Send" }).click();
    // The user message comes back in chat:user-message; the answer grows in the streaming div.
    await chat.locator(".message.user", { hasText: "What is agentsocket?" }).waitFor();
    const streaming = chat.locator(".message.assistant.streaming");
    await streaming.filter({ hasText: "demo agent" }).waitFor();
    // chat:end: the streaming div goes, an assistant message is added and Send is back.
    await streaming.waitFor({ state: "detached", timeout: 20_000 });
    await chat.locator(".message.assistant").waitFor();
    await chat.locator("button", { hasText: "Send" }).waitFor();
    expect(errors).toEqual([]);
  }, 30_000);

  it("seed 002's streaming component streams tokens into its textarea over its default transports", async () => {
    const seed = page.locator("#seed-002");
    await seed.locator("text=Status: Connected").waitFor();
    await seed.locator("button", { hasText: "Send Prompt" }).click();
    await seed.locator("text=Streaming: Yes").waitFor();
    await seed.locator("text=Streaming: No").waitFor({ timeout: 20_000 });
    const answer = await seed.locator("textarea").inputValue();
    expect(answer).toContain("Write a React component");
    expect(answer).toContain("demo agent");
    expect(errors).toEqual([]);
  }, 30_000);
});
