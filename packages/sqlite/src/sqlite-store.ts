/**
 * `createSqliteConversationStore({ filename })`: conversations in one SQLite file through
 * better-sqlite3 — WAL journal, prepared statements, one transaction per append.
 */
import Database from "better-sqlite3";
import {
  checkMessagesLimit,
  conversationFromRow,
  conversationRecord,
  expiryOf,
  jsonColumn,
  listPosition,
  messageFromRow,
  messageRecord,
  pageOf,
  resolveConversationStoreOptions,
  type ConversationRow,
  type ConversationStore,
  type ConversationStoreOptions,
  type MessageRow,
} from "@agentsocket/core/agent";
import { prepareDatabase } from "./schema.ts";

/** Options of {@link createSqliteConversationStore}. */
export interface SqliteConversationStoreOptions extends ConversationStoreOptions {
  /** The database file, created if missing; `":memory:"` for a private in-memory database. */
  filename: string;
  /**
   * Path of a better-sqlite3 native addon to load instead of the installed one (bundlers,
   * or a build for another Node version). @default undefined (the installed addon)
   */
  nativeBinding?: string;
}

/** A message as selected: the row shape core maps, JSON fields still text. */
interface MessageColumns extends Omit<MessageRow, "toolCalls" | "usage" | "metadata"> {
  toolCalls: string | null;
  usage: string | null;
  metadata: string | null;
}

const CONVERSATION_COLUMNS = "id, user_id, title, created_at, updated_at, expires_at";
const MESSAGE_COLUMNS =
  "id, conversation_id, role, content, tool_calls, usage, metadata, created_at";
// Selected under the names core's row mappers take, so no mapping code is needed here.
const CONVERSATION =
  "id, user_id AS userId, title, created_at AS createdAt, updated_at AS updatedAt, expires_at AS expiresAt";
const MESSAGE =
  "id, conversation_id AS conversationId, role, content, tool_calls AS toolCalls, usage, metadata, created_at AS createdAt";
const LIVE = "(expires_at IS NULL OR expires_at > @now)";

/**
 * Opens (and if needed creates and migrates) a SQLite conversation store.
 * @throws {TypeError} when `filename` is not a non-empty string.
 * @example
 * const store = createSqliteConversationStore({ filename: "./agentsocket.db" });
 * const server = await createServer(neurolink, { config: { agent: { conversations: { store } } } });
 */
export function createSqliteConversationStore(
  options: SqliteConversationStoreOptions,
): ConversationStore {
  const { filename, nativeBinding } = options ?? {};
  if (typeof filename !== "string" || filename === "")
    throw new TypeError('The "filename" option must be a path (or ":memory:")');
  const { now } = resolveConversationStoreOptions(options);
  const db = new Database(filename, nativeBinding === undefined ? {} : { nativeBinding });
  try {
    prepareDatabase(db);
  } catch (error) {
    db.close();
    throw error;
  }

  const statements = {
    insertConversation: db.prepare(
      `INSERT INTO conversations (${CONVERSATION_COLUMNS}) VALUES (@id, @userId, @title, @createdAt, @createdAt, @expiresAt)`,
    ),
    getConversation: db.prepare<Record<string, unknown>, ConversationRow>(
      `SELECT ${CONVERSATION} FROM conversations WHERE id = @id AND user_id = @userId AND ${LIVE}`,
    ),
    firstPage: db.prepare<Record<string, unknown>, ConversationRow>(
      `SELECT ${CONVERSATION} FROM conversations WHERE user_id = @userId AND ${LIVE}
       ORDER BY updated_at DESC, id DESC LIMIT @limit`,
    ),
    nextPage: db.prepare<Record<string, unknown>, ConversationRow>(
      `SELECT ${CONVERSATION} FROM conversations WHERE user_id = @userId AND ${LIVE}
         AND (updated_at < @updatedAt OR (updated_at = @updatedAt AND id < @id))
       ORDER BY updated_at DESC, id DESC LIMIT @limit`,
    ),
    insertMessage: db.prepare(
      `INSERT INTO messages (${MESSAGE_COLUMNS}) VALUES
       (@id, @conversationId, @role, @content, @toolCalls, @usage, @metadata, @createdAt)`,
    ),
    touch: db.prepare(
      `UPDATE conversations SET updated_at = @now, expires_at = COALESCE(@expiresAt, expires_at)
       WHERE id = @id`,
    ),
    allMessages: db.prepare<Record<string, unknown>, MessageColumns>(
      `SELECT ${MESSAGE} FROM messages WHERE conversation_id = @id ORDER BY seq`,
    ),
    lastMessages: db.prepare<Record<string, unknown>, MessageColumns>(
      `SELECT * FROM (SELECT seq, ${MESSAGE} FROM messages WHERE conversation_id = @id
       ORDER BY seq DESC LIMIT @limit) ORDER BY seq`,
    ),
    deleteConversation: db.prepare(
      `DELETE FROM conversations WHERE id = @id AND user_id = @userId AND ${LIVE}`,
    ),
    purge: db.prepare("DELETE FROM conversations WHERE expires_at <= @now"),
  };

  const live = (id: string, userId: string, at: number) =>
    statements.getConversation.get({ id, userId, now: at });

  const append = db.transaction(
    (id: string, userId: string, row: MessageColumns, expiresAt: number | null) => {
      const at = row.createdAt;
      if (live(id, userId, at) === undefined) return false;
      statements.insertMessage.run(row);
      statements.touch.run({ id, now: at, expiresAt });
      return true;
    },
  );

  let closed = false;
  return {
    async create(input) {
      const record = conversationRecord(input, now());
      try {
        statements.insertConversation.run({
          ...record,
          title: record.title ?? null,
          expiresAt: record.expiresAt ?? null,
        });
      } catch (error) {
        if ((error as { code?: string }).code === "SQLITE_CONSTRAINT_PRIMARYKEY")
          throw new Error(`Conversation "${record.id}" exists`, { cause: error });
        throw error;
      }
      return conversationFromRow({ ...record, updatedAt: record.createdAt });
    },
    async get(id, userId) {
      const row = live(id, userId, now());
      return row && conversationFromRow(row);
    },
    async list(userId, listOptions) {
      const { limit, after } = listPosition(listOptions);
      const params = { userId, now: now(), limit: limit + 1, ...after };
      const rows = (after ? statements.nextPage : statements.firstPage).all(params);
      return pageOf(rows, limit);
    },
    async append(conversationId, userId, message, appendOptions = {}) {
      const at = now();
      const record = messageRecord(message, at);
      const expiresAt = expiryOf(appendOptions.ttlMs, at) ?? null;
      const row: MessageColumns = {
        id: record.id,
        conversationId,
        role: record.role,
        content: record.content,
        toolCalls: jsonColumn(record.toolCalls),
        usage: jsonColumn(record.usage),
        metadata: jsonColumn(record.metadata),
        createdAt: at,
      };
      if (!append(conversationId, userId, row, expiresAt)) return undefined;
      return messageFromRow(parseJson(row));
    },
    async messages(conversationId, userId, messagesOptions = {}) {
      const { limit } = messagesOptions;
      checkMessagesLimit(limit);
      if (live(conversationId, userId, now()) === undefined) return undefined;
      const rows =
        limit === undefined
          ? statements.allMessages.all({ id: conversationId })
          : statements.lastMessages.all({ id: conversationId, limit });
      return rows.map((row) => messageFromRow(parseJson(row)));
    },
    async delete(id, userId) {
      return statements.deleteConversation.run({ id, userId, now: now() }).changes > 0;
    },
    async purgeExpired() {
      return statements.purge.run({ now: now() }).changes;
    },
    async close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}

function parseJson(row: MessageColumns): MessageRow {
  return {
    ...row,
    toolCalls: parse(row.toolCalls),
    usage: parse(row.usage),
    metadata: parse(row.metadata),
  };
}

function parse(text: string | null): unknown {
  return text === null ? undefined : JSON.parse(text);
}
