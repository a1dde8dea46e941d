/**
 * Streams that outlive their Socket.IO client (with `agent.resume` on), for `ai:reconnect`: each
 * is written through core's owned-stream log writer — the machinery `/ws`'s `resume` uses — so a
 * client that goes away only detaches it, and a new client of the same user reads it back from
 * the log with `openStreamTail`: every frame once, in order, then live, then the terminal one.
 * With a shared store (Redis) the new client may be on another instance: `adopt()` reads the log
 * there, and cancelling reaches the instance that runs the model (`requestCancel`).
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
  /** The id of its log in the stream store. */
  readonly streamId: string;
  /** Aborts it upstream (`ai:cancel`, `chat:stop`), wherever it is read. */
  readonly controller: AbortController;
  /** Text events its clients were sent so far. */
  readonly delivered: number;
  /** When it started (ms since the epoch): `ai:done`'s `duration` counts from it. */
  readonly startedAt: number;
  /** Whether this instance runs it (else it is read from another instance's log). */
  readonly owned: boolean;
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
  /**
   * A stream another instance runs (or one that has ended), read from the shared log into
   * `events` once moved; aborting its controller asks the stream's owner to stop it.
   */
  adopt(key: string, streamId: string, startedAt: number, events: StreamEvents): HeldStream;
  /** Asks the instance that runs `streamId` to stop it (a stream nobody can go on with). */
  cancel(streamId: string): void;
}

/** Turns log frames into `events`, leaving out what a client already has while replaying. */
class Relay {
  delivered = 0;
  skip = 0;
  replaying = false;

  constructor(private readonly events: StreamEvents) {}

  readonly send = (text: string) => {
    const frame = JSON.parse(text) as StreamFrame;
    if (frame.type === "chunk") {
      if (this.replaying && this.delivered < this.skip) return void this.delivered++;
      this.delivered++;
      this.events.text(typeof frame.content === "string" ? frame.content : "");
    } else if (!(this.replaying && frame.type === "stream_start")) this.events.frame(frame);
  };

  /** Replays from the start to `socket`, whose client has `skip` text events. */
  replayTo(socket: Socket, skip: number) {
    [this.replaying, this.skip, this.delivered] = [true, skip, 0];
    this.events.moveTo?.(socket, skip);
  }
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
  const cancel = (streamId: string) => void store.requestCancel(streamId).catch(report);

  /**
   * Reads `streamId`'s log from the start into `relay` for `next`, until the end or `setStop`'s
   * function is called; a log that is gone ends it with `STREAM_INTERRUPTED`.
   */
  const follow = async (
    streamId: string,
    next: Socket,
    userId: string | undefined,
    relay: Relay,
    events: StreamEvents,
    setStop: (stop: () => void) => void,
  ) => {
    const tail = await openStreamTail(store, streamId, {
      afterOffset: 0,
      authorize: (found) => found.userId === userId,
      deliver: (frame) => {
        if (next.connected) relay.send(frame.frame);
      },
      congested: () => queuedBytes(next) > bufferSize,
      pageSize: settings.pageSize,
      positionCheckMs: settings.positionCheckMs,
    });
    if (!tail.recovered) return void events.frame(interrupted("expired"));
    if (!next.connected) return tail.stop();
    setStop(() => tail.stop());
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
  };

  /** A held stream over `relay`; `stop` stops what feeds it now (the owner's relay, a tail). */
  const hold = (
    key: string,
    streamId: string,
    startedAt: number,
    controller: AbortController,
    relay: Relay,
    events: StreamEvents,
    stopFirst: (() => void) | undefined,
  ): HeldStream => {
    let stop = stopFirst;
    const held: HeldStream = {
      key,
      streamId,
      startedAt,
      controller,
      owned: stopFirst !== undefined,
      get delivered() {
        return relay.delivered;
      },
      release() {
        stop?.();
        stop = undefined;
      },
      async moveTo(next, nextUserId, texts) {
        held.release();
        relay.replayTo(next, texts);
        await follow(streamId, next, nextUserId, relay, events, (s) => void (stop = s));
      },
    };
    return held;
  };

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
      // One decoder for the owner's writes and the log's frames: each becomes the seed event.
      const relay = new Relay(events);
      const attached: SocketLike = {
        send: relay.send,
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
      const detach = () => stream.detach();
      const held = hold(key, streamId, meta.createdAt, controller, relay, events, detach);
      return { target: stream, held };
    },
    adopt(key, streamId, startedAt, events) {
      const controller = new AbortController();
      // Authorized already: the record was the user's, and the tail checks the log's user.
      controller.signal.addEventListener("abort", () => cancel(streamId), { once: true });
      return hold(key, streamId, startedAt, controller, new Relay(events), events, undefined);
    },
    cancel,
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
