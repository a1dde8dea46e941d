/**
 * The HTTP agent handler on web `Request`s: the order of its checks (origin, credentials, content
 * type, size — all before the body is read), and what generate and stream answer.
 */
import { describe, expect, it } from "vitest";
import { WebSocketConnectionManager } from "../connection-manager.ts";
import { createTestBackend, TEST_TEXT } from "../testing/test-backend.ts";
import { createAgentHttpHandler } from "./http-handler.ts";

const KEY = "k-123";
const manager = new WebSocketConnectionManager({
  auth: { strategy: "apiKey", apiKeys: { [KEY]: { id: "u1" } } },
  allowedOrigins: ["https://app.example.com"],
  maxMessageSize: 1024,
});
const http = createAgentHttpHandler(createTestBackend(), { manager });

const post = (body: BodyInit | null, headers: Record<string, string> = {}) =>
  new Request("http://localhost/api/agent/generate", {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": KEY, ...headers },
    body,
    ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit);

/** A body that never ends, counting how often it was pulled. */
function endlessBody() {
  const counter = { pulls: 0 };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      counter.pulls++;
      controller.enqueue(new Uint8Array(256).fill(0x20));
    },
  });
  return { body, counter };
}

describe("createAgentHttpHandler: refusals", () => {
  it("refuses missing credentials with 401 without reading the body", async () => {
    const { body, counter } = endlessBody();
    const response = await http.generate(post(body, { "x-api-key": "" }));
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: "UNAUTHORIZED" });
    expect(counter.pulls).toBeLessThanOrEqual(1); // a stream pre-pulls once on creation at most
  });

  it("refuses an Origin not in allowedOrigins with 403, before credentials", async () => {
    const response = await http.generate(
      post(JSON.stringify({ prompt: "hi" }), { origin: "https://evil.example", "x-api-key": "" }),
    );
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ code: "ORIGIN_NOT_ALLOWED" });
  });

  it.each(["text/plain;charset=application/json", "application/jsonp", "text/plain"])(
    "refuses content-type %j with 415",
    async (type) => {
      const response = await http.generate(
        post(JSON.stringify({ prompt: "hi" }), { "content-type": type }),
      );
      expect(response.status).toBe(415);
      expect(await response.json()).toMatchObject({ code: "UNSUPPORTED_MEDIA_TYPE" });
    },
  );

  it("refuses a declared length over the limit with 413 without reading the body", async () => {
    const { body, counter } = endlessBody();
    const response = await http.generate(post(body, { "content-length": "5000" }));
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: "MESSAGE_TOO_LARGE" });
    expect(counter.pulls).toBeLessThanOrEqual(1);
  });

  it("stops reading a body that grows past the limit and answers 413", async () => {
    const { body, counter } = endlessBody();
    const response = await http.generate(post(body));
    expect(response.status).toBe(413);
    expect(counter.pulls).toBeLessThan(10); // 1024 bytes / 256 per pull, not forever
  });

  it("answers bad JSON with 400 INVALID_JSON and a bad payload with 400 VALIDATION_FAILED", async () => {
    const bad = await http.generate(post("{bad"));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: "INVALID_JSON" });
    const invalid = await http.generate(post(JSON.stringify({ prompt: "", requestId: "r9" })));
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({
      type: "error",
      code: "VALIDATION_FAILED",
      requestId: "r9",
    });
  });
});

describe("createAgentHttpHandler: answers", () => {
  it("generate answers the response frame with the request's id", async () => {
    const response = await http.generate(post(JSON.stringify({ prompt: "hi", requestId: "g1" })));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.json()).toMatchObject({ type: "response", requestId: "g1" });
  });

  it("stream answers SSE: stream_start, chunks adding up to the text, one stream_complete", async () => {
    const response = await http.stream(post(JSON.stringify({ prompt: "hi", requestId: "s1" })));
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = [...(await response.text()).matchAll(/^event: (\w+)\ndata: (.*)$/gm)].map(
      ([, event, data]) => ({ event, frame: JSON.parse(data!) }),
    );
    expect(events[0]).toMatchObject({ event: "stream_start", frame: { requestId: "s1" } });
    const text = events
      .filter((e) => e.event === "chunk")
      .map((e) => e.frame.content)
      .join("");
    expect(text).toBe(TEST_TEXT);
    expect(events.filter((e) => e.event === "stream_complete")).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({
      event: "stream_complete",
      frame: { status: "completed" },
    });
  });
});
