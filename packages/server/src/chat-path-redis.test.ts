/**
 * The chat path across instances on one real redis-server: with a Redis broker, `createServer`
 * keeps chat answers in the broker's stream store, so a `resume` on B replays A's running answer
 * then continues live, a second `send` on B is refused while it runs, another user sees nothing,
 * and an `abort` sent to B stops A's model.
 */
import { describe, expect, it } from "vitest";
import { createTestBackend } from "@agentsocket/core/testing";
import { resumeFrame, sendFrame } from "./chat-frames.ts";
import { FRAMEWORKS, useCluster } from "./cluster-harness.ts";

const harness = useCluster();

let run = 0;

describe.each(FRAMEWORKS)("the chat path on Redis, %s", (framework) => {
  it("resumes A's answer on B, refuses a second send there, hides it from others, aborts across", async () => {
    const prefix = `chat${++run}-${framework}`;
    const backendA = createTestBackend({ tokenDelay: 2 });
    const backendB = createTestBackend({ tokenDelay: 2 });
    const a = await harness.node(framework, { prefix }, { backend: backendA });
    const b = await harness.node(framework, { prefix }, { backend: backendB });

    const onA = await a.chat("alice");
    onA.send(sendFrame("r1", "c", "forever"));
    await onA.frame((f) => f.type === "chunk" && f.sequence === 4, "five chunks on A", 10_000);

    const onB = await b.chat("alice");
    onB.send(resumeFrame("q1", "c", 1));
    await onB.ofType("start", "q1", 10_000);
    await onB.frame(
      (f) => f.type === "chunk" && (f.sequence as number) >= 12,
      "live chunks on B",
      10_000,
    );
    const seen = onB.frames.filter((f) => f.type === "chunk").map((f) => f.sequence as number);
    expect(seen).toEqual(seen.map((_, i) => i + 2));

    onB.send(sendFrame("r2", "c", "hello"));
    expect(await onB.ofType("error", "r2")).toMatchObject({
      errorText: "A response is already active for this chat.",
    });
    expect(backendB.state.requests).toEqual([]);
    const bob = await b.chat("bob");
    bob.send(resumeFrame("q2", "c"));
    await bob.ofType("no-active", "q2", 10_000);

    const aborted = backendA.state.nextAbort();
    onB.send({ type: "abort", requestId: "q1" });
    await aborted;
    await onA.ofType("end", "r1", 10_000);
    await onB.ofType("end", "q1", 10_000);
    expect(onB.frames.filter((f) => f.type === "chunk").at(-1)?.chunk).toEqual({ type: "abort" });
  }, 60_000);
});
