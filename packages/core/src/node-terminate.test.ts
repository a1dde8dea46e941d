/**
 * Terminating a `ws` socket whose peer stopped reading: the writes still queued are dropped with
 * one error, not one new `Error` each (tens of thousands of them stalled the event loop), and the
 * socket still closes with 1006.
 */
import { once } from "node:events";
import { afterEach, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { terminateNodeWebSocket } from "./node-terminate.ts";

let wss: WebSocketServer | undefined;
afterEach(() => wss?.close());

/** A server-side socket whose client never reads, with `frames` sends queued behind it. */
async function backedUp(frames: number) {
  wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  await once(wss, "listening");
  const { port } = wss.address() as { port: number };
  const client = new WebSocket(`ws://127.0.0.1:${port}`);
  const [server] = (await once(wss, "connection")) as [WebSocket];
  await once(client, "open");
  (client as unknown as { _socket: { pause(): void } })._socket.pause();
  const errors: (Error | null | undefined)[] = [];
  const frame = JSON.stringify({ type: "error", code: "TOO_MANY_REQUESTS", error: "x".repeat(60) });
  for (let i = 0; i < frames; i++) server.send(frame, (error) => errors.push(error));
  return { server, client, errors };
}

it("drops the queued writes with one error and closes with 1006", async () => {
  const { server, client, errors } = await backedUp(100_000);
  const closed = once(server, "close");
  terminateNodeWebSocket(server);
  const [code] = (await closed) as [number];
  expect(code).toBe(1006);
  client.terminate(); // a peer that does not read never learns of the drop by itself
  await new Promise((resolve) => setImmediate(resolve));
  expect(errors).toHaveLength(100_000); // every send was answered
  const failed = errors.filter((error) => error instanceof Error);
  expect(failed.length).toBeGreaterThan(1000); // the kernel took the rest
  // The queued writes share one error (Node 24 may answer the write in progress with a second);
  // before the fix Node 20 made one per write: 65,000+ distinct errors here.
  expect(new Set(failed).size).toBeLessThanOrEqual(2);
});

it("falls back to terminate() for a socket it cannot reach into", () => {
  let terminated = 0;
  terminateNodeWebSocket({ readyState: 1, terminate: () => terminated++ });
  expect(terminated).toBe(1);
});
