/**
 * Conformance: refused handshakes as a client sees them — the JSON `{ error, code }` of every
 * refusal, sockets freed even when the client keeps its side open, and no handshake accepted once
 * shutdown has begun (issue 8, holes 4 and 5).
 */
import { expect, it } from "vitest";
import type { ConnectResult } from "./client.ts";
import { within } from "./client.ts";
import { deferred, refused, type Harness } from "./harness.ts";
import { handshakeLines, rawRequest } from "./raw-http.ts";

export function handshakeCases(h: Harness): void {
  it("does not upgrade paths it does not serve: 404 NOT_FOUND", async () => {
    const { wsUrl } = await h.serve();
    const result = await h.tryConnect(wsUrl("/elsewhere"));
    if (h.target.unservedPaths === "app") expect(result).toMatchObject({ ok: false, status: 404 });
    else expect(result).toEqual(refused(404, "NOT_FOUND"));
  });

  it("frees a refused handshake's socket even when the client keeps its side open", async () => {
    // A close timeout far above the bound below: stop() must not get there by giving up.
    const { server } = await h.serve({
      closeTimeout: 10_000,
      auth: { strategy: "bearer", validate: () => null },
    });
    const response = await rawRequest(server.url, handshakeLines("/ws"));
    try {
      expect(response).toMatchObject({
        status: 401,
        headers: { connection: "close" },
        body: { error: "Authentication required", code: "UNAUTHORIZED" },
      });
      await within(server.stop(), "stop() with a refused client still connected", 1500);
    } finally {
      response.socket.destroy();
    }
  });

  it("refuses handshakes still in auth when shutdown begins with 503 SHUTTING_DOWN", async () => {
    const inAuth = deferred();
    const gate = deferred();
    let entered = 0;
    const { manager, server, wsUrl } = await h.serve({
      auth: {
        strategy: "custom",
        validate: async () => {
          if (++entered === 3) inAuth.resolve();
          await gate.promise;
          return { id: "late" };
        },
      },
    });
    const shutdown = deferred();
    const closeAll = manager.closeAll.bind(manager);
    manager.closeAll = (...args) => {
      shutdown.resolve();
      return closeAll(...args);
    };
    const attempts: Promise<ConnectResult>[] = [1, 2, 3].map(() => h.tryConnect(wsUrl()));
    await within(inAuth.promise, "three handshakes in auth");
    const stopping = server.stop();
    await within(shutdown.promise, "closeAll() to begin");
    gate.resolve();
    for (const attempt of await Promise.all(attempts))
      expect(attempt).toEqual(refused(503, "SHUTTING_DOWN"));
    await within(stopping, "stop()");
    expect(manager.getConnectionCount()).toBe(0);
  });
}
