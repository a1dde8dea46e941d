/**
 * `createMemoryConversationStore()`: conversations in this process's memory — the default of
 * `agent.conversations: true`, and what tests use. Lost on restart; use `@agentsocket/sqlite` or
 * `@agentsocket/postgres` to keep them.
 */
import {
  checkMessagesLimit,
  conversationRecord,
  conversationFromRow,
  expiryOf,
  listPosition,
  messageFromRow,
  messageRecord,
  pageOf,
  resolveConversationStoreOptions,
  type MessageRecord,
} from "./records.ts";
import type { ConversationMessage, ConversationStore, ConversationStoreOptions } from "./store.ts";

interface Entry {
  id: string;
  userId: string;
  title: string | undefined;
  createdAt: number;
  updatedAt: number;
  expiresAt: number | undefined;
  messages: MessageRecord[];
}

/**
 * Creates an in-memory conversation store.
 * @example
 * const server = await createServer(neurolink, {
 *   config: { agent: { conversations: { store: createMemoryConversationStore(), maxHistory: 20 } } },
 * });
 */
export function createMemoryConversationStore(
  options: ConversationStoreOptions = {},
): ConversationStore {
  const { now } = resolveConversationStoreOptions(options);
  const entries = new Map<string, Entry>();

  /** The live entry of `id` owned by `userId`, else `undefined`. */
  const find = (id: string, userId: string) => {
    const entry = entries.get(id);
    if (entry === undefined || entry.userId !== userId) return undefined;
    return entry.expiresAt !== undefined && entry.expiresAt <= now() ? undefined : entry;
  };

  return {
    async create(input) {
      const record = conversationRecord(input, now());
      if (entries.has(record.id)) throw new TypeError(`Conversation "${record.id}" exists`);
      const entry = { ...record, updatedAt: record.createdAt, messages: [] };
      entries.set(entry.id, entry);
      return conversationFromRow(entry);
    },
    async get(id, userId) {
      const entry = find(id, userId);
      return entry && conversationFromRow(entry);
    },
    async list(userId, listOptions) {
      const { limit, after } = listPosition(listOptions);
      const at = now();
      const mine = [...entries.values()]
        .filter((e) => e.userId === userId && (e.expiresAt === undefined || e.expiresAt > at))
        .filter(
          (e) =>
            !after ||
            e.updatedAt < after.updatedAt ||
            (e.updatedAt === after.updatedAt && e.id < after.id),
        )
        .sort((a, b) => b.updatedAt - a.updatedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
      return pageOf(mine.slice(0, limit + 1), limit);
    },
    async append(conversationId, userId, message, appendOptions = {}) {
      const at = now();
      const record = messageRecord(message, at);
      const expiresAt = expiryOf(appendOptions.ttlMs, at);
      const entry = find(conversationId, userId);
      if (entry === undefined) return undefined;
      entry.messages.push(copy(record));
      entry.updatedAt = at;
      if (expiresAt !== undefined) entry.expiresAt = expiresAt;
      return toMessage(record, conversationId);
    },
    async messages(conversationId, userId, messagesOptions = {}) {
      checkMessagesLimit(messagesOptions.limit);
      const entry = find(conversationId, userId);
      if (entry === undefined) return undefined;
      const { limit } = messagesOptions;
      const kept = limit === undefined ? entry.messages : entry.messages.slice(-limit);
      return kept.map((record) => toMessage(record, conversationId));
    },
    async delete(id, userId) {
      if (find(id, userId) === undefined) return false;
      return entries.delete(id);
    },
    async purgeExpired() {
      const at = now();
      let purged = 0;
      for (const [id, entry] of entries) {
        if (entry.expiresAt !== undefined && entry.expiresAt <= at) {
          entries.delete(id);
          purged++;
        }
      }
      return purged;
    },
    async close() {},
  };
}

function toMessage(record: MessageRecord, conversationId: string): ConversationMessage {
  return messageFromRow({ ...copy(record), conversationId });
}

/** A JSON copy: callers cannot change what is stored, and what comes back is what a database would give. */
function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
