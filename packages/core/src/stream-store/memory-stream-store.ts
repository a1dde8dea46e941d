/**
 * `createMemoryStreamStore()`: the stream log of one process. Logs expire lazily on access and in
 * one unref'd sweep; a cap on retained streams evicts the oldest finished ones first.
 */
import { randomUUID } from "node:crypto";
import { unrefTimer } from "../timers.ts";
import {
  checkAppend,
  frameBytes,
  resolveStreamRetention,
  type StoredFrame,
  type StreamMeta,
  type StreamStore,
} from "./stream-store.ts";

/** Options of {@link createMemoryStreamStore}. */
export interface MemoryStreamStoreOptions {
  /**
   * Most streams (and metas) kept at once; past it the oldest finished or expired ones are dropped.
   * @default 10000
   */
  maxStreams?: number;
  /** Milliseconds between sweeps of expired logs. @default 60000 */
  sweepIntervalMs?: number;
}

const DEFAULTS = { maxStreams: 10_000, sweepIntervalMs: 60_000 };

interface Entry {
  meta: StreamMeta;
  frames: StoredFrame[];
  followers: Set<(frame: StoredFrame) => void>;
  logExpiresAt: number;
  metaExpiresAt: number;
}

/**
 * Creates an in-memory {@link StreamStore} (the default; one process only).
 * @throws {TypeError} naming an option that is not a positive integer.
 * @example
 * const store = createMemoryStreamStore();
 * const { streamId } = await store.create({ ownerNode: "n1", userId: "u1" });
 * await store.append(streamId, { offset: 1, frame: '{"type":"chunk"}' });
 */
export function createMemoryStreamStore(options: MemoryStreamStoreOptions = {}): StreamStore {
  const settings = { ...DEFAULTS };
  for (const name of Object.keys(DEFAULTS) as (keyof MemoryStreamStoreOptions)[]) {
    const value = options[name];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 1) {
      throw new TypeError(`The "${name}" option must be a positive integer`);
    }
    settings[name] = value;
  }
  const entries = new Map<string, Entry>();
  const cancelListeners = new Map<string, Set<(streamId: string) => void>>();
  let closed = false;

  /** The entry of `streamId` after applying its expiry, or undefined. */
  const current = (streamId: string, now = Date.now()): Entry | undefined => {
    const entry = entries.get(streamId);
    if (entry === undefined) return undefined;
    if (now >= entry.metaExpiresAt) {
      entries.delete(streamId);
      return undefined;
    }
    if (now >= entry.logExpiresAt && entry.meta.state !== "expired") {
      entry.meta.state = "expired";
      entry.frames = [];
      entry.meta.bytes = 0;
      entry.followers.clear();
    }
    return entry;
  };

  const touch = (entry: Entry, ttlMs: number, now: number) => {
    entry.meta.updatedAt = now;
    entry.logExpiresAt = now + ttlMs;
    entry.metaExpiresAt = Math.max(entry.logExpiresAt, now + entry.meta.retention.metaTtlMs);
  };

  const sweep = () => {
    const now = Date.now();
    for (const streamId of entries.keys()) current(streamId, now);
  };
  const sweeper = setInterval(sweep, settings.sweepIntervalMs);
  unrefTimer(sweeper);

  const evictForRoom = () => {
    if (entries.size < settings.maxStreams) return;
    for (const [streamId, entry] of entries) {
      if (entry.meta.state !== "active") {
        entries.delete(streamId);
        if (entries.size < settings.maxStreams) return;
      }
    }
  };

  const write = (streamId: string, frame: StoredFrame, terminal: boolean) => {
    const entry = current(streamId);
    const bytes = frameBytes(frame.frame);
    checkAppend(entry?.meta, frame, bytes, terminal);
    const stored: StoredFrame = terminal
      ? { offset: frame.offset, frame: frame.frame, terminal: true }
      : { offset: frame.offset, frame: frame.frame };
    const { meta } = entry!;
    entry!.frames.push(stored);
    meta.lastOffset = stored.offset;
    meta.bytes += bytes;
    if (terminal) meta.state = "done";
    const { activeTtlMs, completedTtlMs } = meta.retention;
    touch(entry!, terminal ? completedTtlMs : activeTtlMs, Date.now());
    for (const follower of [...entry!.followers]) {
      try {
        follower(stored);
      } catch {
        // A reader's failure is its own; the writer and the other readers go on.
      }
    }
    if (terminal) entry!.followers.clear();
  };

  const copy = (meta: StreamMeta): StreamMeta => ({ ...meta });
  const ensureOpen = () => {
    if (closed) throw new Error("The stream store is closed");
  };

  return {
    async create(init) {
      ensureOpen();
      if (typeof init?.ownerNode !== "string" || init.ownerNode === "") {
        throw new TypeError('The "ownerNode" option must be a non-empty string');
      }
      const retention = resolveStreamRetention(init.retention);
      const now = Date.now();
      const streamId = init.streamId ?? randomUUID();
      if (current(streamId, now) !== undefined) {
        throw new TypeError(`The "streamId" ${streamId} is already in use`);
      }
      evictForRoom();
      const meta: StreamMeta = {
        streamId,
        epoch: randomUUID(),
        ownerNode: init.ownerNode,
        state: "active",
        lastOffset: 0,
        bytes: 0,
        retention,
        createdAt: now,
        updatedAt: now,
      };
      for (const key of ["userId", "scope", "sessionId", "connectionId"] as const) {
        if (init[key] !== undefined) meta[key] = init[key];
      }
      const entry: Entry = {
        meta,
        frames: [],
        followers: new Set(),
        logExpiresAt: 0,
        metaExpiresAt: 0,
      };
      touch(entry, retention.activeTtlMs, now);
      entries.set(streamId, entry);
      return copy(meta);
    },

    async append(streamId, frame) {
      ensureOpen();
      write(streamId, frame, false);
    },

    async end(streamId, frame) {
      ensureOpen();
      write(streamId, frame, true);
    },

    async read(streamId, afterOffset, limit = Infinity) {
      const entry = current(streamId);
      if (entry === undefined) return undefined;
      // Offsets are contiguous from 1, so the frame after `afterOffset` sits at that index.
      const start = Math.max(0, afterOffset);
      const frames = entry.frames.slice(start, start + Math.max(0, limit));
      return { meta: copy(entry.meta), frames };
    },

    async follow(streamId, onFrame) {
      const entry = current(streamId);
      if (entry === undefined || entry.meta.state !== "active") return () => {};
      entry.followers.add(onFrame);
      return () => void entry.followers.delete(onFrame);
    },

    async meta(streamId) {
      const entry = current(streamId);
      return entry && copy(entry.meta);
    },

    async findActive({ userId, scope }, { includeDone = false } = {}) {
      let found: StreamMeta | undefined;
      for (const streamId of entries.keys()) {
        const meta = current(streamId)?.meta;
        if (meta === undefined || meta.scope !== scope || meta.userId !== userId) continue;
        if (meta.state === "active" || (includeDone && meta.state === "done")) found = meta;
      }
      return found && copy(found);
    },

    async list({ userId, sessionId, connectionId, includeDone = false }) {
      const found: StreamMeta[] = [];
      for (const streamId of [...entries.keys()]) {
        const meta = current(streamId)?.meta;
        if (meta === undefined) continue;
        if (userId !== undefined && meta.userId !== userId) continue;
        if (sessionId !== undefined && meta.sessionId !== sessionId) continue;
        if (connectionId !== undefined && meta.connectionId !== connectionId) continue;
        if (meta.state === "active" || (includeDone && meta.state === "done"))
          found.push(copy(meta));
      }
      return found;
    },

    async requestCancel(streamId) {
      const meta = current(streamId)?.meta;
      if (meta === undefined || meta.state !== "active") return false;
      for (const listener of [...(cancelListeners.get(meta.ownerNode) ?? [])]) {
        try {
          listener(streamId);
        } catch {
          // The owner's listener failing does not make the request fail.
        }
      }
      return true;
    },

    async touchReader(streamId) {
      const meta = current(streamId)?.meta;
      if (meta !== undefined) meta.readerSeenAt = Date.now();
    },

    onCancel(ownerNode, listener) {
      let listeners = cancelListeners.get(ownerNode);
      if (listeners === undefined) cancelListeners.set(ownerNode, (listeners = new Set()));
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },

    async close() {
      closed = true;
      clearInterval(sweeper);
      for (const entry of entries.values()) entry.followers.clear();
      entries.clear();
      cancelListeners.clear();
    },
  };
}
