/**
 * The conversation store contract: server-held chat history that belongs to a user. Core ships
 * the interface and an in-memory store; `@agentsocket/sqlite` and `@agentsocket/postgres` ship
 * durable ones, and every store passes the same conformance suite (`@agentsocket/core/testing`).
 *
 * Every read and write is scoped by `userId`: another user's conversation is indistinguishable
 * from one that does not exist, so a caller cannot even learn that an id is taken.
 */
import type { TokenUsage } from "../backend.ts";

/** Who wrote a message. */
export type ConversationRole = "user" | "assistant" | "system" | "tool";

/** A tool call the model made while answering, with its result when one came back. */
export interface ConversationToolCall {
  toolCallId?: string;
  toolName: string;
  args: unknown;
  result?: unknown;
}

/** A conversation, without its messages. Timestamps are ISO 8601 strings (UTC, ms precision). */
export interface Conversation {
  id: string;
  userId: string;
  /** A label for lists, e.g. the start of the first prompt. */
  title?: string;
  createdAt: string;
  /** When the last message was appended (or `createdAt`): lists are ordered by it. */
  updatedAt: string;
  /** When it stops being served; each append pushes it back by the TTL. Absent: never. */
  expiresAt?: string;
}

/** A stored message. */
export interface ConversationMessage {
  id: string;
  conversationId: string;
  role: ConversationRole;
  content: string;
  toolCalls?: ConversationToolCall[];
  usage?: TokenUsage;
  /**
   * Anything else worth keeping: the agent service records `status` (`completed`, `cancelled`,
   * `error`), `finishReason`, `provider` and `model` of an answer.
   */
  metadata?: Record<string, unknown>;
  createdAt: string;
}

/** What {@link ConversationStore.create} takes. */
export interface NewConversation {
  userId: string;
  /** @default a new random UUID */
  id?: string;
  title?: string;
  /** Milliseconds until it expires unless a message is appended. @default undefined (never) */
  ttlMs?: number;
}

/** What {@link ConversationStore.append} takes; the store fills in the rest. */
export interface NewConversationMessage {
  /** @default a new random UUID (the agent service picks it first, to announce it) */
  id?: string;
  role: ConversationRole;
  content: string;
  toolCalls?: ConversationToolCall[];
  usage?: TokenUsage;
  metadata?: Record<string, unknown>;
}

/** Paging of {@link ConversationStore.list}. */
export interface ListConversationsOptions {
  /** Conversations per page, 1–100. @default 20 */
  limit?: number;
  /** The `nextCursor` of the previous page. @default undefined (the newest page) */
  cursor?: string;
}

/** One page of conversations, newest (last updated) first. */
export interface ConversationPage {
  conversations: Conversation[];
  /** Pass it back for the next page; absent on the last page. */
  nextCursor?: string;
}

/** Options of {@link ConversationStore.append}. */
export interface AppendOptions {
  /** Renews the conversation's expiry to now + `ttlMs`. @default undefined (expiry unchanged) */
  ttlMs?: number;
}

/** Options of {@link ConversationStore.messages}. */
export interface MessagesOptions {
  /** Only the last `limit` messages (still oldest first). @default undefined (all) */
  limit?: number;
}

/**
 * Where conversations live. Expired conversations behave as deleted on every call, and
 * `purgeExpired()` removes them for good.
 */
export interface ConversationStore {
  /** Starts a conversation. @throws {TypeError} for a missing `userId` or a bad `ttlMs`. */
  create(conversation: NewConversation): Promise<Conversation>;
  /** The conversation, or `undefined` when it is unknown, expired or another user's. */
  get(id: string, userId: string): Promise<Conversation | undefined>;
  /** The user's conversations, last updated first. @throws {TypeError} for a bad limit or cursor. */
  list(userId: string, options?: ListConversationsOptions): Promise<ConversationPage>;
  /**
   * Adds a message at the end and bumps `updatedAt`. Resolves `undefined`, storing nothing, when
   * the conversation is unknown, expired or another user's.
   * @throws {TypeError} for a message without a known role or string content.
   */
  append(
    conversationId: string,
    userId: string,
    message: NewConversationMessage,
    options?: AppendOptions,
  ): Promise<ConversationMessage | undefined>;
  /** The messages, oldest first, or `undefined` like {@link get}. */
  messages(
    conversationId: string,
    userId: string,
    options?: MessagesOptions,
  ): Promise<ConversationMessage[] | undefined>;
  /** Deletes the conversation and its messages; `false` when there was none to delete. */
  delete(id: string, userId: string): Promise<boolean>;
  /** Deletes every expired conversation; resolves how many. */
  purgeExpired(): Promise<number>;
  /** Releases what the store holds (connections, file handles). Idempotent. */
  close(): Promise<void>;
}

/** Options every store factory accepts. */
export interface ConversationStoreOptions {
  /** The clock, in ms since the epoch; tests pass their own. @default Date.now */
  now?: () => number;
}
