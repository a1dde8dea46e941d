/**
 * `createOpenTelemetryInstrumentation({ meter })` on every framework, with the real OpenTelemetry
 * SDK's meter: connections up and down, a refused handshake, a stream's chunks and timings.
 */
import { MeterProvider, MetricReader, type DataPoint } from "@opentelemetry/sdk-metrics";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { connect, createTestBackend, tryConnect } from "@agentsocket/core/testing";
import { createOpenTelemetryInstrumentation } from "./opentelemetry.ts";
import { createServer, type AgentServer, type Framework } from "./index.ts";

class TestReader extends MetricReader {
  protected override onForceFlush = () => Promise.resolve();
  protected override onShutdown = () => Promise.resolve();
}

let server: AgentServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** Every data point of `name` as `[attributes, value]`. */
async function points(reader: MetricReader, name: string) {
  const { resourceMetrics } = await reader.collect();
  const metric = resourceMetrics.scopeMetrics
    .flatMap((scope) => scope.metrics)
    .find((m) => m.descriptor.name === name);
  return (metric?.dataPoints ?? []).map((p: DataPoint<unknown>) => [p.attributes, p.value]);
}

describe.each(["hono", "express", "fastify"] as Framework[])("OpenTelemetry on %s", (framework) => {
  it("records connections, a refusal and a stream on the app's meter", async () => {
    const reader = new TestReader();
    const meter = new MeterProvider({ readers: [reader] }).getMeter("agentsocket");
    server = await createServer(createTestBackend(), {
      framework,
      config: {
        port: 0,
        host: "127.0.0.1",
        metrics: false,
        websocket: {
          auth: { strategy: "apiKey", apiKeys: ["k1"] },
          instrumentation: createOpenTelemetryInstrumentation({ meter }),
        },
      },
    });
    await server.start();
    const url = `ws://127.0.0.1:${server.port}/ws`;
    expect(await tryConnect(WebSocket, url)).toMatchObject({ ok: false, status: 401 });
    const client = await connect(WebSocket, `${url}?apiKey=k1`);
    await client.ofType("connected");
    client.send({ type: "stream", requestId: "s", payload: { prompt: "hi" } });
    await client.ofType("stream_complete", "s");
    const chunks = client.frames.filter((f) => f.type === "chunk").length;

    const ws = { "agentsocket.path": "/ws" };
    expect(await points(reader, "agentsocket.server.active_connections")).toEqual([[ws, 1]]);
    expect(await points(reader, "agentsocket.server.handshake.rejections")).toEqual([
      [{ "http.response.status_code": "401", "error.type": "UNAUTHORIZED" }, 1],
    ]);
    expect(await points(reader, "agentsocket.stream.chunks")).toEqual([[ws, chunks]]);
    expect(await points(reader, "agentsocket.messages.sent")).toEqual([[ws, chunks + 3]]);
    expect(await points(reader, "agentsocket.stream.time_to_first_chunk")).toEqual([
      [ws, expect.objectContaining({ count: 1 })],
    ]);
    await client.close();
    await expect
      .poll(async () => points(reader, "agentsocket.server.active_connections"), {
        timeout: 10_000,
      })
      .toEqual([[ws, 0]]);
  });
});

it("refuses a meter that is not one", () => {
  expect(() => createOpenTelemetryInstrumentation({ meter: {} as never })).toThrow(TypeError);
});
