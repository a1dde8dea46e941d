/**
 * Attaching one request (a `send` or a `resume`) to an answer in the chat log: replay what is
 * stored after `afterSequence`, then follow live, each chunk once and in order, then `end`.
 */
import type { ChatLogEntry, ChatStreamLog } from "./chat-log.ts";
import { chunkFrame, endFrame, startFrame } from "./chat-protocol.ts";

/** Options of {@link attachToStream}. */
export interface AttachOptions {
  log: ChatStreamLog;
  streamId: string;
  requestId: string;
  /** Send nothing at or before this sequence (-1: everything). */
  afterSequence: number;
  /** Send `start` first (a resume confirms it found an answer). */
  start: boolean;
  /** Sends one frame to the client. */
  send: (frame: string) => void;
  /** Called once when the request stops receiving (after `end`, or on detach). */
  onDetach: () => void;
}

/**
 * Attaches a request to a stream; `onAttached` receives the detach (idempotent) at once, so a
 * client gone during the replay is detached too. Resolves to `false` when the stream has
 * expired (nothing was sent), otherwise to `true` once the replay has been sent.
 */
export async function attachToStream(
  options: AttachOptions,
  onAttached: (detach: () => void) => void,
): Promise<boolean> {
  const { log, streamId, requestId, send } = options;
  let last = options.afterSequence;
  let replaying = true;
  let ended = false;
  let detached = false;
  const buffered: ChatLogEntry[] = [];
  let unfollow = () => {};
  const deliver = (entry: ChatLogEntry) => {
    if (detached || entry.sequence <= last) return;
    last = entry.sequence;
    send(chunkFrame(requestId, entry.sequence, entry.chunk));
  };
  const detach = () => {
    if (detached) return;
    detached = true;
    unfollow();
    options.onDetach();
  };
  const finish = () => {
    if (detached) return;
    send(endFrame(requestId));
    detach();
  };
  onAttached(detach);
  // Follow first, then read: an entry appended in between is in one of the two, never lost.
  unfollow = await log.follow(streamId, {
    entry: (entry) => (replaying ? buffered.push(entry) : deliver(entry)),
    end: () => (replaying ? (ended = true) : finish()),
  });
  if (detached) unfollow();
  const stored = await log.read(streamId, options.afterSequence);
  if (stored === undefined) {
    detach();
    return false;
  }
  if (detached) return true;
  if (options.start) send(startFrame(requestId));
  for (const entry of stored.entries) deliver(entry);
  for (const entry of buffered) deliver(entry);
  replaying = false;
  if (stored.done || ended) finish();
  return true;
}
