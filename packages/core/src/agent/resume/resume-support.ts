/**
 * Resumable streams in the WebSocket agent handler: opening a stream this instance owns, the
 * `resume` and `cancel {streamId}` messages, what a closing connection does to its streams and
 * readers, and the list of a user's or session's streams (for `session {streams}`).
 */
import { randomUUID } from "node:crypto";
import { WebSocketError } from "../../errors.ts";
import type { WebSocketMessageRouter } from "../../message-router.ts";
import { openStreamTail, type StreamTail } from "../../stream-store/stream-tail.ts";
import type { StreamListFilter, StreamMeta, StreamState } from "../../stream-store/stream-store.ts";
import { unrefTimer } from "../../timers.ts";
import { OPEN, type WebSocketConnection } from "../../types.ts";
import { resumeSchema } from "./resume-schemas.ts";
import { createOwnedStream, type OwnedStream } from "./owned-stream.ts";
import type { ResolvedResumeOptions } from "./resume-options.ts";

/** The payload of `resume`. */
export interface ResumePayload {
  streamId: string;
  /** The last offset the client received; 0 replays from the start. */
  offset: number;
  /** The epoch of `stream_start`, when the client kept it. */
  epoch?: string;
}

/** One resumable stream, as `session {streams}` lists it. */
export interface ResumableStreamInfo {
  streamId: string;
  epoch: string;
  lastOffset: number;
  state: StreamState;
}

/** What the WebSocket handler calls when `resume` is on. */
export interface ResumeSupport {
  /** This handler's node id (owner of the streams it runs). */
  readonly nodeId: string;
  /** Creates the log of a new stream started on `connection`; the target to stream into. */
  open(
    connection: WebSocketConnection,
    controller: AbortController,
  ): Promise<OwnedStream | undefined>;
  /** Registers `resume`; `cancel` with a `streamId` goes to {@link cancel}. */
  route(router: WebSocketMessageRouter, maxConcurrentStreams: number): void;
  /** `cancel {streamId}`, or `cancel {requestId}` of a `resume`; `false` when it names neither. */
  cancel(
    connection: WebSocketConnection,
    payload: { requestId?: string; streamId?: string },
  ): Promise<boolean>;
  /** The connection is gone: stop its readers (its own streams detach through their requests). */
  closed(connection: WebSocketConnection): void;
  list(filter: StreamListFilter): Promise<ResumableStreamInfo[]>;
  /** Aborts every stream this handler runs (shutdown) with `reason`. */
  abortAll(reason: WebSocketError): void;
}

/** The session id the session-resume layer puts on a connection, when it does. */
const sessionOf = (connection: WebSocketConnection) => {
  const { sessionId } = connection as { sessionId?: unknown };
  return typeof sessionId === "string" ? sessionId : undefined;
};
const sameUser = (meta: StreamMeta, connection: WebSocketConnection) =>
  meta.userId === connection.user?.id;

export function createResumeSupport(
  settings: ResolvedResumeOptions,
  bufferSize: number,
  report: (error: unknown) => void,
): ResumeSupport {
  const { store, graceMs } = settings;
  const nodeId = randomUUID();
  const owned = new Map<string, OwnedStream>();
  const readers = new WeakMap<
    WebSocketConnection,
    Map<string, { tail: StreamTail; streamId: string }>
  >();
  store.onCancel(nodeId, (streamId) => owned.get(streamId)?.abort());

  const touch = (streamId: string) => store.touchReader(streamId).catch(report);

  const resume = async (
    connection: WebSocketConnection,
    payload: ResumePayload,
    requestId: string,
    send: (frame: Record<string, unknown> & { type: string }) => void,
    maxConcurrentStreams: number,
  ) => {
    const { socket } = connection;
    let mine = readers.get(connection);
    if (mine === undefined) readers.set(connection, (mine = new Map()));
    if (mine.has(requestId))
      throw new WebSocketError(`Request "${requestId}" is already running`, {
        code: "INVALID_MESSAGE",
      });
    if (mine.size >= maxConcurrentStreams) {
      const message = `At most ${maxConcurrentStreams} concurrent streams per connection`;
      throw new WebSocketError(message, { code: "TOO_MANY_STREAMS" });
    }
    const { streamId, offset, epoch } = payload;
    const tail = await openStreamTail(store, streamId, {
      afterOffset: offset,
      ...(epoch !== undefined ? { epoch } : {}),
      authorize: (meta) => sameUser(meta, connection),
      deliver: (frame) => {
        if (socket.readyState === OPEN) socket.send(frame.frame);
      },
      congested: () => socket.readyState === OPEN && socket.bufferedAmount > bufferSize,
      pageSize: settings.pageSize,
      positionCheckMs: settings.positionCheckMs,
    });
    if (!tail.recovered) {
      const seen = tail.meta && tail.reason !== "forbidden" ? tail.meta : undefined;
      send({
        type: "resumed",
        streamId,
        recovered: false,
        reason: tail.reason,
        ...(seen ? { epoch: seen.epoch, lastOffset: seen.lastOffset } : {}),
      });
      return;
    }
    if (socket.readyState !== OPEN) return tail.stop();
    mine.set(requestId, { tail, streamId });
    send({
      type: "resumed",
      streamId,
      recovered: true,
      fromOffset: offset,
      epoch: tail.meta.epoch,
    });
    void touch(streamId);
    const keepAlive = setInterval(() => void touch(streamId), Math.max(1, Math.floor(graceMs / 3)));
    unrefTimer(keepAlive);
    try {
      const end = await tail.run();
      if ((end === "expired" || end === "interrupted") && socket.readyState === OPEN) {
        send({
          type: "error",
          streamId,
          code: "STREAM_INTERRUPTED",
          error:
            end === "expired"
              ? "The stream's log is gone; the answer is incomplete"
              : "The instance running the stream stopped; the answer is incomplete",
        });
      }
    } finally {
      clearInterval(keepAlive);
      mine.delete(requestId);
      // The grace period of a stream nobody reads any more counts from now.
      void touch(streamId);
    }
  };

  return {
    nodeId,

    async open(connection, controller) {
      let meta: StreamMeta;
      try {
        const sessionId = sessionOf(connection);
        meta = await store.create({
          ownerNode: nodeId,
          connectionId: connection.id,
          retention: settings.retention,
          ...(connection.user ? { userId: connection.user.id } : {}),
          ...(sessionId !== undefined ? { sessionId } : {}),
        });
      } catch (error) {
        // No log (the store is down): the stream still runs, as a plain one.
        report(error);
        return undefined;
      }
      const stream = createOwnedStream(
        settings,
        meta,
        connection.socket,
        controller,
        () => owned.delete(meta.streamId),
        report,
      );
      owned.set(meta.streamId, stream);
      return stream;
    },

    route(router, maxConcurrentStreams) {
      router.route(
        "resume",
        (connection, payload, { requestId, send }) =>
          resume(connection, payload, requestId, send, maxConcurrentStreams),
        resumeSchema,
      );
    },

    async cancel(connection, { requestId, streamId }) {
      const id =
        streamId ??
        (requestId !== undefined ? readers.get(connection)?.get(requestId)?.streamId : undefined);
      if (id === undefined) return false;
      const meta = await store.meta(id);
      // Another user's (or an unknown) stream: ignored, exactly like an unknown requestId.
      if (meta !== undefined && sameUser(meta, connection)) await store.requestCancel(id);
      return true;
    },

    closed(connection) {
      for (const { tail } of readers.get(connection)?.values() ?? []) tail.stop();
      readers.delete(connection);
    },

    async list(filter) {
      const metas = await store.list(filter);
      return metas.map(({ streamId, epoch, lastOffset, state }) => ({
        streamId,
        epoch,
        lastOffset,
        state,
      }));
    },

    abortAll(reason) {
      for (const stream of owned.values()) stream.abort(reason);
    },
  };
}
