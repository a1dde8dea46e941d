/**
 * The exactly-once tail over a stream store (`openStreamTail`): a reader joining at any offset
 * while the writer appends gets every later frame once, in order, up to the terminal one.
 */
import { expect, it } from "vitest";
import { openStreamTail } from "../stream-store/stream-tail.ts";
import { eventually } from "./stream-store-cases.ts";
import type { StoredFrame, StreamStore } from "../stream-store/stream-store.ts";

/** Appends `count` frames then the terminal one, a few per turn, like a model streaming. */
async function write(store: StreamStore, streamId: string, count: number, from = 1): Promise<void> {
  for (let offset = from; offset <= count; offset++) {
    await store.append(streamId, { offset, frame: `{"o":${offset}}` });
    if (offset % 4 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await store.end(streamId, { offset: count + 1, frame: `{"o":${count + 1},"end":true}` });
}

export function streamTailCases(open: () => Promise<StreamStore>): void {
  it("delivers every frame after the offset exactly once while the writer appends", async () => {
    const writer = await open();
    const reader = await open();
    const { streamId } = await writer.create({ ownerNode: "n1", userId: "u1" });
    for (let offset = 1; offset <= 300; offset++) {
      await writer.append(streamId, { offset, frame: `{"o":${offset}}` });
    }
    const seen: StoredFrame[] = [];
    const tail = await openStreamTail(reader, streamId, {
      afterOffset: 120,
      authorize: (meta) => meta.userId === "u1",
      deliver: (frame) => seen.push(frame),
      pageSize: 50,
    });
    if (!tail.recovered) throw new Error(`refused: ${tail.reason}`);
    expect(tail.fromOffset).toBe(120);
    const [end] = await Promise.all([tail.run(), write(writer, streamId, 2000, 301)]);
    expect(end).toBe("ended");
    expect(seen.map((f) => f.offset)).toEqual(Array.from({ length: 1881 }, (_, i) => 121 + i));
    expect(seen.at(-1)).toMatchObject({
      offset: 2001,
      terminal: true,
      frame: '{"o":2001,"end":true}',
    });
  });

  it("holds frames while the reader is congested and loses none", async () => {
    const store = await open();
    const { streamId } = await store.create({ ownerNode: "n1" });
    const seen: number[] = [];
    let backedUp = false;
    const tail = await openStreamTail(store, streamId, {
      afterOffset: 0,
      deliver: (frame) => {
        seen.push(frame.offset);
        // Every 50th frame backs the reader up until the next poll sees it drained.
        if (frame.offset % 50 === 0) {
          backedUp = true;
          setTimeout(() => (backedUp = false), 2);
        }
      },
      congested: () => backedUp,
    });
    if (!tail.recovered) throw new Error(`refused: ${tail.reason}`);
    const [end] = await Promise.all([tail.run(), write(store, streamId, 500)]);
    expect(end).toBe("ended");
    expect(seen).toEqual(Array.from({ length: 501 }, (_, i) => i + 1));
  });

  it("replays a finished stream to its terminal frame, and nothing when the reader has it all", async () => {
    const store = await open();
    const { streamId } = await store.create({ ownerNode: "n1" });
    await write(store, streamId, 10);
    const seen: number[] = [];
    const tail = await openStreamTail(store, streamId, {
      afterOffset: 7,
      deliver: (f) => seen.push(f.offset),
    });
    if (!tail.recovered) throw new Error(`refused: ${tail.reason}`);
    expect(await tail.run()).toBe("ended");
    expect(seen).toEqual([8, 9, 10, 11]);
    const none: number[] = [];
    const atEnd = await openStreamTail(store, streamId, {
      afterOffset: 11,
      deliver: (f) => none.push(f.offset),
    });
    expect(atEnd.recovered).toBe(true);
    expect(none).toEqual([]);
  });

  it("stops delivering once stopped", async () => {
    const store = await open();
    const { streamId } = await store.create({ ownerNode: "n1" });
    await store.append(streamId, { offset: 1, frame: "{}" });
    const seen: number[] = [];
    const tail = await openStreamTail(store, streamId, {
      afterOffset: 0,
      deliver: (f) => seen.push(f.offset),
    });
    if (!tail.recovered) throw new Error(`refused: ${tail.reason}`);
    const running = tail.run();
    await new Promise((resolve) => setImmediate(resolve));
    tail.stop();
    expect(await running).toBe("stopped");
    await store.append(streamId, { offset: 2, frame: "{}" });
    expect(seen).toEqual([1]);
  });

  it("ends with interrupted when the stream's owner is gone (stores that track owners)", async () => {
    const store = await open();
    if (store.ownerAlive === undefined) return; // one process: the owner is this process
    const owner = `node-${crypto.randomUUID()}`;
    const stop = store.onCancel(owner, () => {});
    await eventually(() => store.ownerAlive!(owner));
    const { streamId } = await store.create({ ownerNode: `gone-${crypto.randomUUID()}` });
    await store.append(streamId, { offset: 1, frame: "{}" });
    const seen: number[] = [];
    const tail = await openStreamTail(store, streamId, {
      afterOffset: 0,
      deliver: (f) => seen.push(f.offset),
      positionCheckMs: 50,
    });
    if (!tail.recovered) throw new Error(`refused: ${tail.reason}`);
    expect(await tail.run()).toBe("interrupted");
    expect(seen).toEqual([1]);
    stop();
  });

  it("refuses with a reason: unknown, another user's, another epoch, an offset it never had", async () => {
    const store = await open();
    const { streamId, epoch } = await store.create({ ownerNode: "n1", userId: "alice" });
    await store.append(streamId, { offset: 1, frame: "{}" });
    const seen: StoredFrame[] = [];
    const deliver = (f: StoredFrame) => seen.push(f);
    const refusal = async (id: string, options: Partial<Parameters<typeof openStreamTail>[2]>) => {
      const tail = await openStreamTail(store, id, { afterOffset: 0, deliver, ...options });
      return tail.recovered ? "recovered" : tail.reason;
    };
    expect(await refusal("no-such-stream", {})).toBe("not_found");
    expect(await refusal(streamId, { authorize: (m) => m.userId === "bob" })).toBe("forbidden");
    expect(await refusal(streamId, { epoch: "another" })).toBe("epoch_changed");
    expect(await refusal(streamId, { epoch, afterOffset: 5 })).toBe("invalid_offset");
    expect(await refusal(streamId, { afterOffset: -1 })).toBe("invalid_offset");
    expect(seen).toEqual([]);
  });
}
