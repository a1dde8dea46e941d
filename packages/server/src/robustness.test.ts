/**
 * What hostile or unlucky backends and clients must not do to a server: crash it with an
 * unhandled rejection, leave a stream without its one terminal frame, or keep a response open.
 * (Regression tests for an independent review's findings.)
 */
import net from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { connect, createTestBackend, within, type TestClient } from "@agentsocket/core/testing";
import type { AgentBackend } from "@agentsocket/core";
import { createServer, type AgentServer, type AgentOptions, type Framework } from "./index.ts";

const FRAMEWORKS: Framework[] = ["hono", "express", "fastify"];
let server: AgentServer | undefined;
let client: TestClient | undefined;
let rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);

beforeEach(() => {
  rejections = [];
  process.on("unhandledRejection", onRejection);
});
afterEach(async () => {
  process.off("unhandledRejection", onRejection);
  client?.socket.terminate();
  await server?.stop();
  [server, client] = [undefined, undefined];
});

async function serve(
  backend: AgentBackend,
  framework: Framework = "express",
  agent: AgentOptions = {},
) {
  server = await createServer(backend, {
    framework,
    config: { port: 0, host: "127.0.0.1", agent },
  });
  await server.start();
  return `127.0.0.1:${server.port}`;
}

const isEnd = (id: string) => (f: { requestId?: unknown; type: string }) =>
  f.requestId === id && (f.type === "error" || f.type === "stream_complete");
const postStream = (host: string, prompt: string) =>
  fetch(`http://${host}/api/agent/stream`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ prompt }),
  });
/** A macrotask later, so a rejection would have been reported. */
const settled = () => new Promise((resolve) => setTimeout(resolve, 50));

describe.each(FRAMEWORKS)("on %s", (framework) => {
  it("a backend whose stream is not an async iterable ends the SSE stream with an error", async () => {
    const backend = {
      generate: async () => ({ content: "x" }),
      stream: async () => ({ stream: [{ content: "a" }] as never }),
    };
    const host = await serve(backend, framework, { onError: () => {} });
    const text = await (await postStream(host, "hi")).text();
    expect(text).toMatch(/event: error\ndata: .*"code":"PROVIDER_ERROR"/);
    await settled();
    expect(rejections).toEqual([]);
  });
});

describe("streams always end once", () => {
  it("a throwing onError still gives the client its terminal error, over WebSocket and SSE", async () => {
    const host = await serve(createTestBackend(), "express", {
      onError: () => {
        throw new Error("logger down");
      },
    });
    client = await connect(WebSocket, `ws://${host}/ws`);
    client.send({ type: "stream", requestId: "f", payload: { prompt: "fail-mid" } });
    expect(await client.frame(isEnd("f"), "the end of f")).toMatchObject({
      type: "error",
      code: "PROVIDER_ERROR",
    });
    expect(await (await postStream(host, "fail-mid")).text()).toContain("event: error");
    await settled();
    expect(rejections).toEqual([]);
  });

  it("a cancel reaches a backend whose iterator has a synchronous return()", async () => {
    const backend = {
      generate: async () => ({ content: "x" }),
      stream: async () => ({
        stream: {
          [Symbol.asyncIterator]: () => ({
            next: () =>
              new Promise<IteratorResult<{ content: string }>>((r) =>
                setTimeout(() => r({ done: false, value: { content: "tok " } }), 5),
              ),
            // A synchronous return(), as hand-written iterators have.
            return: (() => ({ done: true, value: undefined })) as never,
          }),
        },
      }),
    };
    const host = await serve(backend);
    client = await connect(WebSocket, `ws://${host}/ws`);
    client.send({ type: "stream", requestId: "c", payload: { prompt: "hi" } });
    await client.ofType("chunk", "c");
    client.send({ type: "cancel", payload: { requestId: "c" } });
    expect(await client.frame(isEnd("c"), "the end of c")).toMatchObject({
      type: "stream_complete",
      status: "cancelled",
    });
  });

  it("a cancel before the backend's stream() resolves ends the stream as cancelled", async () => {
    const aborted: boolean[] = [];
    const backend = {
      generate: async () => ({ content: "x" }),
      stream: (request: { abortSignal?: AbortSignal }) => {
        request.abortSignal?.addEventListener("abort", () => aborted.push(true));
        return new Promise<never>(() => {});
      },
    };
    const host = await serve(backend, "express", { maxConcurrentStreams: 1 });
    client = await connect(WebSocket, `ws://${host}/ws`);
    client.send({ type: "stream", requestId: "s1", payload: { prompt: "hi" } });
    await client.ofType("stream_start", "s1");
    client.send({ type: "cancel", payload: { requestId: "s1" } });
    expect(await client.frame(isEnd("s1"), "the end of s1")).toMatchObject({
      type: "stream_complete",
      status: "cancelled",
    });
    expect(aborted).toEqual([true]);
    // Its slot is free again.
    client.send({ type: "stream", requestId: "s2", payload: { prompt: "hi" } });
    await client.ofType("stream_start", "s2");
  });
});

describe.each(["express", "fastify"] as Framework[])("SSE on %s", (framework) => {
  it("a client that stops reading is disconnected after stallTimeout, upstream aborted", async () => {
    const backend = createTestBackend({ burst: true });
    const host = await serve(backend, framework, {
      streaming: { bufferSize: 4096, stallTimeout: 300 },
    });
    const [address, port] = host.split(":");
    const socket = net.connect(Number(port), address);
    const closed = new Promise((resolve) => socket.once("close", resolve));
    socket.pause(); // never reads
    const body = JSON.stringify({ prompt: "forever" });
    socket.write(
      `POST /api/agent/stream HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    // Megabytes fill the loopback buffers before the stream's own queue grows: allow a busy machine.
    await within(backend.state.nextAbort(), "the stall to abort upstream", 20_000);
    // Reading now drains what was queued; a response that was torn down then closes the socket.
    socket.resume();
    await within(closed, "the server to close the stalled response", 10_000);
  }, 40_000);
});
