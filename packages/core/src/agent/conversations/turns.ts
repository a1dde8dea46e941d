/**
 * Conversations on the agent protocol: `agent.conversations` resolved, and one turn of a
 * conversation — the user's message stored before the model is called, the history handed to
 * the backend (bounded by `maxHistory`), the answer (or what was produced before a cancel or a
 * failure) stored after, under the `messageId` announced in `stream_start`.
 */
import { WebSocketError } from "../../errors.ts";
import type { AgentConversationMessage, TokenUsage } from "../backend.ts";
import { createMemoryConversationStore } from "./memory-store.ts";
import type { ConversationMessage, ConversationStore, ConversationToolCall } from "./store.ts";

/** The object form of `agent.conversations`. */
export interface AgentConversationOptions {
  /** Where conversations live: `createMemoryConversationStore()`, SQLite, PostgreSQL… */
  store: ConversationStore;
  /** The most earlier messages handed to the backend with each turn. @default 50 */
  maxHistory?: number;
  /** A conversation untouched this long (ms) expires. @default undefined (never) */
  ttlMs?: number;
}

/** `agent.conversations`: `true` keeps them in memory; `false`/absent: every request stands alone. */
export type AgentConversationsOption = boolean | AgentConversationOptions;

/** {@link AgentConversationOptions} with the defaults filled in. */
export interface ResolvedConversationOptions extends AgentConversationOptions {
  maxHistory: number;
}

/** Whose conversations a request may touch when the connection carries no user. */
export const ANONYMOUS_USER = "anonymous";
const DEFAULTS = { maxHistory: 50 };
const TITLE_LENGTH = 80;
const PURGE_EVERY_MS = 60_000;

/**
 * Resolves `agent.conversations`.
 * @throws {TypeError} naming `conversations.store`, `conversations.maxHistory` or `conversations.ttlMs`.
 */
export function resolveConversations(
  option: AgentConversationsOption | undefined,
): ResolvedConversationOptions | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === true) return { store: createMemoryConversationStore(), ...DEFAULTS };
  const store = option?.store;
  const methods = ["create", "get", "append", "messages", "list", "delete"] as const;
  if (
    typeof store !== "object" ||
    store === null ||
    methods.some((m) => typeof store[m] !== "function")
  )
    throw new TypeError('The "conversations.store" option must be a ConversationStore');
  const maxHistory = option.maxHistory ?? DEFAULTS.maxHistory;
  if (!Number.isInteger(maxHistory) || maxHistory < 0)
    throw new TypeError('The "conversations.maxHistory" option must be an integer >= 0');
  if (option.ttlMs !== undefined && (!Number.isInteger(option.ttlMs) || option.ttlMs < 1))
    throw new TypeError('The "conversations.ttlMs" option must be a positive integer');
  return { ...option, store, maxHistory };
}

/** How an answer ended, as stored in its `metadata.status`. */
export type AnswerStatus = "completed" | "cancelled" | "error";

/** What is known of an answer when it is stored. */
export interface Answer {
  content: string;
  status: AnswerStatus;
  toolCalls?: ConversationToolCall[];
  usage?: TokenUsage;
  metadata?: Record<string, unknown>;
}

/** One turn: the ids to announce, what to add to the backend request, and how to finish it. */
export interface ConversationTurn {
  conversationId: string;
  /** The id the assistant's answer will be stored under. */
  messageId: string;
  /** Merged into the backend request: `conversationMessages`, the earlier turns. */
  request: { conversationMessages: AgentConversationMessage[] };
  /** Stores the answer. Never rejects: a failing store is reported, the client still gets its end. */
  finish(answer: Answer): Promise<void>;
}

/** Starts turns of conversations for the agent service. */
export interface ConversationTurns {
  readonly options: ResolvedConversationOptions;
  /**
   * Opens `conversationId` (or a new conversation) for `userId` and stores the prompt.
   * @throws {WebSocketError} `NOT_FOUND` for an unknown, expired or another user's conversation.
   */
  begin(
    prompt: string,
    conversationId: string | undefined,
    userId: string | undefined,
  ): Promise<ConversationTurn>;
}

/** @param report hears failures of the store while an answer is saved. */
export function createConversationTurns(
  options: ResolvedConversationOptions,
  report: (error: unknown) => void,
): ConversationTurns {
  const { store, maxHistory, ttlMs } = options;
  const ttl = ttlMs === undefined ? {} : { ttlMs };
  let lastPurge = 0;
  const notFound = (id: string) =>
    new WebSocketError(`Conversation "${id}" not found`, { code: "NOT_FOUND" });

  return {
    options,
    async begin(prompt, conversationId, user) {
      const userId = user ?? ANONYMOUS_USER;
      let history: ConversationMessage[] = [];
      let id = conversationId;
      if (id === undefined) {
        ({ id } = await store.create({ userId, title: prompt.slice(0, TITLE_LENGTH), ...ttl }));
        if (ttlMs !== undefined && Date.now() - lastPurge > PURGE_EVERY_MS) {
          lastPurge = Date.now();
          store.purgeExpired().catch(report);
        }
      } else {
        const earlier =
          maxHistory === 0
            ? (await store.get(id, userId)) && []
            : await store.messages(id, userId, { limit: maxHistory });
        if (earlier === undefined) throw notFound(id);
        history = earlier;
      }
      // Stored before the model is called: a crash mid-answer still leaves the question.
      const question = await store.append(id, userId, { role: "user", content: prompt }, ttl);
      if (question === undefined) throw notFound(id);
      const messageId = crypto.randomUUID();
      const conversation = id;
      return {
        conversationId: conversation,
        messageId,
        request: { conversationMessages: toBackendHistory(history) },
        async finish(answer) {
          const { status, metadata, ...rest } = answer;
          try {
            await store.append(
              conversation,
              userId,
              { ...rest, id: messageId, role: "assistant", metadata: { ...metadata, status } },
              ttl,
            );
          } catch (error) {
            report(error);
          }
        },
      };
    },
  };
}

/**
 * Earlier messages in NeuroLink's `conversationMessages` shape. Answers that produced no text
 * (cancelled at once, failed) are left out: providers refuse empty assistant turns.
 */
function toBackendHistory(messages: ConversationMessage[]): AgentConversationMessage[] {
  return messages
    .filter((m) => (m.role === "user" || m.role === "assistant") && m.content !== "")
    .map((m) => ({
      id: m.id,
      role: m.role as AgentConversationMessage["role"],
      content: m.content,
      timestamp: m.createdAt,
    }));
}
