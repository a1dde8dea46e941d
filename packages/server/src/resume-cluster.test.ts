/**
 * Resumable streams across instances on one real redis-server: `createServer` with a Redis broker
 * keeps its stream logs in Redis, so a stream started on A whose connection is cut mid-stream is
 * resumed on B with the whole answer exactly once; `cancel {streamId}` sent to B stops A's model.
 */
import { afterEach, describe, expect, it } from "vitest";
import { within } from "@agentsocket/core/testing";
import { eventually, useCluster } from "./cluster-harness.ts";
import type { Framework } from "./index.ts";
import {
  createWordsBackend,
  isTerminal,
  resume,
  startProxy,
  streamFrames,
  streamUntil,
  textOf,
  wordsText,
  type CuttableProxy,
  type WordsBackend,
} from "./resume-harness.ts";

const harness = useCluster();
let proxy: CuttableProxy | undefined;
// Registered after the cluster's: runs first, before its clients and servers are stopped.
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

let run = 0;
const node = (framework: Framework, backend: WordsBackend, prefix: string) =>
  harness.node(
    framework,
    { prefix },
    { backend, config: { agent: { resume: { graceMs: 20_000 } } } },
  );

const PAIRS: [Framework, Framework][] = [
  ["hono", "express"],
  ["express", "fastify"],
  ["fastify", "hono"],
];

describe.each(PAIRS)("resume across instances: started on %s, resumed on %s", (first, second) => {
  it("a stream cut mid-stream on A is resumed on B: the whole answer, each word once", async () => {
    const prefix = `rc${++run}`;
    const backendA = createWordsBackend(300, 30);
    const a = await node(first, backendA, prefix);
    const b = await node(second, createWordsBackend(1), prefix);
    proxy = await startProxy(a.server.port!);
    const onA = await a.ws("alice", proxy.port);
    const started = await streamUntil(onA, "tell me", 10);
    const streamId = started.streamId as string;
    proxy.cut();
    await eventually(
      () => a.server.websocket.getConnectionCount() === 0,
      "A to notice the drop",
      10_000,
    );
    backendA.release();

    const before = streamFrames(onA, streamId);
    const lastOffset = before.at(-1)!.offset as number;
    const onB = await b.ws("alice");
    const { resumed, frames } = await resume(onB, streamId, lastOffset);
    expect(resumed).toMatchObject({
      recovered: true,
      fromOffset: lastOffset,
      epoch: started.epoch,
    });
    expect(frames.map((f) => f.offset)).toEqual(frames.map((_, i) => lastOffset + 1 + i));
    expect(frames.filter(isTerminal)).toEqual([
      expect.objectContaining({ type: "stream_complete", status: "completed", requestId: "s1" }),
    ]);
    expect(textOf(before) + textOf(frames)).toBe(wordsText(300));

    // Another user on B gets nothing of it.
    const bob = await b.ws("bob");
    const { resumed: refused } = await resume(bob, streamId, 0, "r2");
    expect(refused).toMatchObject({ recovered: false, reason: "forbidden" });
  });

  it("cancel {streamId} sent to B aborts the producer on A", async () => {
    const prefix = `rc${++run}`;
    const backendA = createWordsBackend(0);
    const a = await node(first, backendA, prefix);
    const b = await node(second, createWordsBackend(1), prefix);
    const onA = await a.ws("alice");
    const started = await streamUntil(onA, "forever", 3);
    const onB = await b.ws("alice");
    onB.send({ type: "cancel", payload: { streamId: started.streamId } });
    await within(backendA.aborted, "A's producer to abort", 10_000);
    const end = await onA.frame((f) => f.requestId === "s1" && isTerminal(f), "A's end", 10_000);
    expect(end).toMatchObject({ type: "stream_complete", status: "cancelled" });
  });
});
