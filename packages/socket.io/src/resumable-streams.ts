/**
 * Streams that outlive their Socket.IO client (with `agent.resume` on), for `ai:reconnect`: each
 * is written through core's owned-stream log writer — the machinery `/ws`'s `resume` uses — so a
 * client that goes away only detaches it, and a new client of the same user reads it back from
 * the log with `openStreamTail`: every frame once, in order, then live, then the terminal one.
 */
import { randomUUID } from "node:crypto";
import { openStreamTail, type SocketLike } from "@agentsocket/core";
import { OPEN } from "@agentsocket/core/adapter";
import { createOwnedStream, type AgentService, type OwnedStream } from "@agentsocket/core/agent";
import type { FrameWriter } from "@agentsocket/core/streaming";
import type { Socket } from "socket.io";
import { queuedBytes, type StreamEvents, type StreamFrame } from "./event-writer.ts";

/** One stream a client runs or reads, that can move to another client. */
export interface HeldStream {
  /** Its key among the client's streams (`chat`, `ai:<streamId>`). */
  readonly key: string;
  /** Aborts it upstream (`ai:cancel`, `chat:stop`), wherever it is read. */
  readonly controller: AbortController;
  /** Text events its clients were sent so far. */
  readonly delivered: number;
  /** Its client went away: stop sending to it; the stream runs on into its log. */
  release(): void;
  /**
   * Sends the stream to `socket` from its log, leaving out its start and the first `skip` text
   * events (what the client has), until the terminal event or {@link release}. Resolves then.
   */
  moveTo(socket: Socket, userId: string | undefined, skip: number): Promise<void>;
}

/** What `ai:stream`/`chat:start` stream into when resume is on. */
export interface ResumableStreams {
  open(
    socket: Socket,
    userId: string | undefined,
    key: string,
    controller: AbortController,
    events: StreamEvents,
  ): Promise<{ target: FrameWriter; held: HeldStream } | undefined>;
}

/** `undefined` when the agent's `resume` is off. */
export function createResumableStreams(
  agent: AgentService,
  report: (error: unknown) => void,
): ResumableStreams | undefined {
  const settings = agent.options.resume;
  if (settings === undefined) return undefined;
  const { store, graceMs } = settings;
  const bufferSize = agent.options.streaming?.bufferSize ?? 64 * 1024;
  const nodeId = randomUUID();
  const owned = new Map<string, OwnedStream>();
  store.onCancel(nodeId, (streamId) => owned.get(streamId)?.abort());
  const touch = (streamId: string) => void store.touchReader(streamId).catch(report);

  return {
    async open(socket, userId, key, controller, events) {
      let meta;
      try {
        meta = await store.create({
          ownerNode: nodeId,
          connectionId: socket.id,
          retention: settings.retention,
          ...(userId !== undefined ? { userId } : {}),
        });
      } catch (error) {
        report(error); // no log (the store is down): the stream runs as a plain one
        return undefined;
      }
      const { streamId } = meta;
      let delivered = 0;
      let skip = 0;
      let replaying = false;
      // One decoder for the owner's writes and the log's frames: each becomes the seed event.
      const relay = (text: string) => {
        const frame = JSON.parse(text) as StreamFrame;
        if (frame.type === "chunk") {
          if (replaying && delivered < skip) return void delivered++;
          delivered++;
          events.text(typeof frame.content === "string" ? frame.content : "");
        } else if (!(replaying && frame.type === "stream_start")) events.frame(frame);
      };
      const attached: SocketLike = {
        send: relay,
        close: () => void socket.disconnect(true),
        get readyState() {
          // A closing engine drops what is emitted: it must not count as delivered.
          return socket.connected && socket.conn.readyState === "open" ? OPEN : 3;
        },
        get bufferedAmount() {
          const bytes = queuedBytes(socket);
          events.queued?.(bytes);
          return bytes;
        },
      };
      const stream = createOwnedStream(
        settings,
        meta,
        attached,
        controller,
        () => owned.delete(streamId),
        report,
      );
      owned.set(streamId, stream);
      let stop: (() => void) | undefined = () => stream.detach();

      const held: HeldStream = {
        key,
        controller,
        get delivered() {
          return delivered;
        },
        release() {
          stop?.();
          stop = undefined;
        },
        async moveTo(next, nextUserId, texts) {
          held.release();
          [replaying, skip, delivered] = [true, texts, 0];
          events.moveTo?.(next, texts);
          const tail = await openStreamTail(store, streamId, {
            afterOffset: 0,
            authorize: (found) => found.userId === nextUserId,
            deliver: (frame) => {
              if (next.connected) relay(frame.frame);
            },
            congested: () => queuedBytes(next) > bufferSize,
            pageSize: settings.pageSize,
            positionCheckMs: settings.positionCheckMs,
          });
          if (!tail.recovered) return void events.frame(interrupted("expired"));
          if (!next.connected) return tail.stop();
          stop = () => tail.stop();
          touch(streamId);
          // A reader counts as reading: the stream outlives graceMs while it is connected.
          const keepAlive = setInterval(() => touch(streamId), Math.max(1, graceMs / 3));
          keepAlive.unref();
          try {
            const end = await tail.run();
            if ((end === "expired" || end === "interrupted") && next.connected) {
              events.frame(interrupted(end));
            }
          } finally {
            clearInterval(keepAlive);
            touch(streamId); // the grace period of a stream nobody reads counts from now
          }
        },
      };
      return { target: stream, held };
    },
  };
}

function interrupted(end: "expired" | "interrupted"): StreamFrame {
  return {
    type: "error",
    code: "STREAM_INTERRUPTED",
    error:
      end === "expired"
        ? "The stream's log is gone; the answer is incomplete"
        : "The instance running the stream stopped; the answer is incomplete",
  };
}
