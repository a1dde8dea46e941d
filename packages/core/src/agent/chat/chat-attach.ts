/**
 * Attaching one request (a `send` or a `resume`) to an answer in the stream store, through
 * `openStreamTail`: every chunk after `afterSequence` exactly once and in order, replayed then
 * live, then `end`. Chunk `sequence` is the log offset minus one (the protocol counts from 0).
 */
import type { StreamMeta, StreamStore } from "../../stream-store/stream-store.ts";
import { openStreamTail } from "../../stream-store/stream-tail.ts";
import { chunkFrame, endFrame, startFrame } from "./chat-protocol.ts";

/** Options of {@link attachToStream}. */
export interface AttachOptions {
  store: StreamStore;
  streamId: string;
  requestId: string;
  /** Send nothing at or before this sequence (-1: everything). */
  afterSequence: number;
  /** Send `start` first (a resume confirms it found an answer). */
  start: boolean;
  /** Whether the stream's owner is the asking user. */
  authorize: (meta: StreamMeta) => boolean;
  /** Sends one frame to the client. */
  send: (frame: string) => void;
  /** Whether the client is backed up (its socket's `bufferedAmount`): the tail waits. */
  congested: () => boolean;
}

/**
 * Attaches a request to a stream. Resolves to `undefined` when it cannot be served (expired, not
 * the user's: nothing was sent), else to `{ stop, done }`: `done` settles once the request has
 * stopped receiving (after `end`, or `stop()`).
 */
export async function attachToStream(
  options: AttachOptions,
): Promise<{ stop: () => void; done: Promise<unknown> } | undefined> {
  const { requestId, send } = options;
  const tail = await openStreamTail(options.store, options.streamId, {
    afterOffset: options.afterSequence + 1,
    authorize: options.authorize,
    congested: options.congested,
    deliver(frame) {
      if (frame.frame !== "") send(chunkFrame(requestId, frame.offset - 1, frame.frame));
      if (frame.terminal) send(endFrame(requestId));
    },
  });
  if (!tail.recovered) return undefined;
  if (options.start) send(startFrame(requestId));
  return { stop: () => tail.stop(), done: tail.run() };
}
