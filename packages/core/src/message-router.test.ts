import { describe, expect, it } from "vitest";
import { z } from "zod";
import { WebSocketError } from "./errors.ts";
import { WebSocketMessageRouter } from "./message-router.ts";
import type { WebSocketConnection } from "./types.ts";

function fakeConnection() {
  const sent: unknown[] = [];
  const socket = {
    send: (d: unknown) => void sent.push(JSON.parse(d as string)),
    close() {},
    readyState: 1,
    bufferedAmount: 0,
  };
  const connection: WebSocketConnection = {
    id: "c1",
    socket,
    metadata: { path: "/ws" },
    createdAt: 0,
    lastActivity: 0,
  };
  return { connection, sent };
}

const text = (data: string) => ({ type: "text" as const, data, timestamp: 0 });

describe("WebSocketMessageRouter", () => {
  it("routes by type, returns the reply with the requestId, and lists routes", async () => {
    const router = new WebSocketMessageRouter();
    router.route("generate", (_c, payload) => ({
      type: "response",
      content: `echo ${(payload as { prompt: string }).prompt}`,
    }));
    router.route("sum", (_c, p) => (p as number[]).reduce((a, b) => a + b, 0));
    const { connection } = fakeConnection();
    expect(
      await router.handle(
        connection,
        text('{"type":"generate","payload":{"prompt":"hi"},"requestId":"r1"}'),
      ),
    ).toEqual({
      type: "response",
      content: "echo hi",
      requestId: "r1",
    });
    expect(
      await router.handle(connection, '{"type":"sum","payload":[1,2,3],"requestId":"r2"}'),
    ).toEqual({
      type: "result",
      requestId: "r2",
      data: 6,
    });
    expect(router.getRoutes()).toEqual(["generate", "sum"]);
  });

  it("generates a requestId when the client sent none", async () => {
    const router = new WebSocketMessageRouter().route("x", () => ({ type: "y" }));
    const reply = await router.handle(fakeConnection().connection, '{"type":"x"}');
    expect(reply?.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("turns bad input into typed error frames", async () => {
    const router = new WebSocketMessageRouter();
    router.route("generate", () => ({ type: "response" }), z.object({ prompt: z.string().min(1) }));
    const { connection } = fakeConnection();
    expect(await router.handle(connection, "{not json")).toEqual({
      type: "error",
      code: "INVALID_JSON",
      error: "Message is not valid JSON",
    });
    expect(await router.handle(connection, "[1,2]")).toMatchObject({ code: "INVALID_MESSAGE" });
    expect(await router.handle(connection, '{"payload":{}}')).toMatchObject({
      code: "INVALID_MESSAGE",
    });
    expect(await router.handle(connection, '{"type":"x","requestId":42}')).toMatchObject({
      code: "INVALID_MESSAGE",
    });
    expect(await router.handle(connection, '{"type":"nope","requestId":"r"}')).toEqual({
      type: "error",
      requestId: "r",
      code: "UNKNOWN_TYPE",
      error: 'Unknown message type "nope"',
    });
    const invalid = await router.handle(
      connection,
      '{"type":"generate","payload":{"prompt":""},"requestId":"r"}',
    );
    expect(invalid).toMatchObject({ type: "error", requestId: "r", code: "VALIDATION_FAILED" });
    expect(invalid?.error).toMatch(/^prompt: /);
    expect(
      await router.handle(connection, { type: "binary", data: new ArrayBuffer(2), timestamp: 0 }),
    ).toMatchObject({
      code: "INVALID_MESSAGE",
    });
  });

  it("keeps handler failures safe: WebSocketErrors keep their code, others hide their message", async () => {
    const seen: Error[] = [];
    const router = new WebSocketMessageRouter({ onError: (error) => void seen.push(error) });
    router.route("limited", () => {
      throw new WebSocketError("Slow down", { code: "RATE_LIMITED" });
    });
    router.route("broken", async () => {
      throw new Error("db password is hunter2");
    });
    const { connection } = fakeConnection();
    expect(await router.handle(connection, '{"type":"limited","requestId":"a"}')).toEqual({
      type: "error",
      requestId: "a",
      code: "RATE_LIMITED",
      error: "Slow down",
    });
    const broken = await router.handle(connection, '{"type":"broken","requestId":"b"}');
    expect(broken).toEqual({
      type: "error",
      requestId: "b",
      code: "INTERNAL_ERROR",
      error: "Internal error",
    });
    expect(seen.map((e) => e.message)).toEqual(["db password is hunter2"]);
  });

  it("lets handlers stream frames stamped with the requestId, and send nothing by returning undefined", async () => {
    const router = new WebSocketMessageRouter();
    router.route("count", (_c, _p, ctx) => {
      for (let i = 1; i <= 3; i++) ctx.send({ type: "chunk", n: i });
    });
    const { connection, sent } = fakeConnection();
    expect(await router.handle(connection, '{"type":"count","requestId":"s"}')).toBeUndefined();
    expect(sent).toEqual([1, 2, 3].map((n) => ({ type: "chunk", n, requestId: "s" })));
  });

  it("rejects bad route definitions with a TypeError", () => {
    const router = new WebSocketMessageRouter();
    expect(() => router.route("", () => 1)).toThrow(TypeError);
    expect(() => router.route("x", "nope" as never)).toThrow(
      'route "x": handler must be a function',
    );
  });
});
