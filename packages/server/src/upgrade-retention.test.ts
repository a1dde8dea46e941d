/**
 * Nothing of a WebSocket handshake outlives it: once the socket is open, the upgrade's Node
 * request (and whatever the framework built around it: Hono's context and web `Request`) can be
 * garbage collected, so an idle connection costs only the socket and core's own objects.
 * `@hono/node-server`'s upgrade helper kept each request alive for the socket's life.
 */
import type { IncomingMessage } from "node:http";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { createDemoAgent, createServer, type AgentServer, type Framework } from "./index.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

let server: AgentServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** Collects garbage until `ref` is gone; false when it is still there after `ms`. */
async function collected(ref: WeakRef<object>, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    // A fresh task each time: `deref()` keeps its target alive until the current job ends.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    if (ref.deref() === undefined) return true;
    if (Date.now() > deadline) return false;
  }
}

const nextFrame = (ws: WebSocket) =>
  new Promise<{ type: string }>((resolve, reject) => {
    ws.once("message", (data) => resolve(JSON.parse(String(data)) as { type: string }));
    ws.once("error", reject);
  });

describe.each(["hono", "express", "fastify"] as Framework[])("on %s", (framework) => {
  it("releases the upgrade request once the socket is open, and the socket keeps working", async () => {
    server = await createServer(createDemoAgent(), {
      framework,
      config: { port: 0, host: "127.0.0.1", websocket: { pingInterval: 0 } },
    });
    await server.start();
    let request: WeakRef<IncomingMessage> | undefined;
    server.httpServer!.prependListener("upgrade", (incoming: IncomingMessage) => {
      request = new WeakRef(incoming);
    });
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
    try {
      expect((await nextFrame(ws)).type).toBe("connected");
      expect(await collected(request!)).toBe(true);
      const pong = nextFrame(ws);
      ws.send(JSON.stringify({ type: "ping", timestamp: 1 }));
      expect((await pong).type).toBe("pong");
    } finally {
      ws.close();
    }
  });
});
