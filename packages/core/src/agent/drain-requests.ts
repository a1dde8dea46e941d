/**
 * The agent WebSocket handler's part in a drain (`manager.drain()`): a connection with requests
 * running reports them as its work, and at the deadline they are cut with `SHUTTING_DOWN`, so
 * each stream still ends with its one terminal frame (`error {code:"SHUTTING_DOWN"}`).
 */
import type { ConnectionWork } from "../drain.ts";
import { ERRORS, WebSocketError } from "../errors.ts";

/** A running request as the handler tracks it. */
export interface TrackedRequest {
  readonly controller: AbortController;
  /** Settles once the request has ended (its last frame sent). */
  readonly settled: Promise<void>;
}

/**
 * The work of one draining connection: its running requests, or `undefined` when it has none.
 * The handler refuses new requests on a draining connection, so the snapshot is complete.
 * `detachable`: the requests outlive the socket (resumable streams writing into a log that other
 * instances read), so the connection closes at once and its client resumes elsewhere.
 */
export function drainRequests(
  requests: ReadonlyMap<string, TrackedRequest> | undefined,
  deadline: AbortSignal,
  { detachable = false }: { detachable?: boolean } = {},
): ConnectionWork | undefined {
  if (requests === undefined || requests.size === 0) return undefined;
  const running = [...requests.values()];
  const reason = new WebSocketError(ERRORS.SHUTTING_DOWN.message, { code: "SHUTTING_DOWN" });
  const cut = () => {
    for (const request of running) request.controller.abort(reason);
  };
  if (deadline.aborted) cut();
  else deadline.addEventListener("abort", cut, { once: true });
  const done = Promise.all(running.map((request) => request.settled)).then(nextTurn);
  return { done: done.finally(() => deadline.removeEventListener("abort", cut)), detachable };
}

/**
 * A request settles just before its reply goes out: the router sends a `generate`'s `response`
 * frame a few microtasks later, in the same turn. The drain waits for that turn to end.
 */
const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
