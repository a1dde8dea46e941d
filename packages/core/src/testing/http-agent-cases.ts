/**
 * Conformance for full servers: the agent over HTTP — JSON generate and the SSE stream whose
 * events are the WebSocket frames — with the same auth and validation.
 */
import { expect, it, onTestFinished, vi } from "vitest";
import { within, type Frame } from "./client.ts";
import type { Harness } from "./harness.ts";
import { createTestBackend, PROVIDER_SECRET, TEST_TEXT } from "./test-backend.ts";

const decoder = new TextDecoder();

/** Reads SSE events (`event:` + `data:` lines) until `stop` says so or the body ends. */
async function readEvents(
  response: Response,
  stop: (event: Frame) => boolean = () => false,
): Promise<Frame[]> {
  const reader = response.body!.getReader();
  const events: Frame[] = [];
  let buffer = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return events;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const name = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (data === undefined) continue;
      const event = JSON.parse(data) as Frame;
      expect(event.type).toBe(name);
      events.push(event);
      if (stop(event)) {
        await reader.cancel();
        return events;
      }
    }
  }
}

const post = (
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
    signal,
  });

/** Captures console.error for this test: a server without `onError` reports failures there. */
function captureConsoleError() {
  const spy = vi.spyOn(console, "error").mockImplementation(() => {});
  onTestFinished(() => spy.mockRestore());
  return spy;
}

export function httpAgentCases(h: Harness): void {
  const auth = {
    strategy: "bearer" as const,
    validate: (t: string) => (t === "token-a" ? { id: "alice" } : null),
  };
  const bearer = { authorization: "Bearer token-a" };

  it("POST /api/agent/generate answers JSON with the same auth and validation as the socket", async () => {
    const backend = createTestBackend();
    const { server } = await h.serve({ auth }, {}, backend);
    const url = `${server.url}/api/agent/generate`;
    expect((await post(url, { prompt: "hi" })).status).toBe(401);
    const ok = await post(url, { prompt: "hi", requestId: "h1" }, bearer);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      type: "response",
      requestId: "h1",
      content: "echo: hi",
      data: { provider: "test" },
    });
    expect(backend.state.requests[0]).toMatchObject({ context: { userId: "alice" } });
    const invalid = await post(url, { prompt: "" }, bearer);
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ type: "error", code: "VALIDATION_FAILED" });
    const logged = captureConsoleError();
    const failed = await post(url, { prompt: "fail" }, bearer);
    expect(failed.status).toBe(502);
    const failure = await failed.text();
    expect(JSON.parse(failure)).toMatchObject({ code: "PROVIDER_ERROR" });
    expect(failure).not.toContain(PROVIDER_SECRET);
    // The operator, unlike the client, sees the provider's error.
    expect(logged.mock.calls).toEqual([
      ["[agentsocket] generate failed:", expect.objectContaining({ message: expect.any(String) })],
    ]);
  });

  it("POST /api/agent/stream streams SSE events named and shaped like the WebSocket frames", async () => {
    const { server } = await h.serve({ auth }, {}, createTestBackend());
    const response = await post(
      `${server.url}/api/agent/stream`,
      { prompt: "go", requestId: "e1" },
      bearer,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = await within(readEvents(response), "the SSE stream");
    expect(events[0]).toEqual({ type: "stream_start", requestId: "e1" });
    expect(events.at(-1)).toMatchObject({
      type: "stream_complete",
      requestId: "e1",
      status: "completed",
      finishReason: "stop",
    });
    const chunks = events.filter((e) => e.type === "chunk");
    chunks.forEach((chunk, i) => expect(chunk).toMatchObject({ requestId: "e1", seq: i + 1 }));
    expect(chunks.map((c) => c.content).join("")).toBe(TEST_TEXT);
    const logged = captureConsoleError();
    const mid = await post(`${server.url}/api/agent/stream`, { prompt: "fail-mid" }, bearer);
    const failed = await readEvents(mid);
    expect(failed.at(-1)).toMatchObject({ type: "error", code: "PROVIDER_ERROR" });
    expect(JSON.stringify(failed)).not.toContain(PROVIDER_SECRET);
    expect(logged.mock.calls).toEqual([
      ["[agentsocket] stream failed:", expect.objectContaining({ message: expect.any(String) })],
    ]);
    expect((await post(`${server.url}/api/agent/stream`, { prompt: "go" })).status).toBe(401);
  });

  it("a client that leaves an SSE stream aborts upstream within 1 s", async () => {
    const backend = createTestBackend({ tokenDelay: 2 });
    const { server } = await h.serve({}, {}, backend);
    const controller = new AbortController();
    const response = await post(
      `${server.url}/api/agent/stream`,
      { prompt: "forever" },
      {},
      controller.signal,
    );
    await readEvents(response, (event) => event.type === "chunk");
    const aborted = backend.state.nextAbort();
    const leftAt = Date.now();
    controller.abort();
    expect(
      (await within(aborted, "the upstream abort after the client left", 1000)) - leftAt,
    ).toBeLessThan(1000);
  });

  it("a stream running when the server stops ends with an error event SHUTTING_DOWN", async () => {
    const backend = createTestBackend({ tokenDelay: 2 });
    const { server } = await h.serve({}, {}, backend);
    const response = await post(`${server.url}/api/agent/stream`, {
      prompt: "forever",
      requestId: "s1",
    });
    let stopping: Promise<void> | undefined;
    const events = await within(
      readEvents(response, (event) => {
        if (event.type === "chunk") stopping ??= server.stop();
        return false;
      }),
      "the stream to end at shutdown",
    );
    expect(events.at(-1)).toEqual({
      type: "error",
      requestId: "s1",
      code: "SHUTTING_DOWN",
      error: "Server shutting down",
    });
    expect(events.filter((e) => e.type === "error" || e.type === "stream_complete")).toHaveLength(
      1,
    );
    await within(stopping!, "stop()");
    expect(backend.state.abortedAt).toHaveLength(1);
  });
}
