/**
 * One scenario for the chat path on two instances that share a stream store, run by
 * chat-path-cluster.test.ts on an in-memory store and on a real Redis: a resume on B replays A's
 * running answer then continues live, a second `send` on B is refused while it runs, another user
 * sees nothing, and an `abort` sent to B stops A's model.
 */
import { expect } from "vitest";
import type { TestBackend, TestClient } from "@agentsocket/core/testing";
import { resumeFrame, sendFrame } from "./chat-frames.ts";

/** The two instances, as the scenario uses them. */
export interface ChatInstances {
  backendA: TestBackend;
  backendB: TestBackend;
  /** Opens `/chat` on instance A, or B, as `user`. */
  openA(user: string): Promise<TestClient>;
  openB(user: string): Promise<TestClient>;
}

/** Runs the scenario; `timeout` bounds each wait (Redis under load needs more). */
export async function resumeAndAbortAcross(
  { backendA, backendB, openA, openB }: ChatInstances,
  timeout = 10_000,
): Promise<void> {
  const onA = await openA("alice");
  onA.send(sendFrame("r1", "c", "forever"));
  await onA.frame((f) => f.type === "chunk" && f.sequence === 4, "five chunks on A", timeout);

  const onB = await openB("alice");
  onB.send(resumeFrame("q1", "c", 1));
  await onB.ofType("start", "q1", timeout);
  const live = (f: { type: string; sequence?: unknown }) =>
    f.type === "chunk" && (f.sequence as number) >= 12;
  await onB.frame(live, "live chunks on B", timeout);
  const seen = onB.frames.filter((f) => f.type === "chunk").map((f) => f.sequence as number);
  expect(seen).toEqual(seen.map((_, i) => i + 2));

  onB.send(sendFrame("r2", "c", "hello"));
  expect(await onB.ofType("error", "r2", timeout)).toMatchObject({
    errorText: "A response is already active for this chat.",
  });
  expect(backendB.state.requests).toEqual([]);
  const bob = await openB("bob");
  bob.send(resumeFrame("q2", "c"));
  await bob.ofType("no-active", "q2", timeout);

  const aborted = backendA.state.nextAbort();
  onB.send({ type: "abort", requestId: "q1" });
  await aborted;
  await onA.ofType("end", "r1", timeout);
  await onB.ofType("end", "q1", timeout);
  expect(onB.frames.filter((f) => f.type === "chunk").at(-1)?.chunk).toEqual({ type: "abort" });
}
