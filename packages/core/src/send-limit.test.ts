import { describe, expect, it } from "vitest";
import { ChunkPrefix } from "./chunk-frame.ts";
import { limitBufferedBytes } from "./send-limit.ts";
import { withSend } from "./socket-with-send.ts";
import type { SocketLike, WebSocketData } from "./types.ts";

function fakeSocket() {
  const sent: WebSocketData[] = [];
  const socket: SocketLike & { queued: number } = {
    queued: 0,
    send: (data) => void sent.push(data),
    close: () => {},
    readyState: 1,
    get bufferedAmount() {
      return this.queued;
    },
  };
  return { socket, sent };
}

describe("limitBufferedBytes", () => {
  it("sends while at most the limit is queued, then drops every frame and reports once", () => {
    const { socket, sent } = fakeSocket();
    const overflows: Error[] = [];
    const limited = limitBufferedBytes(socket, 100, "c1", (error) => overflows.push(error));
    limited.send("a");
    socket.queued = 100;
    limited.send("b"); // exactly at the limit still goes
    socket.queued = 101;
    limited.send("c");
    socket.queued = 0;
    limited.send("d"); // once tripped, the connection is being closed: nothing more is queued
    expect(sent).toEqual(["a", "b"]);
    expect(overflows).toHaveLength(1);
    expect(overflows[0]).toMatchObject({
      name: "WebSocketConnectionError",
      code: "SLOW_CONSUMER",
      connectionId: "c1",
      closeCode: 1008,
      message: "Client did not read: 101 bytes unsent (maxBufferedBytes 100)",
    });
    expect(limited.bufferedAmount).toBe(0);
    expect(limited.readyState).toBe(1);
  });

  it("keeps ping and terminate only when the socket has them", () => {
    const { socket } = fakeSocket();
    expect(limitBufferedBytes(socket, 1, "c", () => {}).ping).toBeUndefined();
    let pinged = 0;
    const limited = limitBufferedBytes({ ...socket, ping: () => void pinged++ }, 1, "c", () => {});
    limited.ping?.();
    expect(pinged).toBe(1);
  });

  it("sends chunk frames through sendChunk under the same limit, and only where the socket can", () => {
    const { socket, sent } = fakeSocket();
    const prefix = new ChunkPrefix("r1");
    const chunks: string[] = [];
    const chunking = {
      ...socket,
      sendChunk: (p: ChunkPrefix, seq: number, content: string) =>
        chunks.push(p.frame(seq, content)) && 42,
    };
    Object.defineProperty(chunking, "bufferedAmount", { get: () => socket.queued });
    const overflows: Error[] = [];
    const limited = limitBufferedBytes(chunking, 100, "c1", (error) => overflows.push(error));
    expect(limited.sendChunk?.(prefix, 1, "a")).toBe(42); // the size the socket measured
    socket.queued = 101;
    expect(limited.sendChunk?.(prefix, 2, "b")).toBe(0); // dropped: nothing was sent
    socket.queued = 0;
    expect(limited.sendChunk?.(prefix, 3, "c")).toBe(0); // and every frame after it
    limited.send("d");
    expect(chunks).toEqual([prefix.frame(1, "a")]);
    expect(sent).toEqual([]);
    expect(overflows).toHaveLength(1);
    // A socket without sendChunk, or one whose send is replaced, offers none.
    expect(limitBufferedBytes(socket, 1, "c", () => {}).sendChunk).toBeUndefined();
    expect(withSend(chunking, () => {}).sendChunk).toBeUndefined();
  });
});
