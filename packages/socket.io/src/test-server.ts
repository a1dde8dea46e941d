/**
 * Test support for this package's own tests: `attachAgent` on a plain Socket.IO server on port 0,
 * with `socket.io-client` connections, all closed after each test (clients first); a signed JWT;
 * and a wait for a counter to stop moving.
 */
import { createServer } from "node:http";
import { SignJWT } from "jose";
import { Server } from "socket.io";
import { afterEach } from "vitest";
import {
  createTestBackend,
  listenForTests,
  type ConformanceServer,
} from "@agentsocket/core/testing";
import { attachAgent, type SocketIOAgentOptions } from "./index.ts";
import { connectTestClient, type TestClient } from "./testing.ts";

/** The HS256 secret the tests' JWTs are signed with. */
export const SECRET = "socket-io-test-secret-at-least-32-bytes!";

/** A JWT with `claims`, valid for five minutes. */
export const sign = (claims: Record<string, unknown>): Promise<string> =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setExpirationTime("5m")
    .sign(new TextEncoder().encode(SECRET));

/** Resolves once `read()` has stopped changing for `quietMs` (a plateau, not a sleep). */
export async function plateau(read: () => number, quietMs = 300): Promise<number> {
  let [last, since] = [read(), Date.now()];
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = read();
    if (now !== last) [last, since] = [now, Date.now()];
    else if (Date.now() - since >= quietMs) return now;
  }
}

/**
 * Registers the after-each cleanup and returns `serve`: one attached server per call, with
 * `defaults` under each call's `options`, and `connect` for clients of it on namespace `/ai`.
 */
export function useAttachedAgent(defaults: SocketIOAgentOptions = {}) {
  const open: Array<TestClient | ConformanceServer> = [];
  afterEach(async () => {
    const items = open.splice(0);
    for (const client of items) if (!("stop" in client)) client.close();
    await Promise.all(items.map((server) => ("stop" in server ? server.stop() : undefined)));
  });
  return async function serve(options: SocketIOAgentOptions = {}, backend = createTestBackend()) {
    const http = createServer();
    const io = new Server(http, { serveClient: false });
    const served = attachAgent(io, backend, { ...defaults, ...options });
    const server = await listenForTests(http, async () => {
      served.close();
      await io.close();
    });
    open.push(server);
    const connect = async (clientOptions: Parameters<typeof connectTestClient>[1] = {}) => {
      const client = await connectTestClient(`${server.url}/ai`, clientOptions);
      open.push(client);
      return client;
    };
    return { url: server.url, backend, served, connect };
  };
}
