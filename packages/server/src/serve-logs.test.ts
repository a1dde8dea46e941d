/**
 * The logs of the spawned `agentsocket serve`, on every framework: one JSON line per request,
 * handshake and closed WebSocket, and never a credential — not the API key a browser put in
 * `?apiKey=`, not a wrong key, not `?token=`/`?ticket=`, not an `X-API-Key` or `Authorization`
 * header — whether the request was served or refused.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { startServe, type ServeProcess } from "./serve-process.ts";

/** The fields of a log line this test reads. */
interface LogLine {
  level: number;
  msg: string;
  name: string;
  req?: { url: string; method: string; origin?: string };
  res?: { statusCode: number };
}

const KEY = "sk-live-7f3a9c1e5b2d";
const WRONG = "sk-wrong-4e8d0a6c";

/** Opens `/ws?query`: resolves with the HTTP status (101 once `connected` arrived, then closes). */
function upgrade(serve: ServeProcess, query: string, headers: Record<string, string> = {}) {
  return new Promise<number>((resolve, reject) => {
    const socket = new WebSocket(`${serve.url.replace(/^http/, "ws")}/ws?${query}`, { headers });
    socket.once("message", () => socket.close(1000));
    socket.once("close", () => resolve(101));
    socket.once("unexpected-response", (_request, response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    socket.once("error", reject);
  });
}

async function request(serve: ServeProcess, path: string, init: RequestInit = {}) {
  const response = await fetch(`${serve.url}${path}`, init);
  await response.arrayBuffer();
  return response.status;
}

const generate = (headers: Record<string, string>) => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify({ prompt: "hello" }),
});

describe.each(["hono", "express", "fastify"])("agentsocket serve logs on %s", (framework) => {
  let serve: ServeProcess;
  let output = "";

  beforeAll(async () => {
    serve = await startServe(["--framework", framework], {
      AGENTSOCKET_API_KEYS: `other-key,${KEY}`,
      AGENTSOCKET_DEMO_TOKENS_PER_SECOND: "0",
    });
    expect(await upgrade(serve, `apiKey=${KEY}&room=lobby`)).toBe(101);
    expect(await upgrade(serve, `apiKey=${WRONG}`)).toBe(401);
    expect(await upgrade(serve, `apiKey=${KEY}`, { Origin: "https://evil.example" })).toBe(403);
    expect(await upgrade(serve, `token=${KEY}&ticket=${KEY}`)).toBe(401);
    expect(await request(serve, `/api/agent/generate?apiKey=${KEY}`, generate({}))).toBe(200);
    expect(await request(serve, "/api/agent/generate", generate({ "x-api-key": KEY }))).toBe(200);
    const bearer = { authorization: `Bearer ${WRONG}` };
    expect(await request(serve, "/api/agent/generate", generate(bearer))).toBe(401);
    expect(await request(serve, `/nowhere?api_key=${KEY}&APIKEY=${KEY}`)).toBe(404);
    await serve.stop();
    output = serve.output();
  }, 120_000);
  afterAll(() => serve?.stop());

  it("never writes a credential", () => {
    expect(output).not.toContain(KEY);
    expect(output).not.toContain(WRONG);
  });

  it("logs each request and handshake as a JSON line, credentials redacted", () => {
    const lines = output
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as LogLine);
    const summary = lines.map(
      (line) => `${line.msg} ${line.res?.statusCode ?? "-"} ${line.req?.url}`,
    );
    expect(summary).toEqual(
      expect.arrayContaining([
        "websocket opened 101 /ws?apiKey=[REDACTED]&room=lobby",
        "websocket closed - /ws?apiKey=[REDACTED]&room=lobby",
        "upgrade refused 401 /ws?apiKey=[REDACTED]",
        "upgrade refused 403 /ws?apiKey=[REDACTED]",
        "upgrade refused 401 /ws?token=[REDACTED]&ticket=[REDACTED]",
        "request 200 /api/agent/generate?apiKey=[REDACTED]",
        "request 200 /api/agent/generate",
        "request 401 /api/agent/generate",
        "request 404 /nowhere?api_key=[REDACTED]&APIKEY=[REDACTED]",
      ]),
    );
    const refused = lines.find((line) => line.res?.statusCode === 403);
    expect(refused).toMatchObject({ level: 40, name: "agentsocket", req: { method: "GET" } });
    expect(refused?.req?.origin).toBe("https://evil.example");
  });
});
