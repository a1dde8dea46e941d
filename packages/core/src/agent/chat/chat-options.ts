/**
 * Options of `createChatWebSocketHandler`, their defaults and the up-front checks.
 */
import type { AuthenticatedUser } from "../../auth/types.ts";
import { createMemoryStreamStore } from "../../stream-store/memory-stream-store.ts";
import type { StreamRetention, StreamStore } from "../../stream-store/stream-store.ts";

/** What {@link ChatHandlerOptions.onError} is told about a failure. */
export interface ChatErrorContext {
  /** `send`, `resume`, `abort` or `connection`. */
  type: string;
  chatId?: string;
  userId?: string;
  /** The client caused it (an invalid frame or messages, a request over the limit). */
  clientError?: boolean;
}

/** Options of `createChatWebSocketHandler`. */
export interface ChatHandlerOptions {
  /**
   * Largest `send` frame, in bytes. `useChat` sends the whole history every turn, so this is
   * larger than the manager's `maxMessageSize`. A larger `send` gets an `error` frame and the
   * socket stays open; a frame over twice this closes the connection with 1009.
   * @default 4194304 (4 MiB)
   */
  maxRequestBytes?: number;
  /**
   * How long an answer keeps running with no client attached (its sender dropped) before it is
   * aborted upstream: the window in which `resume` can pick it up. @default 30000
   */
  graceMs?: number;
  /**
   * Where answers are kept for `resume`: a shared store (`@agentsocket/redis`) lets a client
   * resume on another instance, and `abort` reach the instance that runs the answer.
   * @default createMemoryStreamStore() (this process)
   */
  streams?: StreamStore;
  /**
   * Bounds and lifetimes of each answer's log (a finished one stays resumable `completedTtlMs`).
   * An answer is one chunk per token, so the frame bound is raised; bytes bound it first.
   * @default { maxFrames: 100000 } over the store's defaults (4 MiB, 10 min active, 5 min done)
   */
  retention?: StreamRetention;
  /** This instance's id in the store (cancel requests are routed by it). @default a random UUID */
  nodeId?: string;
  /**
   * Decides whether a user may use a chat id (e.g. it exists in your database and is theirs).
   * Chats are private to their user either way. @default every id allowed
   */
  authorizeChat?: (
    user: AuthenticatedUser | undefined,
    chatId: string,
  ) => boolean | Promise<boolean>;
  /** The `messageId` of each answer's `start` chunk. @default crypto.randomUUID() */
  generateMessageId?: () => string;
  /** Hears the real errors behind sanitized `error` chunks and frames. Default: `console.error`. */
  onError?: (error: Error, context: ChatErrorContext) => void;
}

/** {@link ChatHandlerOptions} with every default filled in. */
export interface ResolvedChatHandlerOptions extends ChatHandlerOptions {
  retention: StreamRetention;
  maxRequestBytes: number;
  graceMs: number;
  streams: StreamStore;
  nodeId: string;
  generateMessageId: () => string;
}

export const CHAT_DEFAULTS = {
  maxRequestBytes: 4 * 1024 * 1024,
  graceMs: 30_000,
  retention: { maxFrames: 100_000 },
} as const;

function checkInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new TypeError(`The "${name}" option must be an integer >= ${min} (got ${String(value)})`);
  }
}

/** @throws {TypeError} naming the first invalid option. */
export function resolveChatOptions(options: ChatHandlerOptions = {}): ResolvedChatHandlerOptions {
  const resolved: ResolvedChatHandlerOptions = {
    ...options,
    maxRequestBytes: options.maxRequestBytes ?? CHAT_DEFAULTS.maxRequestBytes,
    graceMs: options.graceMs ?? CHAT_DEFAULTS.graceMs,
    retention: { ...CHAT_DEFAULTS.retention, ...options.retention },
    streams: options.streams ?? createMemoryStreamStore(),
    nodeId: options.nodeId ?? crypto.randomUUID(),
    generateMessageId: options.generateMessageId ?? (() => crypto.randomUUID()),
  };
  checkInteger("maxRequestBytes", resolved.maxRequestBytes, 1);
  checkInteger("graceMs", resolved.graceMs, 0);
  for (const name of ["authorizeChat", "generateMessageId", "onError"] as const) {
    if (options[name] !== undefined && typeof options[name] !== "function") {
      throw new TypeError(`The "${name}" option must be a function`);
    }
  }
  const { streams } = resolved;
  if (typeof streams?.append !== "function" || typeof streams.findActive !== "function") {
    throw new TypeError('The "streams" option must be a StreamStore');
  }
  if (typeof resolved.nodeId !== "string" || resolved.nodeId === "") {
    throw new TypeError('The "nodeId" option must be a non-empty string');
  }
  return resolved;
}
