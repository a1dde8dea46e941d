/**
 * Where a chat answer's chunks are kept while it runs and for a while after, so `resume` can
 * replay them then continue live. {@link ChatStreamLog} is the seam: the in-memory log here
 * serves one process; a shared store (the Redis stream log) serves a cluster.
 */
import { unrefTimer } from "../../timers.ts";

/** Whose answer: chats are private to the user who started them. */
export interface ChatScope {
  userId: string;
  chatId: string;
}

/** One stored chunk: `sequence` counts from 0; `chunk` is the chunk's JSON. */
export interface ChatLogEntry {
  sequence: number;
  chunk: string;
}

/** Hears a stream's new entries and its end. */
export interface ChatLogListener {
  entry(entry: ChatLogEntry): void;
  end(): void;
}

/** The log behind `resume`. Every method may be asynchronous (a network store). */
export interface ChatStreamLog {
  /** Starts the log of a new answer; it becomes the scope's current one. */
  create(scope: ChatScope): Promise<string>;
  /** Appends one chunk; resolves to its sequence. */
  append(streamId: string, chunk: string): Promise<number>;
  /** Marks the answer complete (it stays readable for the retention window). */
  end(streamId: string): Promise<void>;
  /** The scope's current answer: running, or finished within the retention window. */
  current(scope: ChatScope): Promise<string | undefined>;
  /** Entries after `afterSequence`, and whether the answer has ended; undefined once expired. */
  read(
    streamId: string,
    afterSequence: number,
  ): Promise<{ entries: ChatLogEntry[]; done: boolean } | undefined>;
  /** Calls `listener` for each entry appended from now on; resolves to the unsubscribe. */
  follow(streamId: string, listener: ChatLogListener): Promise<() => void>;
}

/** Options of {@link createMemoryChatLog}. */
export interface MemoryChatLogOptions {
  /** How long a finished answer stays resumable, in ms. @default 60000 */
  retainMs?: number;
  /** Largest log of one answer, in bytes of chunk JSON; an append past it rejects. @default 16777216 */
  maxBytes?: number;
}

interface Stream {
  scope: string;
  entries: ChatLogEntry[];
  bytes: number;
  done: boolean;
  listeners: Set<ChatLogListener>;
}

const scopeKey = (scope: ChatScope) => `${scope.userId}\u0000${scope.chatId}`;

/**
 * The in-process chat log (the default): one process, nothing shared.
 * @throws {TypeError} for an invalid option.
 */
export function createMemoryChatLog(options: MemoryChatLogOptions = {}): ChatStreamLog {
  const retainMs = options.retainMs ?? 60_000;
  const maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
  if (!Number.isInteger(retainMs) || retainMs < 0) {
    throw new TypeError('The "retainMs" option must be an integer >= 0');
  }
  if (!Number.isInteger(maxBytes) || maxBytes < 1) {
    throw new TypeError('The "maxBytes" option must be a positive integer');
  }
  const streams = new Map<string, Stream>();
  const currentByScope = new Map<string, string>();
  let next = 0;

  const stream = (id: string) => {
    const found = streams.get(id);
    if (found === undefined) throw new Error(`Unknown chat stream ${id}`);
    return found;
  };
  const expire = (id: string) => {
    const found = streams.get(id);
    if (found === undefined) return;
    streams.delete(id);
    if (currentByScope.get(found.scope) === id) currentByScope.delete(found.scope);
  };

  return {
    async create(scope) {
      const id = `chat-${++next}`;
      const key = scopeKey(scope);
      const previous = currentByScope.get(key);
      if (previous !== undefined && streams.get(previous)?.done) expire(previous);
      streams.set(id, { scope: key, entries: [], bytes: 0, done: false, listeners: new Set() });
      currentByScope.set(key, id);
      return id;
    },
    async append(id, chunk) {
      const target = stream(id);
      if (target.bytes + chunk.length > maxBytes) {
        throw new RangeError(`The chat answer is longer than ${maxBytes} bytes`);
      }
      const entry = { sequence: target.entries.length, chunk };
      target.entries.push(entry);
      target.bytes += chunk.length;
      for (const listener of target.listeners) listener.entry(entry);
      return entry.sequence;
    },
    async end(id) {
      const target = streams.get(id);
      if (target === undefined || target.done) return;
      target.done = true;
      for (const listener of target.listeners) listener.end();
      target.listeners.clear();
      unrefTimer(setTimeout(() => expire(id), retainMs));
    },
    async current(scope) {
      return currentByScope.get(scopeKey(scope));
    },
    async read(id, afterSequence) {
      const target = streams.get(id);
      if (target === undefined) return undefined;
      return { entries: target.entries.slice(afterSequence + 1), done: target.done };
    },
    async follow(id, listener) {
      const target = streams.get(id);
      if (target === undefined || target.done) return () => {};
      target.listeners.add(listener);
      return () => target.listeners.delete(listener);
    },
  };
}
