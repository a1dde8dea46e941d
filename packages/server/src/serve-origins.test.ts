/**
 * `agentsocket serve`'s safe defaults, on the spawned CLI for every framework: it binds 127.0.0.1,
 * and browsers reach the agent (WebSocket and HTTP) only from the server's own page or an origin
 * `AGENTSOCKET_ALLOWED_ORIGINS` lists; clients that send no `Origin` are served as before.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { startServe, type ServeProcess } from "./serve-process.ts";

const EVIL = "https://evil.example";
const LISTED = "https://app.example";

/** Opens `/ws` with these headers: the `connected` frame's type, or the HTTP status and body. */
function upgrade(serve: ServeProcess, headers: Record<string, string>) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const socket = new WebSocket(`${serve.url.replace(/^http/, "ws")}/ws`, { headers });
    socket.once("message", (data) => {
      resolve({ status: 101, body: String(data) });
      socket.terminate();
    });
    socket.once("unexpected-response", (_request, response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body += String(chunk)));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    socket.once("error", reject);
  });
}

/** POSTs a generate request with these headers: its status and body. */
async function generate(serve: ServeProcess, headers: Record<string, string>) {
  const response = await fetch(`${serve.url}/api/agent/generate`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ prompt: "hello" }),
  });
  return { status: response.status, body: await response.text() };
}

describe.each(["hono", "express", "fastify"])("agentsocket serve on %s", (framework) => {
  let serve: ServeProcess;

  beforeAll(async () => {
    serve = await startServe(["--framework", framework], {
      AGENTSOCKET_DEMO_TOKENS_PER_SECOND: "0",
      AGENTSOCKET_ALLOWED_ORIGINS: LISTED,
    });
  }, 90_000);
  afterAll(() => serve?.stop());

  it("binds 127.0.0.1 when neither --host nor HOST is given", () => {
    expect(serve.host).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it("refuses a WebSocket upgrade from another site with 403", async () => {
    const refused = await upgrade(serve, { Origin: EVIL });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ code: "ORIGIN_NOT_ALLOWED" });
  }, 30_000);

  it("accepts its own page, a listed origin and a client without Origin", async () => {
    for (const headers of [{ Origin: serve.url }, { Origin: LISTED }, {}] as Record<
      string,
      string
    >[]) {
      const opened = await upgrade(serve, headers);
      expect(opened.status).toBe(101);
      expect(JSON.parse(opened.body)).toMatchObject({ type: "connected" });
    }
  }, 30_000);

  it("refuses the HTTP agent route to another site, serves it to the others", async () => {
    const refused = await generate(serve, { Origin: EVIL });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ code: "ORIGIN_NOT_ALLOWED" });
    for (const headers of [{ Origin: serve.url }, { Origin: LISTED }, {}] as Record<
      string,
      string
    >[]) {
      const served = await generate(serve, headers);
      expect(served.status).toBe(200);
      expect(JSON.parse(served.body)).toHaveProperty("content");
    }
  }, 30_000);
});
