/**
 * The real-provider path of `agentsocket serve`, offline: OPENAI_API_KEY + OPENAI_BASE_URL make
 * the CLI talk to an OpenAI-compatible Chat Completions server through the AI SDK. Here that
 * server is a small stub on loopback; the CLI, the AI SDK and agentsocket are the real ones.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, expect, it } from "vitest";
import { WebSocket } from "ws";
import { connect, within } from "@agentsocket/core/testing";
import { main } from "./cli.ts";
import type { AgentServer } from "./create-server.ts";

const WORDS = ["Paris", " is", " the", " capital", " of", " France", "."];

interface Stub {
  server: Server;
  url: string;
  /** Resolves when a streaming request is closed by the client before the stream ended. */
  abandoned: Promise<void>;
}

/** A Chat Completions server: JSON for plain requests, SSE chunks (`delayMs` apart) for streams. */
async function startStub(delayMs: number, repeat = 1): Promise<Stub> {
  let onAbandoned!: () => void;
  const abandoned = new Promise<void>((resolve) => (onAbandoned = resolve));
  const server = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    const request = JSON.parse(body) as { stream?: boolean };
    const chunk = (delta: object, finish: string | null, usage?: object) =>
      `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "stub-1", choices: [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}) })}\n\n`;
    if (!request.stream) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          id: "c1",
          object: "chat.completion",
          created: 1,
          model: "stub-1",
          choices: [
            {
              index: 0,
              message: { role: "assistant", content: WORDS.join("") },
              finish_reason: "stop",
            },
          ],
          usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
        }),
      );
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream" });
    let finished = false;
    res.on("close", () => !finished && onAbandoned());
    for (let i = 0; i < WORDS.length * repeat && !res.destroyed; i++) {
      res.write(chunk({ content: WORDS[i % WORDS.length] }, null));
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
    finished = true;
    res.write(chunk({}, "stop", { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 }));
    res.end("data: [DONE]\n\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    abandoned,
  };
}

let stub: Stub | undefined;
let agent: AgentServer | undefined;
afterEach(async () => {
  await agent?.stop();
  stub?.server.closeAllConnections();
  await new Promise<void>((resolve) => (stub ? stub.server.close(() => resolve()) : resolve()));
  [agent, stub] = [undefined, undefined];
});

async function serve(delayMs: number, repeat?: number) {
  stub = await startStub(delayMs, repeat);
  const env = {
    OPENAI_API_KEY: "sk-local",
    OPENAI_BASE_URL: stub.url,
    OPENAI_MODEL: "stub-1",
    AGENTSOCKET_DB: ":memory:",
  };
  const quiet = { log: () => {}, error: () => {}, setExitCode: () => {}, handleSignals: false };
  agent = await main(["serve", "--port", "0", "--host", "127.0.0.1"], env, quiet);
  expect(agent).toBeDefined();
  return connect(WebSocket, `ws://127.0.0.1:${agent!.port}/ws`);
}

it("streams an OpenAI-compatible model's answer through the AI SDK", async () => {
  const client = await serve(0);
  client.send({ type: "generate", requestId: "g", payload: { prompt: "capital of France?" } });
  expect(await client.ofType("response", "g")).toMatchObject({
    content: WORDS.join(""),
    data: { usage: { input: 5, output: 7, total: 12 }, finishReason: "stop" },
  });
  client.send({ type: "stream", requestId: "s", payload: { prompt: "capital of France?" } });
  expect(await client.ofType("stream_complete", "s")).toMatchObject({
    status: "completed",
    finishReason: "stop",
    usage: { input: 5, output: 7, total: 12 },
  });
  const text = client.frames
    .filter((f) => f.type === "chunk" && f.requestId === "s")
    .map((f) => f.content)
    .join("");
  expect(text).toBe(WORDS.join(""));
  client.socket.terminate();
});

it("cancel reaches the provider: the HTTP request to the model is closed early", async () => {
  const client = await serve(20, 50);
  client.send({ type: "stream", requestId: "c", payload: { prompt: "talk forever" } });
  await client.ofType("chunk", "c");
  client.send({ type: "cancel", payload: { requestId: "c" } });
  expect(await client.ofType("stream_complete", "c")).toMatchObject({ status: "cancelled" });
  await within(stub!.abandoned, "the provider request to close", 2000);
  client.socket.terminate();
});
