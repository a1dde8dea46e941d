/**
 * Conformance for full servers (`createServer`): health routes and `stop()`.
 */
import { expect, it } from "vitest";
import { within } from "./client.ts";
import type { Harness } from "./harness.ts";

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
      connections: { total: 2, maxConnections: 50, paths: { "/ws": 1, "/ws/notifications": 1 } },
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
}
