/**
 * Requests a user route cannot take are refused like every other request: JSON `{ error, code }`
 * with the code's status, the same on every framework, never an HTML page with a stack trace
 * (issue 8, hole 8).
 */
import { afterEach, describe, expect, it } from "vitest";
import { createDemoAgent, createServer, type AgentServer, type Framework } from "./index.ts";

let server: AgentServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function serveEcho(framework: Framework): Promise<string> {
  server = await createServer(createDemoAgent(), {
    framework,
    config: { port: 0, host: "127.0.0.1", websocket: { maxMessageSize: 1024 } },
  });
  server.registerRoute({ method: "POST", path: "/echo", handler: ({ body }) => ({ body }) });
  await server.start();
  return `http://127.0.0.1:${server.port}/echo`;
}

const postJson = (url: string, body: string) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });

describe.each(["hono", "express", "fastify"] as Framework[])("user routes on %s", (framework) => {
  it.each([
    ["malformed JSON", "{bad", 400, "INVALID_JSON"],
    [
      "a body past maxMessageSize",
      JSON.stringify({ pad: "x".repeat(2048) }),
      413,
      "MESSAGE_TOO_LARGE",
    ],
  ])("answer %s as JSON with its status and code", async (_, body, status, code) => {
    const response = await postJson(await serveEcho(framework), body);
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: expect.stringMatching(/./), code });
    expect(text).not.toMatch(/\bat |node_modules|<html/i);
  });

  it("hand a JSON null to the handler as null", async () => {
    const response = await postJson(await serveEcho(framework), "null");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ body: null });
  });
});
