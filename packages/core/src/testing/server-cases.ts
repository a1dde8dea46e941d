/**
 * Conformance for full servers (`createServer`): health routes, `stop()`, and the answers to
 * requests no route takes — unknown routes, and upgrades that are not WebSocket handshakes.
 */
import { expect, it } from "vitest";
import { within } from "./client.ts";
import { deferred, type Harness } from "./harness.ts";
import { handshakeLines, rawRequest } from "./raw-http.ts";

const INVALID_HANDSHAKE = { error: expect.stringMatching(/./), code: "INVALID_HANDSHAKE" };

export function serverCases(h: Harness): void {
  it("serves health, ready and WebSocket health routes", async () => {
    const { server, wsUrl } = await h.serve({ maxConnections: 50 }, { "/ws/notifications": {} });
    await (await h.connect(wsUrl())).ofType("connected");
    await (await h.connect(wsUrl("/ws/notifications"))).ofType("connected");

    const health = await fetch(`${server.url}/api/health`);
    expect(health.status).toBe(200);
    const body = (await health.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: "ok" });
    expect(typeof body.timestamp).toBe("string");
    expect(typeof body.uptime).toBe("number");
    expect(typeof body.version).toBe("string");

    expect((await fetch(`${server.url}/api/ready`)).status).toBe(200);

    const ws = await fetch(`${server.url}/api/health/websocket`);
    expect(ws.status).toBe(200);
    expect(await ws.json()).toEqual({
      status: "ok",
      // createServer also serves the AI SDK chat path, with nobody on it.
      connections: {
        total: 2,
        maxConnections: 50,
        paths: { "/chat": 0, "/ws": 1, "/ws/notifications": 1 },
      },
    });
  });

  it("stop() closes every WebSocket with 1001, quickly, and stops listening", async () => {
    const { server, wsUrl } = await h.serve();
    const clients = await Promise.all([h.connect(wsUrl()), h.connect(wsUrl())]);
    await Promise.all(clients.map((c) => c.ofType("connected")));
    // A keep-alive HTTP connection must not hold stop() open either.
    await fetch(`${server.url}/api/health`);
    const started = Date.now();
    await within(server.stop(), "stop()", 3000);
    expect(Date.now() - started).toBeLessThan(2000);
    for (const client of clients) expect((await client.closed).code).toBe(1001);
    await expect(fetch(`${server.url}/api/health`)).rejects.toThrow();
  });

  it("answers an unknown route with 404 NOT_FOUND JSON", async () => {
    const { server } = await h.serve();
    const response = await fetch(`${server.url}/nope?x=1`);
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ error: "No route for GET /nope", code: "NOT_FOUND" });
  });

  it.each([
    [
      "h2c",
      [
        "Connection: Upgrade, HTTP2-Settings",
        "Upgrade: h2c",
        "HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA",
      ],
    ],
    ["foo", ["Connection: Upgrade", "Upgrade: foo"]],
  ])("answers Upgrade: %s with 400 INVALID_HANDSHAKE and frees the socket", async (_, fields) => {
    const { server } = await h.serve({ closeTimeout: 10_000 });
    const lines = ["GET /api/health HTTP/1.1", "Host: localhost", ...fields];
    const responses = await Promise.all([1, 2, 3].map(() => rawRequest(server.url, lines)));
    try {
      for (const response of responses)
        expect(response).toMatchObject({ status: 400, body: INVALID_HANDSHAKE });
      // Clients that keep their side open must not hold stop() (10 s close timeout above).
      await within(server.stop(), "stop() with the upgrade clients still connected", 1500);
    } finally {
      for (const response of responses) response.socket.destroy();
    }
  });

  it("answers Upgrade: websocket without Connection: Upgrade with 400 INVALID_HANDSHAKE", async () => {
    const { server } = await h.serve();
    const lines = handshakeLines("/ws").map((line) =>
      line === "Connection: Upgrade" ? "Connection: keep-alive" : line,
    );
    const response = await rawRequest(server.url, lines);
    response.socket.destroy();
    expect(response).toMatchObject({
      status: 400,
      body: {
        error: 'A WebSocket handshake needs "Connection: Upgrade"',
        code: "INVALID_HANDSHAKE",
      },
    });
  });

  it("stop() resolves within closeTimeout while a handshake is stuck in auth", async () => {
    const inAuth = deferred();
    const { server, wsUrl } = await h.serve({
      closeTimeout: 300,
      auth: {
        strategy: "custom",
        validate: () => {
          inAuth.resolve();
          return new Promise<never>(() => {});
        },
      },
    });
    const attempt = h.tryConnect(wsUrl()).catch((error: Error) => error);
    await within(inAuth.promise, "the handshake to reach auth");
    await within(server.stop(), "stop() with a handshake stuck in auth", 1500);
    // Its socket was destroyed: the client saw the connection go, never a 101.
    expect(await attempt).toBeInstanceOf(Error);
  });
}
