/**
 * The chat backend contract: what `createChatWebSocketHandler` streams an answer from. Chunks
 * are plain objects shaped as the AI SDK's `UIMessageChunk`, so core needs no dependency on `ai`.
 */
import type { AuthenticatedUser } from "../../auth/types.ts";

/** One `UIMessageChunk` (`start`, `text-delta`, `tool-input-available`, `finish`, …). */
export interface UIChunkLike {
  type: string;
  [key: string]: unknown;
}

/** A UI message as `useChat` sends it: `{ id, role, parts, metadata? }`. */
export interface UIMessageLike {
  id: string;
  role: "system" | "user" | "assistant";
  parts: Array<{ type: string; [key: string]: unknown }>;
  metadata?: unknown;
  [key: string]: unknown;
}

/** What a chat backend is asked to answer: a `send` frame, validated, with who sent it. */
export interface ChatStreamRequest {
  chatId: string;
  trigger: "submit-message" | "regenerate-message";
  messageId: string | undefined;
  /** The whole history the client holds, oldest first; the last is usually the new user turn. */
  messages: UIMessageLike[];
  /** The frame's `body` and `headers` (application data, not handshake headers). */
  body: Record<string, unknown>;
  headers: Record<string, string>;
  metadata: unknown;
  /** The authenticated user of the connection, never from the frame. */
  user?: AuthenticatedUser;
  /** The id the answer's `start` chunk must carry, so a replay replaces the partial message. */
  responseMessageId: string;
  /** Fires on `abort`, on shutdown, and when nobody resumed a dropped answer in time. */
  abortSignal: AbortSignal;
  /** Hears an error the backend turns into an `error` chunk itself (the real one, for logs). */
  reportError: (error: unknown) => void;
}

/** Anything that answers a chat turn with UI message chunks. */
export interface ChatBackend {
  /**
   * Checks the client's messages beyond their shape (`fromAISDK` runs the AI SDK's
   * `safeValidateUIMessages`). Resolves to the messages to use, or throws to refuse them.
   */
  validateMessages?(messages: UIMessageLike[]): Promise<UIMessageLike[]>;
  /** Streams the answer. A throw becomes a sanitized `error` chunk; an abort an `abort` chunk. */
  streamUI(
    request: ChatStreamRequest,
  ): AsyncIterable<UIChunkLike> | Promise<AsyncIterable<UIChunkLike>>;
}

/** Whether `value` has a `streamUI` method. */
export function isChatBackend(value: unknown): value is ChatBackend {
  return typeof (value as { streamUI?: unknown } | null)?.streamUI === "function";
}
