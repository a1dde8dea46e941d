/**
 * The text of `ai:token` / `chat:message` is the backend's text exactly, whatever JSON escapes it
 * needs on the way through core's channel: quotes, backslashes, control characters, non-ASCII,
 * text that looks like an escape or like the frame's own keys.
 */
import { createServer } from "node:http";
import { Server } from "socket.io";
import { afterEach, expect, it } from "vitest";
import { listenForTests, type ConformanceServer } from "@agentsocket/core/testing";
import type { AgentBackend } from "@agentsocket/core/agent";
import { attachAgent } from "./index.ts";
import { connectTestClient, type TestClient } from "./testing.ts";

const PIECES = [
  'say "hi"',
  "\\",
  "\\n is not a newline, ",
  "this is:\n\ttab\r",
  '","content":"x',
  "\u0000\u001f\u2028 ",
  "é ⟨emoji 😀⟩ ",
  "plain",
];

const backend: AgentBackend = {
  generate: async () => ({ content: "" }),
  stream: async () => ({
    stream: (async function* () {
      for (const content of PIECES) {
        // One piece per event-loop turn: each becomes its own chunk frame and event.
        await new Promise((resolve) => setImmediate(resolve));
        yield { content };
      }
    })(),
  }),
};

let server: ConformanceServer | undefined;
let client: TestClient | undefined;
afterEach(async () => {
  client?.close();
  await server?.stop();
});

it("ai:token and chat:message carry the backend's text exactly, escapes and all", async () => {
  const http = createServer();
  const io = new Server(http, { serveClient: false });
  const served = attachAgent(io, backend);
  server = await listenForTests(http, async () => {
    served.close();
    await io.close();
  });
  client = await connectTestClient(`${server.url}/ai`);
  client.socket.emit("ai:stream", { prompt: "go" });
  await client.next("ai:done");
  const tokens = client.received<{ data: string }>("ai:token").map((token) => token.data);
  expect(tokens.join("")).toBe(PIECES.join(""));
  expect(tokens).toContain("\\");
  client.socket.emit("chat:start", { message: "go" });
  await client.next("chat:end");
  const messages = client.received<{ content: string }>("chat:message");
  expect(messages.map((message) => message.content).join("")).toBe(PIECES.join(""));
});
