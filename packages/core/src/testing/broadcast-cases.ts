/**
 * Conformance: fan-out sends (`broadcast`, `broadcastToRoom(s)`, `sendToUser`) encode a message
 * once and write the same bytes to every recipient (issue 14). Every client still gets every
 * message intact and in order — text and binary of each frame-length class, on a connection
 * with permessage-deflate too (compressed there) — each recipient's frame is counted, and a
 * client that stops reading is still closed with 1008 once `maxBufferedBytes` are unsent.
 */
import { expect, it } from "vitest";
import type { WebSocketConfig } from "../types.ts";
import { within, type TestClient } from "./client.ts";
import { deferred, type Harness } from "./harness.ts";

const utf8 = new TextEncoder();

/** A frame whose JSON is exactly `bytes` long in UTF-8, with 2-, 3- and 4-byte characters. */
function textFrame(n: number, bytes: number): { type: string; n: number; text: string } {
  const frame = { type: "t", n, text: "é✓😀" };
  frame.text += "a".repeat(bytes - utf8.encode(JSON.stringify(frame)).length);
  return frame;
}

/** Payload sizes at each edge of the three frame-length encodings (RFC 6455 §5.2). */
const SIZES = [60, 125, 126, 300, 65_535, 65_536, 200_000];

const bytesOf = (n: number, seed: number) =>
  Uint8Array.from({ length: n }, (_, i) => (i * seed) & 255);

/** What `ws` exposes beyond the structural client: the negotiated extensions, the TCP socket. */
interface WsInternals {
  extensions?: string;
  _socket?: { bytesRead: number };
}

export function broadcastCases(h: Harness): void {
  async function clients(config: WebSocketConfig, count: number) {
    const served = await h.serve(config);
    const list = await Promise.all(Array.from({ length: count }, () => h.connect(served.wsUrl())));
    const ids = await Promise.all(
      list.map(async (c) => (await c.ofType("connected")).connectionId as string),
    );
    return { ...served, list, ids };
  }

  const fence = (list: TestClient[]) => Promise.all(list.map((c) => c.ofType("fence")));

  it("every client gets every broadcast intact and in order, text and binary of every length", async () => {
    const { manager, list } = await clients({}, 3);
    const texts = SIZES.map((size, n) => textFrame(n, size));
    const binaries = SIZES.map((size, n) => bytesOf(size, n + 3));
    // All in one turn: the frames of a turn go out together.
    for (let i = 0; i < SIZES.length; i++) {
      expect(manager.broadcast(JSON.stringify(texts[i]))).toBe(3);
      expect(manager.broadcast(binaries[i]!)).toBe(3);
    }
    // An ArrayBuffer, a view into a larger buffer, and an object encoded for the wire.
    const backing = bytesOf(64, 7);
    expect(manager.broadcast(backing.slice(0, 5).buffer)).toBe(3);
    expect(manager.broadcast(new Uint8Array(backing.buffer, 10, 4))).toBe(3);
    expect(manager.broadcast({ type: "fence" })).toBe(3);
    await fence(list);
    for (const client of list) {
      expect(client.frames.filter((f) => f.type === "t")).toEqual(texts);
      const received = client.binaries.map((b) => [...b]);
      expect(received).toEqual(
        [...binaries, backing.slice(0, 5), backing.slice(10, 14)].map((b) => [...b]),
      );
    }
  });

  it("rooms and users get the same bytes; the frames of one turn keep their order per client", async () => {
    const { manager, list, ids } = await clients({}, 3);
    manager.joinRoom(ids[0]!, "r");
    manager.joinRoom(ids[1]!, "r");
    for (let n = 0; n < 50; n++) {
      manager.broadcastToRoom("r", { type: "seq", n });
      manager.broadcastToRooms(["r", "s"], new Uint8Array([n]), { except: ids[1]! });
    }
    manager.sendToConnection(ids[2]!, '{"type":"direct"}');
    manager.broadcast({ type: "fence" });
    await fence(list);
    const seqs = (c: TestClient) => c.frames.filter((f) => f.type === "seq").map((f) => f.n);
    const fifty = Array.from({ length: 50 }, (_, n) => n);
    expect(seqs(list[0]!)).toEqual(fifty);
    expect(seqs(list[1]!)).toEqual(fifty);
    expect(seqs(list[2]!)).toEqual([]);
    expect(list[0]!.binaries.map((b) => b[0])).toEqual(fifty);
    expect(list[1]!.binaries).toEqual([]);
    expect(list[2]!.frames.map((f) => f.type)).toEqual(["connected", "direct", "fence"]);
  });

  it("on a permessage-deflate connection, broadcasts arrive intact, compressed and in order", async () => {
    const { manager, list, ids } = await clients({ compression: { threshold: 0 } }, 2);
    const [a, b] = list as [TestClient, TestClient];
    const socket = a.socket as unknown as WsInternals;
    expect(socket.extensions).toMatch(/^permessage-deflate/);
    const text = JSON.stringify({
      type: "big",
      text: "the same words again and again ".repeat(2000),
    });
    const before = socket._socket!.bytesRead;
    expect(manager.broadcast(text)).toBe(2);
    expect(manager.broadcast(bytesOf(70_000, 1))).toBe(2);
    manager.broadcast({ type: "fence" });
    await fence(list);
    expect(a.frames[1]).toEqual(JSON.parse(text));
    expect([...a.binaries[0]!]).toEqual([...bytesOf(70_000, 1)]);
    // 62 KB of repetitive text and 70 KB of a short cycle cost far less on the wire.
    expect(socket._socket!.bytesRead - before).toBeLessThan(text.length / 10);

    // A frame of its own still being compressed, then broadcasts: they must not overtake it.
    manager.send(ids[0]!, JSON.stringify({ type: "first", text }));
    manager.broadcastToRooms([], { type: "nobody" });
    manager.broadcast({ type: "after" });
    await Promise.all(list.map((c) => c.ofType("after")));
    expect(a.frames.map((f) => f.type)).toEqual(["connected", "big", "fence", "first", "after"]);
    expect(b.frames.map((f) => f.type)).toEqual(["connected", "big", "fence", "after"]);
  });

  it("counts each recipient's broadcast frame, with its payload bytes", async () => {
    const sent: number[] = [];
    const instrumentation = { frameSent: (_path: string, bytes: number) => void sent.push(bytes) };
    const { manager, list } = await clients({ instrumentation }, 3);
    sent.length = 0; // the `connected` frames
    expect(manager.broadcast('{"type":"héllo"}')).toBe(3);
    expect(manager.broadcast(new Uint8Array(300))).toBe(3);
    await Promise.all(list.map((c) => c.binary()));
    expect(sent).toEqual([17, 17, 17, 300, 300, 300]);
  });

  it("closes a client that stops reading broadcasts with 1008 at maxBufferedBytes; others keep up", async () => {
    const overflow = deferred<Error>();
    const served = await h.serve(
      { maxBufferedBytes: 64 * 1024 },
      { "/ws": { onError: (_c, error) => overflow.resolve(error) } },
    );
    const [fast, slow] = [await h.connect(served.wsUrl()), await h.connect(served.wsUrl())];
    await Promise.all([fast.ofType("connected"), slow.ofType("connected")]);
    slow.socket.pause();
    const frame = JSON.stringify({ type: "fill", data: "x".repeat(4080) });
    let reported: Error | undefined;
    void overflow.promise.then((error) => (reported = error));
    // 32 KiB a turn (what a client that reads keeps up with) until the slow one overflows, far
    // past what the kernel's socket buffers absorb for it.
    let broadcasts = 0;
    for (let turn = 0; turn < 4000 && reported === undefined; turn++) {
      for (let i = 0; i < 8; i++, broadcasts++) served.manager.broadcast(frame);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const error = await within(overflow.promise, "the overflow report", 5000);
    expect(error).toMatchObject({ name: "WebSocketConnectionError", code: "SLOW_CONSUMER" });
    expect(error.message).toMatch(/bytes unsent \(maxBufferedBytes 65536\)/);
    slow.socket.resume();
    expect((await within(slow.closed, "the 1008 close", 5000)).code).toBe(1008);
    served.manager.broadcast({ type: "fence" });
    await fast.ofType("fence", undefined, 10_000);
    expect(fast.frames.filter((f) => f.type === "fill")).toHaveLength(broadcasts);
  });
}
