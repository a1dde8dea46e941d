/**
 * The agent handler's drain report: nothing for an idle connection; the running requests
 * otherwise, settled once they all are (and the reply turn is over), cut with `SHUTTING_DOWN` at
 * the deadline, and marked detachable when asked.
 */
import { describe, expect, it } from "vitest";
import { WebSocketError } from "../errors.ts";
import { drainRequests, type TrackedRequest } from "./drain-requests.ts";

function request() {
  let settle!: () => void;
  const settled = new Promise<void>((resolve) => (settle = resolve));
  const tracked: TrackedRequest = { controller: new AbortController(), settled };
  return { tracked, settle };
}

describe("drainRequests", () => {
  it("reports nothing for a connection without requests", () => {
    const deadline = new AbortController().signal;
    expect(drainRequests(undefined, deadline)).toBeUndefined();
    expect(drainRequests(new Map(), deadline)).toBeUndefined();
  });

  it("settles once every request has, and cuts them at the deadline", async () => {
    const [a, b] = [request(), request()];
    const deadline = new AbortController();
    const work = drainRequests(
      new Map([
        ["a", a.tracked],
        ["b", b.tracked],
      ]),
      deadline.signal,
    )!;
    expect(work.detachable).toBe(false);
    let done = false;
    void work.done.then(() => (done = true));
    a.settle();
    await Promise.resolve();
    expect(done).toBe(false);
    deadline.abort();
    for (const { tracked } of [a, b]) {
      expect(tracked.controller.signal.reason).toBeInstanceOf(WebSocketError);
      expect((tracked.controller.signal.reason as WebSocketError).code).toBe("SHUTTING_DOWN");
    }
    b.settle();
    await work.done;
    expect(done).toBe(true);
  });

  it("marks resumable work detachable", () => {
    const work = drainRequests(new Map([["a", request().tracked]]), new AbortController().signal, {
      detachable: true,
    });
    expect(work?.detachable).toBe(true);
  });
});
