/**
 * The agent WebSocket handler's running requests, and their part in a drain (`manager.drain()`):
 * a connection with requests running reports them as its work, and at the deadline they are cut
 * with `SHUTTING_DOWN`, so each stream still ends with its one terminal frame
 * (`error {code:"SHUTTING_DOWN"}`).
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
 * One request of a connection, from its admission to its last frame: what `cancel`, a disconnect
 * and a drain reach it by. A class with its `settled` promise made only when a drain asks: a
 * stream lives for seconds, and the promise, its resolver and the closures around them were held
 * (and copied by the GC) for every stream, though nearly none is ever drained.
 */
export class RunningRequest implements TrackedRequest {
  readonly controller = new AbortController();
  /** Set on a resumable stream: a closing connection detaches it instead of aborting it. */
  detach: (() => void) | undefined;
  #settled: Promise<void> | undefined;
  #settle: (() => void) | undefined;
  #ended = false;

  constructor(
    /** The map it is listed in while it runs. */
    private readonly requests: Map<string, RunningRequest>,
    readonly requestId: string,
    /** Whether it is a stream (they have their own cap). */
    readonly stream: boolean,
    /** The cluster's streams-per-minute answer, when it comes later. */
    readonly admitted: Promise<WebSocketError | undefined> | undefined,
  ) {
    requests.set(requestId, this);
  }

  get settled(): Promise<void> {
    this.#settled ??= this.#ended
      ? Promise.resolve()
      : new Promise<void>((resolve) => (this.#settle = resolve));
    return this.#settled;
  }

  /**
   * It has ended: it is no longer listed, and a drain waiting on it goes on. A function field,
   * so it can be handed on as a callback.
   */
  readonly done = (): void => {
    if (this.#ended) return;
    this.#ended = true;
    this.requests.delete(this.requestId);
    this.#settle?.();
  };
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
