/**
 * The stream log contract: where the frames of a resumable stream are kept so that a client that
 * lost its connection can read what it missed, on this instance or (with a shared store such as
 * `@agentsocket/redis`) on another. Core ships the in-memory store for one process.
 *
 * One stream has one writer (the instance that runs it, its *owner*). The writer numbers the
 * frames: `offset` counts every frame of the stream contiguously from 1, the terminal one too, so
 * the writer can stamp a frame's offset into its text before the store has acknowledged it.
 */
import { WebSocketError } from "../errors.ts";

/** `active`: the writer is still appending; `done`: the terminal frame is in; `expired`: the log is gone, only the meta is left. */
export type StreamState = "active" | "done" | "expired";

/** How long and how large one stream's log may grow. Every field is per stream. */
export interface StreamRetention {
  /** Most frames one stream may hold (its terminal frame is always accepted on top). @default 10000 */
  maxFrames?: number;
  /** Most bytes (UTF-8) of frames one stream may hold (its terminal frame is always accepted on top). @default 4194304 */
  maxBytes?: number;
  /** Milliseconds an active stream's log lives after its last append (sliding). @default 600000 */
  activeTtlMs?: number;
  /** Milliseconds a finished stream's log is kept, so late tabs and reloads still replay it. @default 300000 */
  completedTtlMs?: number;
  /**
   * Milliseconds the meta (epoch, last offset, owner) outlives the log, so a late client gets a
   * clear `expired` rather than `not_found`. Counted from the last write. @default 86400000
   */
  metaTtlMs?: number;
}

/** {@link StreamRetention} with every default filled in. */
export type ResolvedStreamRetention = Required<StreamRetention>;

/** The defaults of {@link StreamRetention}. */
export const STREAM_RETENTION_DEFAULTS: ResolvedStreamRetention = Object.freeze({
  maxFrames: 10_000,
  maxBytes: 4 * 1024 * 1024,
  activeTtlMs: 10 * 60_000,
  completedTtlMs: 5 * 60_000,
  metaTtlMs: 24 * 60 * 60_000,
});

/** What a stream is created with. */
export interface StreamInit {
  /** The id to use; a random UUID when absent. */
  streamId?: string;
  /** The node that runs the stream (cancel requests are routed to it). */
  ownerNode: string;
  /** The authenticated user the stream belongs to; only that user may read or cancel it. */
  userId?: string;
  /** An application scope (the AI SDK chat path uses the chat id) for {@link StreamStore.findActive}. */
  scope?: string;
  /** The session the stream was started on (session resume lists a session's streams). */
  sessionId?: string;
  /** The connection the stream was started on. */
  connectionId?: string;
  /** Bounds and lifetimes; missing fields take {@link STREAM_RETENTION_DEFAULTS}. */
  retention?: StreamRetention;
}

/** What a store knows about one stream. */
export interface StreamMeta {
  streamId: string;
  /** Random per stream: a resumer that saw another epoch is reading a different log. */
  epoch: string;
  ownerNode: string;
  userId?: string;
  scope?: string;
  sessionId?: string;
  connectionId?: string;
  state: StreamState;
  /** The offset of the newest frame, 0 before the first. */
  lastOffset: number;
  /** UTF-8 bytes of the frames held (the terminal frame included). */
  bytes: number;
  retention: ResolvedStreamRetention;
  /** When a reader last said it was reading (see {@link StreamStore.touchReader}). */
  readerSeenAt?: number;
  /** Milliseconds since the epoch. */
  createdAt: number;
  updatedAt: number;
}

/** One frame of the log: its text exactly as clients receive it, and its offset. */
export interface StoredFrame {
  offset: number;
  frame: string;
  /** Set on the terminal frame (the last one the stream will ever have). */
  terminal?: true;
}

/** A page of the log. */
export interface StreamRead {
  meta: StreamMeta;
  /** Frames after the requested offset, in order (empty when nothing newer, or when expired). */
  frames: StoredFrame[];
}

/** Who a {@link StreamStore.findActive} or {@link StreamStore.list} is asking about. */
export interface StreamScope {
  /** Only streams of this user (`undefined`: streams without a user). */
  userId?: string;
  scope: string;
}

/** A filter of {@link StreamStore.list}: streams of a user, a session, a connection (all given must match). */
export interface StreamListFilter {
  userId?: string;
  sessionId?: string;
  connectionId?: string;
  /** Include finished streams whose log is still kept. @default false */
  includeDone?: boolean;
}

/**
 * A store of stream logs. Every method may be called concurrently; `append` calls for one stream
 * come from its one writer, in offset order.
 */
export interface StreamStore {
  /**
   * Creates a stream (state `active`, `lastOffset` 0) and resolves with its meta.
   * @throws {TypeError} when `init.ownerNode` is missing or a retention field is invalid.
   */
  create(init: StreamInit): Promise<StreamMeta>;
  /**
   * Appends one frame. `frame.offset` must be `lastOffset + 1`.
   * @throws {WebSocketError} `STREAM_TOO_LARGE` past `maxFrames`/`maxBytes` (nothing is stored;
   *   the writer should `end` the stream with an error), `NOT_FOUND` for an unknown, finished or
   *   expired stream, `INVALID_MESSAGE` for an offset out of sequence.
   */
  append(streamId: string, frame: StoredFrame): Promise<void>;
  /**
   * Appends the terminal frame (always accepted, past the bounds too), marks the stream `done` and
   * shortens its log's lifetime to `completedTtlMs`. Same errors as {@link append}, bar the size.
   */
  end(streamId: string, frame: StoredFrame): Promise<void>;
  /** Frames after `afterOffset` (at most `limit`, default all), or `undefined` when no meta is left. */
  read(streamId: string, afterOffset: number, limit?: number): Promise<StreamRead | undefined>;
  /**
   * Calls `onFrame` with each frame appended from now on, in order. Delivery may have gaps (a shared
   * store's pub/sub can lose messages): readers fill them with {@link read}. Resolves once
   * subscribed, with the function that stops it.
   */
  follow(streamId: string, onFrame: (frame: StoredFrame) => void): Promise<() => void>;
  /** The meta of a stream, or `undefined` once unknown (never created, or past `metaTtlMs`). */
  meta(streamId: string): Promise<StreamMeta | undefined>;
  /**
   * The newest `active` stream of a scope and user, or (with `includeDone`) the newest one whose
   * log is still kept. The AI SDK chat path finds a chat's running answer with it.
   */
  findActive(
    scope: StreamScope,
    options?: { includeDone?: boolean },
  ): Promise<StreamMeta | undefined>;
  /** The streams of a user and/or a session whose log is kept, oldest first. */
  list(filter: StreamListFilter): Promise<StreamMeta[]>;
  /**
   * Asks the stream's owner to stop it (on whichever instance it runs): every
   * {@link onCancel} listener there is called with the id. Resolves `false` when the stream is not
   * active. Authorize the caller (compare `meta.userId`) before calling.
   */
  requestCancel(streamId: string): Promise<boolean>;
  /**
   * Records that a reader is reading the stream now (`meta.readerSeenAt`): resumers call it
   * periodically and when they stop, so the owner, wherever it runs, keeps a stream that is being
   * read and aborts one nobody has read for its grace period.
   */
  touchReader(streamId: string): Promise<void>;
  /**
   * Whether the node `ownerNode` is still alive (it has an {@link onCancel} listener on some
   * instance of the store). Optional: a store of one process has no other owners. Resumers end
   * with `STREAM_INTERRUPTED` when an active stream's owner is gone.
   */
  ownerAlive?(ownerNode: string): Promise<boolean>;
  /** Listens for cancel requests for streams owned by `ownerNode`; returns the function that stops it. */
  onCancel(ownerNode: string, listener: (streamId: string) => void): () => void;
  /** Stops timers and subscriptions; the store cannot be used afterwards. */
  close(): Promise<void>;
}

/**
 * Fills in the defaults of a {@link StreamRetention} into a new object.
 * @throws {TypeError} naming the first field that is not a positive integer.
 */
export function resolveStreamRetention(retention: StreamRetention = {}): ResolvedStreamRetention {
  if (typeof retention !== "object" || retention === null) {
    throw new TypeError('The "retention" option must be an object');
  }
  const resolved = { ...STREAM_RETENTION_DEFAULTS };
  for (const name of Object.keys(STREAM_RETENTION_DEFAULTS) as (keyof StreamRetention)[]) {
    const value = retention[name];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 1) {
      throw new TypeError(`The "${name}" option must be a positive integer`);
    }
    resolved[name] = value;
  }
  return resolved;
}

/** UTF-8 length of a frame, as the size bound counts it. */
export function frameBytes(frame: string): number {
  return Buffer.byteLength(frame, "utf8");
}

/**
 * Checks that a frame may follow `meta` in the log: the writer's contract shared by every store.
 * @throws {WebSocketError} `NOT_FOUND`, `INVALID_MESSAGE` or (unless `terminal`) `STREAM_TOO_LARGE`.
 */
export function checkAppend(
  meta: StreamMeta | undefined,
  frame: StoredFrame,
  bytes: number,
  terminal: boolean,
): asserts meta is StreamMeta {
  if (meta === undefined || meta.state !== "active") {
    throw new WebSocketError("Stream not found or already ended", { code: "NOT_FOUND" });
  }
  if (frame.offset !== meta.lastOffset + 1) {
    throw new WebSocketError(`Frame offset ${frame.offset} does not follow ${meta.lastOffset}`, {
      code: "INVALID_MESSAGE",
    });
  }
  if (terminal) return;
  const { maxFrames, maxBytes } = meta.retention;
  if (meta.lastOffset + 1 > maxFrames || meta.bytes + bytes > maxBytes) {
    throw new WebSocketError(`Stream log full (at most ${maxFrames} frames, ${maxBytes} bytes)`, {
      code: "STREAM_TOO_LARGE",
    });
  }
}
