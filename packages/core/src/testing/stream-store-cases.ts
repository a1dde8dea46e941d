/**
 * The stream store conformance suite: what every `StreamStore` (memory, Redis, a third party's)
 * must do — contiguous offsets, bounds, lifetimes, follow, scope lookups, cancel routing — and the
 * exactly-once tail over it while a writer keeps appending.
 *
 * @example
 * runStreamStoreSuite({ name: "redis", create: () => createRedisStreamStore({ url }) });
 */
import { afterEach, describe, expect, it } from "vitest";
import type { StreamStore } from "../stream-store/stream-store.ts";
import { streamTailCases } from "./stream-tail-cases.ts";

/** A store under test. */
export interface StreamStoreTarget {
  /** Shown in test names, e.g. "memory". */
  name: string;
  /** A store on the target's data; two calls must see each other's streams (two instances). */
  create(): StreamStore | Promise<StreamStore>;
}

/** Waits for `check` to hold, polling (for lifetimes, which only a clock can move). */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Registers the stream store suite for one store with vitest. */
export function runStreamStoreSuite(target: StreamStoreTarget): void {
  describe(`stream store: ${target.name}`, () => {
    const opened: StreamStore[] = [];
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });
    const open = async () => {
      const store = await target.create();
      opened.push(store);
      return store;
    };
    const user = () => `user-${crypto.randomUUID()}`;
    const frame = (offset: number, text = `f${offset}`) => ({ offset, frame: `{"t":"${text}"}` });

    it("creates an active stream with a random epoch, the init's fields and default bounds", async () => {
      const store = await open();
      const userId = user();
      const meta = await store.create({
        ownerNode: "n1",
        userId,
        scope: "chat-1",
        sessionId: "s1",
      });
      expect(meta).toMatchObject({
        streamId: expect.any(String),
        epoch: expect.any(String),
        ownerNode: "n1",
        userId,
        scope: "chat-1",
        sessionId: "s1",
        state: "active",
        lastOffset: 0,
        bytes: 0,
        retention: { maxFrames: 10_000, maxBytes: 4 * 1024 * 1024 },
      });
      const other = await store.create({ ownerNode: "n1" });
      expect(other.streamId).not.toBe(meta.streamId);
      expect(other.epoch).not.toBe(meta.epoch);
      expect(await store.meta(meta.streamId)).toEqual(meta);
      await expect(store.create({ ownerNode: "" })).rejects.toThrow(/"ownerNode"/);
      await expect(store.create({ ownerNode: "n1", retention: { maxFrames: 0 } })).rejects.toThrow(
        /"maxFrames"/,
      );
    });

    it("appends contiguous offsets and reads what follows an offset, in pages", async () => {
      const store = await open();
      const { streamId } = await store.create({ ownerNode: "n1" });
      for (let offset = 1; offset <= 5; offset++) await store.append(streamId, frame(offset, "é"));
      const all = await store.read(streamId, 0);
      expect(all?.frames.map((f) => f.offset)).toEqual([1, 2, 3, 4, 5]);
      expect(all?.frames[0]).toEqual({ offset: 1, frame: '{"t":"é"}' });
      expect(all?.meta).toMatchObject({ lastOffset: 5, bytes: 5 * 10, state: "active" });
      const page = await store.read(streamId, 2, 2);
      expect(page?.frames.map((f) => f.offset)).toEqual([3, 4]);
      expect((await store.read(streamId, 5))?.frames).toEqual([]);
      expect(await store.read("no-such-stream", 0)).toBeUndefined();
      expect(await store.meta("no-such-stream")).toBeUndefined();
    });

    it("refuses an offset out of sequence and any append after the end", async () => {
      const store = await open();
      const { streamId } = await store.create({ ownerNode: "n1" });
      await expect(store.append(streamId, frame(2))).rejects.toMatchObject({
        code: "INVALID_MESSAGE",
      });
      await store.append(streamId, frame(1));
      await expect(store.append(streamId, frame(1))).rejects.toMatchObject({
        code: "INVALID_MESSAGE",
      });
      await store.end(streamId, frame(2, "end"));
      await expect(store.append(streamId, frame(3))).rejects.toMatchObject({ code: "NOT_FOUND" });
      await expect(store.end(streamId, frame(3))).rejects.toMatchObject({ code: "NOT_FOUND" });
      await expect(store.append("no-such-stream", frame(1))).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
      const read = await store.read(streamId, 0);
      expect(read?.meta.state).toBe("done");
      expect(read?.frames.at(-1)).toEqual({ offset: 2, frame: '{"t":"end"}', terminal: true });
    });

    it("refuses a frame past maxFrames or maxBytes with STREAM_TOO_LARGE, and still takes the terminal", async () => {
      const store = await open();
      const byCount = await store.create({ ownerNode: "n1", retention: { maxFrames: 2 } });
      await store.append(byCount.streamId, frame(1));
      await store.append(byCount.streamId, frame(2));
      await expect(store.append(byCount.streamId, frame(3))).rejects.toMatchObject({
        code: "STREAM_TOO_LARGE",
      });
      await store.end(byCount.streamId, frame(3, "too-large"));
      const read = await store.read(byCount.streamId, 0);
      expect(read?.frames.map((f) => f.frame)).toEqual([
        '{"t":"f1"}',
        '{"t":"f2"}',
        '{"t":"too-large"}',
      ]);

      const byBytes = await store.create({ ownerNode: "n1", retention: { maxBytes: 25 } });
      await store.append(byBytes.streamId, frame(1, "0123456789")); // 17 bytes
      await expect(store.append(byBytes.streamId, frame(2, "01"))).rejects.toMatchObject({
        code: "STREAM_TOO_LARGE",
      });
      expect((await store.meta(byBytes.streamId))?.lastOffset).toBe(1);
    });

    it("follows frames appended after it subscribed, in order, until stopped", async () => {
      const store = await open();
      const { streamId } = await store.create({ ownerNode: "n1" });
      await store.append(streamId, frame(1));
      const seen: number[] = [];
      let terminal = false;
      const stop = await store.follow(streamId, (f) => {
        seen.push(f.offset);
        if (f.terminal) terminal = true;
      });
      for (let offset = 2; offset <= 4; offset++) await store.append(streamId, frame(offset));
      await store.end(streamId, frame(5));
      await eventually(async () => terminal);
      expect(seen).toEqual([2, 3, 4, 5]);
      stop();
    });

    it("finds a scope's newest active stream for its user only, and lists by user and session", async () => {
      const store = await open();
      const [alice, bob] = [user(), user()];
      const first = await store.create({
        ownerNode: "n1",
        userId: alice,
        scope: "c1",
        sessionId: "sa",
      });
      const second = await store.create({ ownerNode: "n1", userId: alice, scope: "c1" });
      await store.create({ ownerNode: "n1", userId: bob, scope: "c2", sessionId: "sa" });
      expect((await store.findActive({ userId: alice, scope: "c1" }))?.streamId).toBe(
        second.streamId,
      );
      expect(await store.findActive({ userId: bob, scope: "c1" })).toBeUndefined();
      await store.end(second.streamId, frame(1));
      expect((await store.findActive({ userId: alice, scope: "c1" }))?.streamId).toBe(
        first.streamId,
      );
      await store.end(first.streamId, frame(1));
      expect(await store.findActive({ userId: alice, scope: "c1" })).toBeUndefined();
      const latest = await store.findActive({ userId: alice, scope: "c1" }, { includeDone: true });
      expect(latest?.streamId).toBe(second.streamId);

      const third = await store.create({ ownerNode: "n1", userId: alice, sessionId: "sa" });
      expect((await store.list({ userId: alice })).map((m) => m.streamId)).toEqual([
        third.streamId,
      ]);
      const withDone = await store.list({ userId: alice, includeDone: true });
      expect(withDone.map((m) => m.streamId).sort()).toEqual(
        [first.streamId, second.streamId, third.streamId].sort(),
      );
      const session = await store.list({ userId: alice, sessionId: "sa", includeDone: true });
      expect(session.map((m) => m.streamId).sort()).toEqual(
        [first.streamId, third.streamId].sort(),
      );
    });

    it("records when a reader last read, for the owner on any instance", async () => {
      const owner = await open();
      const other = await open();
      const { streamId } = await owner.create({ ownerNode: "n1", connectionId: "c1" });
      expect((await owner.meta(streamId))?.readerSeenAt).toBeUndefined();
      const before = Date.now();
      await other.touchReader(streamId);
      expect((await owner.meta(streamId))?.readerSeenAt).toBeGreaterThanOrEqual(before - 1000);
      await other.touchReader("no-such-stream"); // nothing to touch, no error
      expect((await owner.list({ connectionId: "c1" })).map((m) => m.streamId)).toEqual([streamId]);
      expect(await owner.list({ connectionId: "c2" })).toEqual([]);
    });

    it("routes a cancel request to the owner's listener, on any instance of the store", async () => {
      const owner = await open();
      const other = await open();
      const node = `node-${crypto.randomUUID()}`;
      const cancelled: string[] = [];
      const stop = owner.onCancel(node, (streamId) => cancelled.push(streamId));
      const { streamId } = await owner.create({ ownerNode: node });
      // The listener's subscription may still be on its way: ask until it hears one.
      await eventually(async () => (await other.requestCancel(streamId)) && cancelled.length > 0);
      expect(new Set(cancelled)).toEqual(new Set([streamId]));
      expect(await other.requestCancel("no-such-stream")).toBe(false);
      await owner.end(streamId, frame(1));
      expect(await other.requestCancel(streamId)).toBe(false);
      stop();
    });

    it("keeps a finished log for completedTtlMs, then only its meta (expired), then nothing", async () => {
      const store = await open();
      const { streamId } = await store.create({
        ownerNode: "n1",
        retention: { completedTtlMs: 200, metaTtlMs: 1500 },
      });
      await store.append(streamId, frame(1));
      await store.end(streamId, frame(2));
      expect((await store.read(streamId, 0))?.frames).toHaveLength(2);
      await eventually(async () => (await store.meta(streamId))?.state === "expired");
      const read = await store.read(streamId, 0);
      expect(read?.frames).toEqual([]);
      expect(read?.meta).toMatchObject({ state: "expired", lastOffset: 2 });
      await eventually(async () => (await store.meta(streamId)) === undefined);
      expect(await store.read(streamId, 0)).toBeUndefined();
    });

    describe("tail", () => streamTailCases(open));
  });
}
