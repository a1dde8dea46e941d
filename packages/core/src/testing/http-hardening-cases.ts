/**
 * Conformance for full servers: the HTTP agent routes under hostile requests (issue 8) — no
 * body is read before credentials, one body limit (413) whether the length is declared or not,
 * `allowedOrigins` and `application/json` only, and the WebSocket's credential parser.
 */
import { expect, it } from "vitest";
import { within } from "./client.ts";
import { SECRET, signToken } from "./hardening-cases.ts";
import type { Harness } from "./harness.ts";
import { httpRequest, type HttpReply } from "./http-request.ts";
import { createTestBackend } from "./test-backend.ts";

const ROUTES = ["generate", "stream"] as const;
const JSON_TYPE: [string, string] = ["Content-Type", "application/json"];
const BODY = new TextEncoder().encode(JSON.stringify({ prompt: "hi" }));
const validate = (token: string) => ({ good: { id: "u1" }, other: { id: "u2" } })[token] ?? null;
const auth = { strategy: "bearer" as const, validate };

const codeOf = (response: HttpReply) => (JSON.parse(response.body) as { code?: string }).code;

/** A POST with exactly these header lines and a small JSON body. */
const post = (url: string, headers: [string, string][], body = BODY) =>
  httpRequest(url, {
    headers: [...headers, ["Content-Length", String(body.byteLength)]],
    chunks: [body],
  });

export function httpHardeningCases(h: Harness): void {
  it("answers a POST without credentials 401 before reading its body, however large", async () => {
    const backend = createTestBackend();
    const { server } = await h.serve({ auth }, {}, backend);
    for (const route of ROUTES) {
      // 200 MB declared, 64 KiB sent, the rest never: only a server that reads nothing answers.
      const response = await within(
        httpRequest(`${server.url}/api/agent/${route}`, {
          headers: [JSON_TYPE, ["Content-Length", String(200 * 1024 * 1024)]],
          chunks: [new Uint8Array(64 * 1024)],
          end: false,
        }),
        `the 401 of /api/agent/${route}`,
      );
      expect(response.status).toBe(401);
      expect(codeOf(response)).toBe("UNAUTHORIZED");
      // No length declared and the body never finished: only auth-before-body answers at all.
      const open = await within(
        httpRequest(`${server.url}/api/agent/${route}`, {
          headers: [JSON_TYPE, ["Transfer-Encoding", "chunked"]],
          chunks: [new Uint8Array(16 * 1024).fill(32)],
          end: false,
        }),
        `the 401 of an unfinished chunked body on /api/agent/${route}`,
      );
      expect([open.status, codeOf(open)]).toEqual([401, "UNAUTHORIZED"]);
    }
    expect(backend.state.requests).toEqual([]);
  });

  it("answers 413 MESSAGE_TOO_LARGE for a body over the limit, declared or chunked", async () => {
    const { server } = await h.serve({ auth, maxMessageSize: 64 * 1024 }, {}, createTestBackend());
    const bearer: [string, string] = ["Authorization", "Bearer good"];
    for (const route of ROUTES) {
      const url = `${server.url}/api/agent/${route}`;
      const declared = await within(
        httpRequest(url, {
          headers: [JSON_TYPE, bearer, ["Content-Length", String(200 * 1024 * 1024)]],
          chunks: [new Uint8Array(1024)],
          end: false,
        }),
        `the 413 of a declared length on ${route}`,
      );
      expect(declared.status).toBe(413);
      expect(codeOf(declared)).toBe("MESSAGE_TOO_LARGE");
      // No length at all: the body grows past the limit and is never finished.
      const chunked = await within(
        httpRequest(url, {
          headers: [JSON_TYPE, bearer, ["Transfer-Encoding", "chunked"]],
          chunks: Array.from({ length: 8 }, () => new Uint8Array(16 * 1024).fill(32)),
          end: false,
        }),
        `the 413 of a chunked body on ${route}`,
      );
      expect(chunked.status).toBe(413);
      expect(codeOf(chunked)).toBe("MESSAGE_TOO_LARGE");
    }
    // The server is fine afterwards.
    expect((await post(`${server.url}/api/agent/generate`, [JSON_TYPE, bearer])).status).toBe(200);
  });

  it("applies allowedOrigins to every agent route and accepts application/json only", async () => {
    const backend = createTestBackend();
    const { server } = await h.serve({ allowedOrigins: ["https://app.example"] }, {}, backend);
    for (const route of ROUTES) {
      const url = `${server.url}/api/agent/${route}`;
      const seen = backend.state.requests.length;
      const evil = await post(url, [JSON_TYPE, ["Origin", "https://evil.example"]]);
      expect([evil.status, codeOf(evil)]).toEqual([403, "ORIGIN_NOT_ALLOWED"]);
      // What a cross-site form or fetch sends without a preflight.
      for (const type of [
        "text/plain;charset=application/json",
        "text/plain",
        "application/jsonx",
      ]) {
        const simple = await post(url, [["Content-Type", type]]);
        expect([simple.status, codeOf(simple)]).toEqual([415, "UNSUPPORTED_MEDIA_TYPE"]);
      }
      expect((await post(url, [])).status).toBe(415);
      expect(backend.state.requests).toHaveLength(seen);
      const allowed = await post(url, [JSON_TYPE, ["Origin", "https://app.example"]]);
      expect(allowed.status).toBe(200);
      const charset = await post(url, [["Content-Type", "application/json; charset=utf-8"]]);
      expect(charset.status).toBe(200);
    }
  });

  it("reads HTTP credentials like the WebSocket: two different ones get 401", async () => {
    const { server } = await h.serve({ auth }, {}, createTestBackend());
    const url = (query = "") => `${server.url}/api/agent/generate${query}`;
    const good: [string, string] = ["Authorization", "Bearer good"];
    const other: [string, string] = ["Authorization", "Bearer other"];
    expect((await post(url(), [JSON_TYPE, good])).status).toBe(200);
    expect((await post(url("?token=good"), [JSON_TYPE])).status).toBe(200);
    expect((await post(url("?token=good&token=good"), [JSON_TYPE])).status).toBe(200);
    for (const [query, headers] of [
      ["", [good, other]],
      ["", [other, good]],
      ["?token=good&token=other", []],
      ["?token=other", [good]],
    ] as [string, [string, string][]][]) {
      const response = await post(url(query), [JSON_TYPE, ...headers]);
      expect([response.status, codeOf(response)]).toEqual([401, "UNAUTHORIZED"]);
    }
  });

  it("jwt over HTTP: tokens without exp or with another HMAC algorithm get 401", async () => {
    const jwt = { strategy: "bearer" as const, jwt: { secret: SECRET } };
    const { server } = await h.serve({ auth: jwt }, {}, createTestBackend());
    const status = async (token: Promise<string>) =>
      (
        await post(`${server.url}/api/agent/generate`, [
          JSON_TYPE,
          ["Authorization", `Bearer ${await token}`],
        ])
      ).status;
    expect(await status(signToken("u1"))).toBe(200);
    expect(await status(signToken("u1", "HS256", false))).toBe(401);
    expect(await status(signToken("u1", "HS512"))).toBe(401);
  });
}
