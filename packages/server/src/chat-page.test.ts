/**
 * The chat page in a real browser (Chromium through playwright-core) against `agentsocket serve`:
 * connect, stream, Stop, a tool call, conversations, and an answer that survives a network cut.
 * No mocks: the page runs `@agentsocket/client`'s real build and talks to the real demo agent.
 */
import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildChatClient } from "./chat-client-build.ts";
import { chatPage } from "./chat-page.ts";
import { main } from "./cli.ts";
import type { AgentServer } from "./create-server.ts";
import { startProxy, type CuttableProxy } from "./resume-harness.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const ASSISTANT = ".message.assistant";

/** Waits until the assistant message streams over `length` characters; returns its length. */
async function grownBeyond(page: Page, length: number): Promise<number> {
  const handle = await page.waitForFunction(
    ({ selector, length }) => {
      const message = document.querySelector<HTMLElement>(selector);
      const text = message?.querySelector(".body")?.textContent ?? "";
      return message?.dataset.state === "streaming" && text.length > length && text.length;
    },
    { selector: ASSISTANT, length },
  );
  return (await handle.jsonValue()) as number;
}

describe("chat page", () => {
  let server: AgentServer | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium not found at ${CHROMIUM}: install it (apt-get install chromium) ` +
          "or point CHROMIUM_PATH at a Chromium or Chrome binary",
      );
    }
    // 20 tokens a second: slow enough to press Stop mid-answer, fast enough for a quick test.
    const env = { AGENTSOCKET_DEMO_TOKENS_PER_SECOND: "20", AGENTSOCKET_DB: ":memory:" };
    const quiet = { log: () => {}, handleSignals: false };
    await buildChatClient();
    server = await main(["serve", "--port", "0", "--host", "127.0.0.1"], env, quiet);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    // A cold Chromium start on a busy two-core machine can take longer than the default hook timeout.
  }, 60_000);

  afterEach(async () => {
    await page?.close();
    page = undefined;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function openChat(): Promise<Page> {
    page = await browser!.newPage();
    page.setDefaultTimeout(8000);
    await page.goto(`http://127.0.0.1:${server!.port}/`);
    await page.waitForSelector('#status[data-state="connected"]');
    expect(await page.textContent("#status")).toBe("connected");
    return page;
  }

  it("streams an answer token by token and stops it with Stop", async () => {
    const page = await openChat();
    expect(await page.isDisabled("#stop")).toBe(true);
    await page.fill("#prompt", "Tell me about <b>agentsocket</b>");
    await page.click("#send");

    expect(await page.textContent(".message.user")).toBe("Tell me about <b>agentsocket</b>");
    const first = await grownBeyond(page, 0);
    const second = await grownBeyond(page, first);
    expect(await page.isEnabled("#stop")).toBe(true);
    expect(await page.isDisabled("#send")).toBe(true);

    await page.click("#stop");
    await page.waitForSelector(`${ASSISTANT}[data-state="cancelled"]`);
    const body = `${ASSISTANT} .body`;
    const stopped = (await page.textContent(body)) ?? "";
    // Whatever arrived before Stop is the start of the scripted answer, in order, as plain text.
    const answer = 'You asked: "Tell me about <b>agentsocket</b>". I am the agentsocket demo agent';
    expect(answer.startsWith(stopped) || stopped.startsWith(answer)).toBe(true);
    expect(stopped.length).toBeGreaterThanOrEqual(second);
    // The whole scripted answer is over 600 characters: Stop cut it short.
    expect(stopped.length).toBeLessThan(400);
    // Observe for a few token intervals (50 ms each) that nothing more arrives after the cancel.
    await page.waitForTimeout(300);
    expect(await page.textContent(body)).toBe(stopped);
    expect(await page.textContent(`${ASSISTANT} .meta`)).toBe("cancelled");
    expect(await page.isDisabled("#stop")).toBe(true);
    expect(await page.isEnabled("#send")).toBe(true);
  });

  it("shows a tool call and its result, then completes (Enter sends)", async () => {
    const page = await openChat();
    await page.fill("#prompt", "calculate (12 + 30) * 2");
    await page.press("#prompt", "Enter");

    await page.waitForSelector(`${ASSISTANT}[data-state="completed"]`);
    expect(await page.textContent(".tool .tool-name")).toBe("Tool: calculator");
    expect(await page.textContent(".tool .tool-args")).toContain("(12 + 30) * 2");
    expect(await page.textContent(".tool .tool-result")).toMatch(/"value": 84/);
    expect(await page.textContent(`${ASSISTANT} .text`)).toContain("(12 + 30) * 2 = 84");
    expect(await page.textContent(`${ASSISTANT} .meta`)).toMatch(/^completed/);
    expect(await page.inputValue("#prompt")).toBe("");
  });
  it("lists past conversations, reopens one after a reload and continues it", async () => {
    const page = await openChat();
    await page.fill("#prompt", "Remember the fox");
    await page.click("#send");
    await grownBeyond(page, 10);
    await page.click("#stop");
    await page.waitForSelector(`${ASSISTANT}[data-state="cancelled"]`);
    const partial = (await page.textContent(`${ASSISTANT} .text`)) ?? "";
    const id = new URL(page.url()).hash.replace("#c=", "");
    expect(id).not.toBe("");
    await page.waitForSelector(`#conversations li[data-id="${id}"][aria-current="true"]`);

    // A reload gets the conversation from the server: the question and the partial answer.
    await page.reload();
    await page.waitForSelector(`${ASSISTANT}[data-state="cancelled"]`);
    expect(await page.textContent(".message.user")).toBe("Remember the fox");
    expect(await page.textContent(`${ASSISTANT} .text`)).toBe(partial);

    await page.click("#new-chat");
    expect(await page.locator(".message").count()).toBe(0);
    expect(new URL(page.url()).hash).toBe("");
    await page.click(`#conversations li[data-id="${id}"] button`);
    await page.waitForSelector(".message.user");

    await page.waitForSelector('#status[data-state="connected"]');
    await page.fill("#prompt", "And the dog?");
    await page.click("#send");
    const last = `${ASSISTANT}:nth-of-type(4)`;
    await page.waitForFunction(
      (selector) => (document.querySelector(selector)?.textContent ?? "").length > 20,
      `${last} .body`,
    );
    await page.click("#stop");
    await page.waitForSelector(`${last}[data-state="cancelled"]`);
    const stored = await (
      await fetch(`http://127.0.0.1:${server!.port}/api/conversations/${id}`)
    ).json();
    expect(stored.messages.map((m: { content: string }) => m.content)).toEqual([
      "Remember the fox",
      partial,
      "And the dog?",
      await page.textContent(`${last} .text`),
    ]);
  });
});

describe("chat page behind a network that blinks", () => {
  let server: AgentServer | undefined;
  let browser: Browser | undefined;
  let proxy: CuttableProxy | undefined;

  beforeAll(async () => {
    const env = { AGENTSOCKET_DEMO_TOKENS_PER_SECOND: "20", AGENTSOCKET_DB: ":memory:" };
    const quiet = { log: () => {}, handleSignals: false };
    await buildChatClient();
    server = await main(["serve", "--port", "0", "--host", "127.0.0.1"], env, quiet);
    proxy = await startProxy(server!.port!);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await server?.stop();
  });

  it("shows the complete answer once after the socket is cut mid-stream", async () => {
    const page = await browser!.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`http://127.0.0.1:${proxy!.port}/`);
    await page.waitForSelector('#status[data-state="connected"]');
    await page.fill("#prompt", "Tell me about resume");
    await page.click("#send");
    const before = await grownBeyond(page, 20);

    // Every socket through the proxy dies at once, no close frame: the page must reconnect.
    proxy!.cut();
    await page.waitForSelector('#status[data-state="disconnected"]');
    await page.waitForSelector(`${ASSISTANT}:not([data-state="streaming"])`);
    expect(await page.getAttribute(ASSISTANT, "data-state")).toBe("completed");
    const shown = (await page.textContent(`${ASSISTANT} .text`)) ?? "";

    const id = new URL(page.url()).hash.replace("#c=", "");
    const stored = await (
      await fetch(`http://127.0.0.1:${server!.port}/api/conversations/${id}`)
    ).json();
    const answer = stored.messages[1].content as string;
    expect(answer).toMatch(/^You asked: "Tell me about resume"\. I am the agentsocket demo agent/);
    expect(answer.length).toBeGreaterThan(before + 100); // the cut came well before the end
    expect(shown).toBe(answer); // every token, none twice
    expect(await page.textContent(`${ASSISTANT} .meta`)).toMatch(/^completed/);
    expect(await page.textContent("#status")).toBe("connected");
    await page.close();
  }, 60_000);
});

describe("chatPage()", () => {
  it("escapes the title", () => {
    const html = chatPage({ title: '<script>alert("x")</script>' });
    expect(html).toContain("<title>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</title>");
    expect(html.match(/<script[ >]/g)).toHaveLength(1);
  });
});
