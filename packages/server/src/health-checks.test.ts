/**
 * `server.addHealthCheck(name, fn)` (seed 000) on every framework: `/ready` runs the checks with
 * the broker's, answers 503 naming a failed one, and never shows what a throwing check threw.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createDemoAgent, createServer, type AgentServer, type Framework } from "./index.ts";

let server: AgentServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function ready(framework: Framework, prepare: (server: AgentServer) => void) {
  server = await createServer(createDemoAgent(), {
    framework,
    config: { port: 0, host: "127.0.0.1" },
  });
  prepare(server);
  await server.start();
  const response = await fetch(`http://127.0.0.1:${server.port}/api/ready`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe.each(["hono", "express", "fastify"] as Framework[])("health checks on %s", (framework) => {
  it("answer 200 with every check healthy, the broker's included", async () => {
    const answer = await ready(framework, (s) => {
      s.addHealthCheck("database", async () => ({ status: "healthy", message: "ok" }));
      s.addHealthCheck("cache", () => true);
    });
    expect(answer).toEqual({
      status: 200,
      body: {
        status: "ready",
        broker: "ready",
        checks: {
          broker: { status: "healthy" },
          database: { status: "healthy", message: "ok" },
          cache: { status: "healthy" },
        },
      },
    });
  });

  it("answer 503 naming the check that failed", async () => {
    const answer = await ready(framework, (s) => {
      s.addHealthCheck("database", () => ({ status: "healthy" }));
      s.addHealthCheck("aiProviders", async () => ({
        status: "unhealthy",
        message: "No provider answered",
      }));
    });
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({
      status: "unavailable",
      error: "Health check failed: aiProviders",
      checks: {
        broker: { status: "healthy" },
        database: { status: "healthy" },
        aiProviders: { status: "unhealthy", message: "No provider answered" },
      },
    });
  });

  it("fail a check that throws or answers false, without showing what it threw", async () => {
    const answer = await ready(framework, (s) => {
      s.addHealthCheck("redis", async () => {
        throw new Error("connect ECONNREFUSED redis://:hunter2@10.0.0.5");
      });
      s.addHealthCheck("queue", () => false);
    });
    expect(answer.status).toBe(503);
    expect(answer.body.error).toBe("Health check failed: redis, queue");
    expect(answer.body.checks).toMatchObject({
      redis: { status: "unhealthy" },
      queue: { status: "unhealthy" },
    });
    expect(JSON.stringify(answer.body)).not.toMatch(/hunter2|10\.0\.0\.5/);
  });
});

it("refuses a bad name or check with a TypeError", async () => {
  server = await createServer(createDemoAgent(), { config: { port: 0 } });
  expect(() => server!.addHealthCheck("", () => true)).toThrow(TypeError);
  expect(() => server!.addHealthCheck("broker", () => true)).toThrow(/exists already/);
  expect(() => server!.addHealthCheck("x", "yes" as never)).toThrow(/must be a function/);
  server.addHealthCheck("x", () => true);
  expect(() => server!.addHealthCheck("x", () => true)).toThrow(/exists already/);
  server = undefined;
});
