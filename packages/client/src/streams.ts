/**
 * The client's running streams: their frames routed by `streamId` or `requestId`, what a drop
 * does to each (a resumable one waits to be resumed, any other fails with `CONNECTION_LOST`), and
 * the `resume {streamId, offset}` frames sent after a reconnect.
 */
import type { AgentStream } from "./agent-stream.ts";
import { AgentSocketError } from "./errors.ts";
import type { ServerFrame } from "./link.ts";
import { closedError, type ClientFrame } from "./requests.ts";

interface StreamRecord {
  stream: AgentStream;
  /** The `stream` request, until it is sent. */
  frame: ClientFrame;
  sent: boolean;
  /** Every requestId that names the stream (the request's, then each resume's). */
  ids: string[];
  /** A resume was sent on this connection and not answered `resumed` yet. */
  resuming: boolean;
}

/** @internal */
export class ActiveStreams {
  readonly #records = new Map<AgentStream, StreamRecord>();
  readonly #byRequestId = new Map<string, StreamRecord>();
  readonly #byStreamId = new Map<string, StreamRecord>();
  /** `streamId`s cancelled while disconnected: the next connection sends their `cancel`. */
  readonly #cancels = new Set<string>();
  readonly #send: (frame: ClientFrame) => void;
  readonly #nextId: () => string;

  /** @param send sends a frame on the current connection; @param nextId makes a requestId. */
  constructor(send: (frame: ClientFrame) => void, nextId: () => string) {
    this.#send = send;
    this.#nextId = nextId;
  }

  add(stream: AgentStream, frame: ClientFrame): void {
    const record = { stream, frame, sent: false, ids: [frame.requestId], resuming: false };
    this.#records.set(stream, record);
    this.#byRequestId.set(frame.requestId, record);
  }

  /** The `stream` requests not sent yet. */
  unsent(): Array<{ stream: AgentStream; frame: ClientFrame }> {
    return [...this.#records.values()].filter((record) => !record.sent);
  }

  markSent(stream: AgentStream): void {
    const record = this.#records.get(stream);
    if (record) record.sent = true;
  }

  isSent(stream: AgentStream): boolean {
    return this.#records.get(stream)?.sent ?? false;
  }

  /** Routes a frame to its stream. @returns false when it belongs to no stream. */
  route(frame: ServerFrame): boolean {
    const byStream =
      typeof frame.streamId === "string" ? this.#byStreamId.get(frame.streamId) : undefined;
    const record =
      byStream ??
      (typeof frame.requestId === "string" ? this.#byRequestId.get(frame.requestId) : undefined);
    if (!record) return false;
    const { stream } = record;
    if (typeof frame.offset === "number" && frame.offset > stream.lastOffset + 1) {
      // A gap: never take a frame past a missing one; read what is missing from the log again.
      if (!record.resuming) this.#send(this.#resume(record));
      return true;
    }
    if (frame.type === "resumed") {
      record.resuming = false;
      if (frame.recovered === false) {
        const reason = typeof frame.reason === "string" ? frame.reason : "unknown";
        const message =
          `The server could not resume stream ${stream.streamId} (${reason}): ` +
          `the answer after offset ${stream.lastOffset} is lost`;
        stream.fail(
          new AgentSocketError("RESUME_FAILED", message, { requestId: stream.requestId, reason }),
        );
      }
    } else {
      stream.accept(frame);
      if (stream.streamId !== undefined) this.#byStreamId.set(stream.streamId, record);
    }
    if (stream.done) this.#forget(record);
    return true;
  }

  /** Stops tracking a stream that ended on the client's side (cancelled while disconnected). */
  cancelled(stream: AgentStream): void {
    const record = this.#records.get(stream);
    if (!record) return;
    if (record.sent && stream.streamId !== undefined) this.#cancels.add(stream.streamId);
    stream.end("cancelled");
    this.#forget(record);
  }

  /**
   * The connection dropped. A sent stream with a `streamId` waits for {@link resumeFrames}; any
   * other sent stream fails with `CONNECTION_LOST`; with `final`, every stream fails.
   */
  dropped(final: boolean): void {
    for (const record of [...this.#records.values()]) {
      const { stream } = record;
      if (!record.sent) {
        if (final) stream.fail(closedError(stream.requestId));
      } else if (final || stream.streamId === undefined) {
        const why =
          stream.streamId === undefined
            ? "the server does not resume streams (no streamId in stream_start; turn agent.resume on)"
            : "the client is not reconnecting";
        const message = `The connection dropped mid-stream and ${why}: the rest of the answer is lost`;
        stream.fail(
          new AgentSocketError("CONNECTION_LOST", message, { requestId: stream.requestId }),
        );
      }
      if (stream.done) this.#forget(record);
    }
  }

  /** The frames a new connection sends: pending cancels, then one `resume` per resumable stream. */
  resumeFrames(): ClientFrame[] {
    const frames: ClientFrame[] = [...this.#cancels].map((streamId) => ({
      type: "cancel",
      requestId: this.#nextId(),
      payload: { streamId },
    }));
    this.#cancels.clear();
    for (const record of this.#records.values()) {
      if (record.sent && record.stream.streamId !== undefined) frames.push(this.#resume(record));
    }
    return frames;
  }

  /** `resume {streamId, offset, epoch}` for what follows the last offset the stream took. */
  #resume(record: StreamRecord): ClientFrame {
    const { stream } = record;
    const requestId = this.#nextId();
    record.ids.push(requestId);
    record.resuming = true;
    this.#byRequestId.set(requestId, record);
    const payload = { streamId: stream.streamId, offset: stream.lastOffset };
    return {
      type: "resume",
      requestId,
      payload: stream.epoch ? { ...payload, epoch: stream.epoch } : payload,
    };
  }

  /** Fails every stream (the client was closed). @returns the streams that were running upstream. */
  closeAll(): AgentStream[] {
    const running = [...this.#records.values()]
      .filter((record) => record.sent)
      .map((record) => record.stream);
    for (const record of [...this.#records.values()]) {
      record.stream.fail(closedError(record.stream.requestId));
      this.#forget(record);
    }
    return running;
  }

  #forget(record: StreamRecord): void {
    this.#records.delete(record.stream);
    for (const id of record.ids) this.#byRequestId.delete(id);
    if (record.stream.streamId !== undefined) this.#byStreamId.delete(record.stream.streamId);
  }
}
