/**
 * `WebSocketChatTransport` of `@agentsocket/client/ai-sdk` against a real `createServer` chat
 * path on Hono, Express and Fastify: a full answer, a TCP cut mid-answer that the stream rides
 * out (resumed by `lastSequence`, no chunk twice), abort reaching the backend, retries running
 * out, and `reconnectToStream` with nothing active.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { UIMessage, UIMessageChunk } from "ai";
import { WebSocket } from "ws";
import { createTestBackend, TEST_TEXT, type TestBackend } from "@agentsocket/core/testing";
import { createServer, type AgentServer } from "../index.ts";
import { readChunks as read } from "../read-chunks.ts";
import { FRAMEWORKS, startTcpProxy, type TcpProxy } from "./test-harness.ts";
import {
  WebSocketChatTransport,
  type WebSocketChatTransportOptions,
} from "@agentsocket/client/ai-sdk";

const question = (text: string): UIMessage[] => [
  { id: "u1", role: "user", parts: [{ type: "text", text }] },
];

const deltas = (chunks: UIMessageChunk[]) => chunks.filter((c) => c.type === "text-delta");
const textOf = (chunks: UIMessageChunk[]) =>
  deltas(chunks)
    .map((c) => (c as { delta: string }).delta)
    .join("");

for (const framework of FRAMEWORKS) {
  describe(`WebSocketChatTransport on ${framework}`, () => {
    let server: AgentServer | undefined;
    let proxy: TcpProxy | undefined;
    let transport: WebSocketChatTransport | undefined;
    let backend: TestBackend;
    afterEach(async () => {
      transport?.close();
      await proxy?.close();
      await server?.stop();
      server = proxy = transport = undefined;
    });

    async function start(tokenDelay: number, options: Partial<WebSocketChatTransportOptions> = {}) {
      backend = createTestBackend({ tokenDelay });
      server = await createServer(backend, {
        framework,
        config: {
          port: 0,
          host: "127.0.0.1",
          websocket: { auth: { strategy: "apiKey", apiKeys: ["chat-key"] } },
        },
      });
      await server.start();
      proxy = await startTcpProxy(server.port!);
      transport = new WebSocketChatTransport({
        url: proxy.url.replace(/\/ws$/, "/chat"),
        webSocket: WebSocket,
        params: { apiKey: "chat-key" },
        reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
        ...options,
      });
      return transport;
    }

    const send = (chatId: string, text: string, abortSignal?: AbortSignal) =>
      transport!.sendMessages({
        trigger: "submit-message",
        chatId,
        messageId: undefined,
        messages: question(text),
        abortSignal,
      });

    it("sendMessages streams a full answer: start, text deltas, finish", async () => {
      await start(0);
      const answer = await read(await send("chat-1", "hello"));
      expect(answer.ended).toBe(true);
      const types = answer.chunks.map((c) => c.type);
      expect(types[0]).toBe("start");
      expect(types.at(-1)).toBe("finish");
      expect(textOf(answer.chunks)).toBe(TEST_TEXT);
      expect(backend.state.requests[0]!.input.text).toBe("hello");
      // The chat id is free again: a second turn on the same socket streams too.
      const again = await read(await send("chat-1", "hello again"));
      expect(textOf(again.chunks)).toBe(TEST_TEXT);
      expect(proxy!.accepted).toBe(1);
    });

    it("a TCP cut mid-answer: the stream stays open, resumes, and ends once with the full text", async () => {
      await start(25);
      const stream = await send("chat-cut", "hello");
      const before = await read(stream, (chunks) => deltas(chunks).length >= 3);
      expect(proxy!.cut()).toBe(1);
      const after = await read(stream);
      expect(after.error).toBeUndefined();
      expect(after.ended).toBe(true);
      const chunks = [...before.chunks, ...after.chunks];
      expect(textOf(chunks)).toBe(TEST_TEXT);
      expect(chunks.filter((c) => c.type === "start")).toHaveLength(1);
      expect(chunks.filter((c) => c.type === "finish")).toHaveLength(1);
      expect(proxy!.accepted).toBeGreaterThanOrEqual(2);
      // One answer upstream: the resume attached to it, nothing was sent again.
      expect(backend.state.requests).toHaveLength(1);
    });

    it("abortSignal sends abort: the backend's answer stops and the stream ends", async () => {
      await start(5);
      const controller = new AbortController();
      const stream = await send("chat-abort", "forever", controller.signal);
      await read(stream, (chunks) => deltas(chunks).length >= 3);
      const aborted = backend.state.nextAbort();
      controller.abort();
      await aborted;
      expect(backend.state.requests[0]!.abortSignal?.aborted).toBe(true);
      expect((await read(stream)).ended).toBe(true);
    });

    it("errors the open stream once the retries are spent", async () => {
      await start(25, { reconnect: { initialDelayMs: 5, maxDelayMs: 10, maxRetries: 2 } });
      const stream = await send("chat-down", "forever");
      await read(stream, (chunks) => deltas(chunks).length >= 1);
      proxy!.hold(true);
      proxy!.cut();
      const rest = await read(stream);
      expect(rest.error?.message).toBe(
        "WebSocket chat network connection lost; reconnecting gave up.",
      );
      // The first connection, then the two retries, both dropped.
      expect(proxy!.accepted).toBe(3);
    });

    it("reconnectToStream with nothing active resolves null", async () => {
      await start(0);
      expect(await transport!.reconnectToStream({ chatId: "never-started" })).toBeNull();
    });

    it("sendMessages rejects at once when the server cannot be reached", async () => {
      await start(0);
      proxy!.hold(true);
      await expect(send("chat-x", "hello")).rejects.toThrow(/WebSocket chat network connection/);
      expect(proxy!.accepted).toBe(1);
    });
  });
}
