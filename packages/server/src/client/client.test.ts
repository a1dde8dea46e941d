/**
 * The client against a real server on every framework: generate, stream, cancel through an
 * AbortSignal, callTool, typed errors from `error` frames, rooms and the messages pushed to them.
 */
import { WebSocket } from "ws";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AgentServer } from "../index.ts";
import {
  AgentSocketError,
  createAgentSocketClient,
  type AgentSocketClient,
  type ClientMessage,
} from "@agentsocket/client";
import { FRAMEWORKS, startAgentServer, waitForState } from "./test-harness.ts";

describe.each(FRAMEWORKS)("client on %s", (framework) => {
  let server: AgentServer;
  let slow: AgentServer | undefined;
  let slowClient: AgentSocketClient | undefined;
  let client: AgentSocketClient;

  /** A client of a second server streaming `tokensPerSecond`, slow enough to cancel mid-answer. */
  async function slowly(tokensPerSecond: number): Promise<AgentSocketClient> {
    slow = await startAgentServer(framework, { tokensPerSecond });
    const url = `ws://127.0.0.1:${slow.port}/ws`;
    return (slowClient = createAgentSocketClient({ url, webSocket: WebSocket }));
  }

  beforeEach(async () => {
    server = await startAgentServer(framework);
    client = createAgentSocketClient({
      url: `ws://127.0.0.1:${server.port}/ws`,
      webSocket: WebSocket,
    });
  });

  afterEach(async () => {
    client.close();
    slowClient?.close();
    await server.stop();
    await slow?.stop();
    slow = undefined;
  });

  it("streams the answer as text chunks whose concatenation is the whole answer", async () => {
    const states: string[] = [];
    client.on("state", (state) => states.push(state));
    const stream = client.stream("Tell me about rooms");
    const chunks: string[] = [];
    for await (const text of stream) chunks.push(text);
    const result = await stream.result;

    expect(chunks.length).toBeGreaterThan(0); // at full speed the server coalesces chunks
    expect(chunks.every((chunk) => typeof chunk === "string" && chunk !== "")).toBe(true);
    expect(result).toMatchObject({
      status: "completed",
      text: chunks.join(""),
      finishReason: "stop",
    });
    expect(result.usage?.output).toBeGreaterThan(0);
    expect(result.text).toBe((await client.generate("Tell me about rooms")).content);
    expect(result.text).toContain('You asked: "Tell me about rooms"');
    expect(states).toEqual(["open"]);
    expect(client.state).toBe("open");
  });

  it("generate answers { content, provider, model, usage, finishReason }", async () => {
    const result = await client.generate("hello");
    expect(result).toMatchObject({
      provider: "demo",
      model: "agentsocket-demo-1",
      finishReason: "stop",
    });
    expect(result.content).toContain('You asked: "hello"');
    expect(result.usage).toMatchObject({ output: expect.any(Number) });
  });

  it("aborting the signal cancels the stream upstream: result is cancelled, no text after", async () => {
    const slowClient = await slowly(40);
    const controller = new AbortController();
    const stream = slowClient.stream("Tell me a long story", { signal: controller.signal });
    let received = "";
    for await (const text of stream) {
      received += text;
      if (received.length > 20) controller.abort();
    }
    const result = await stream.result;
    expect(result.status).toBe("cancelled");
    expect(result.text).toBe(received);
    const full = await slowClient.generate("Tell me a long story", {
      options: { maxTokens: 1000 },
    });
    expect(full.content.startsWith(received)).toBe(true);
    expect(received.length).toBeLessThan(full.content.length / 2);
  });

  it("breaking out of the loop cancels the stream", async () => {
    const slowClient = await slowly(40);
    const stream = slowClient.stream("Tell me a long story");
    for await (const text of stream) if (text) break;
    expect(await stream.result).toMatchObject({ status: "cancelled" });
  });

  it("a generate aborted by its signal rejects with CANCELLED", async () => {
    const slowClient = await slowly(5);
    await waitForState(slowClient, "open");
    const controller = new AbortController();
    const pending = slowClient.generate("hello", { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: "AgentSocketError", code: "CANCELLED" });
  });

  it("events() reports the model's tool use in order with the text", async () => {
    const stream = client.stream("calculate (12 + 30) * 2");
    const events = [];
    for await (const event of stream.events()) events.push(event);
    expect(events[0]).toMatchObject({ type: "tool_call", toolName: "calculator" });
    expect(events[1]).toMatchObject({
      type: "tool_result",
      toolName: "calculator",
      result: { value: 84 },
    });
    const text = events.flatMap((event) => (event.type === "text" ? [event.text] : [])).join("");
    expect(text).toContain("(12 + 30) * 2 = 84");
    expect((await stream.result).text).toBe(text);
  });

  it("callTool runs an allowed tool; others reject with a typed TOOL_NOT_FOUND", async () => {
    expect(await client.callTool("calculator", { expression: "(12 + 30) * 2" })).toEqual({
      expression: "(12 + 30) * 2",
      value: 84,
    });
    const refused = await client.callTool("current_time").catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AgentSocketError);
    expect(refused).toMatchObject({ code: "TOOL_NOT_FOUND", requestId: expect.any(String) });
  });

  it("server error frames reject the matching request with their code; others go on", async () => {
    const bad = client.generate("hello", { options: { temperature: 7 } });
    const good = client.generate("hello");
    await expect(bad).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    const stream = client.stream("hello", { options: { nonsense: true } });
    await expect(stream.result).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await expect(
      (async () => {
        for await (const _ of stream) void _;
      })(),
    ).rejects.toBeInstanceOf(AgentSocketError);
    expect((await good).content).toContain("hello");
  });

  it("join delivers the room's broadcasts as messages until leave; a refused join is FORBIDDEN", async () => {
    const messages: ClientMessage[] = [];
    const marker = new Promise<void>((resolve) =>
      client.on("message", (message) => {
        messages.push(message);
        if ((message as { type?: string }).type === "marker") resolve();
      }),
    );
    await client.join("lobby");
    expect(client.rooms).toEqual(["lobby"]);
    expect(server.websocket.broadcastToRoom("lobby", { type: "news", text: "first" })).toBe(1);
    await client.leave("lobby");
    expect(client.rooms).toEqual([]);
    expect(server.websocket.broadcastToRoom("lobby", { type: "news", text: "second" })).toBe(0);
    server.websocket.broadcast({ type: "marker" });
    await marker;
    expect(messages).toEqual([{ type: "news", text: "first" }, { type: "marker" }]);

    await expect(client.join("private-1")).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(client.rooms).toEqual([]);
  });

  it("requests made before the connection is open wait for it; close() fails what is left", async () => {
    const early = client.generate("early");
    expect(client.state).toBe("connecting");
    expect((await early).content).toContain("early");
    client.close();
    expect(client.state).toBe("closed");
    await expect(client.generate("late")).rejects.toMatchObject({ code: "CONNECTION_CLOSED" });
    await expect(client.stream("late").result).rejects.toMatchObject({ code: "CONNECTION_CLOSED" });
  });
});
