/**
 * `createPostgresConversationStore({ connectionString | pool, schema? })`: conversations in
 * PostgreSQL through `pg`, shared by every instance of a cluster. Migrates its schema on first
 * use; each append is one statement (bump the conversation, insert the message) so it is atomic
 * and costs one round trip.
 */
import pg from "pg";
import type { Pool } from "pg";
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
import { migrate, SCHEMA_NAME } from "./schema.ts";

/** Options of {@link createPostgresConversationStore}: exactly one of `connectionString` or `pool`. */
export interface PostgresConversationStoreOptions extends ConversationStoreOptions {
  /** e.g. `postgres://user@host:5432/db`; the store opens a pool and ends it on `close()`. */
  connectionString?: string;
  /** A pool of your own; `close()` leaves it open. */
  pool?: Pool;
  /** The schema holding the tables, created if missing. @default "agentsocket" */
  schema?: string;
}

const DEFAULTS = { schema: "agentsocket" };
const CONVERSATION_COLUMNS = "id, user_id, title, created_at, updated_at, expires_at";
const MESSAGE_COLUMNS =
  "id, conversation_id, role, content, tool_calls, usage, metadata, created_at";
/** A timestamp as ms since the epoch (exact: every stored time came from a JS clock). */
const ms = (column: string, name: string) =>
  `(extract(epoch FROM ${column}) * 1000)::float8 AS "${name}"`;
// Selected under the names core's row mappers take, so no mapping code is needed here.
const CONVERSATION = `id, user_id AS "userId", title, ${ms("created_at", "createdAt")},
  ${ms("updated_at", "updatedAt")}, ${ms("expires_at", "expiresAt")}`;
const MESSAGE = `id, conversation_id AS "conversationId", role, content, tool_calls AS "toolCalls",
  usage, metadata, ${ms("created_at", "createdAt")}`;

/**
 * Creates a PostgreSQL conversation store. Nothing connects until the first call.
 * @throws {TypeError} unless exactly one of `connectionString` and `pool` is given, or for a
 * `schema` that is not a plain identifier.
 * @example
 * const store = createPostgresConversationStore({ connectionString: process.env.DATABASE_URL });
 */
export function createPostgresConversationStore(
  options: PostgresConversationStoreOptions,
): ConversationStore {
  const { connectionString, pool: given } = options ?? {};
  if ((connectionString === undefined) === (given === undefined))
    throw new TypeError('Give exactly one of the "connectionString" and "pool" options');
  if (connectionString !== undefined && (typeof connectionString !== "string" || !connectionString))
    throw new TypeError('The "connectionString" option must be a non-empty string');
  const schema = options.schema ?? DEFAULTS.schema;
  if (typeof schema !== "string" || !SCHEMA_NAME.test(schema))
    throw new TypeError(
      `The "schema" option must be a plain SQL identifier (got ${JSON.stringify(schema)})`,
    );
  const { now } = resolveConversationStoreOptions(options);

  const pool = given ?? new pg.Pool({ connectionString });
  const s = `"${schema}"`;
  let ready: Promise<void> | undefined;
  // A failed migration (database down) is retried by the next call rather than remembered.
  const query = async <R extends object>(text: string, values: unknown[]) => {
    ready ??= migrate(pool, schema).catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    await ready;
    return pool.query<R>(text, values);
  };
  const live = "(expires_at IS NULL OR expires_at > $now)";
  // Every statement that needs the clock takes it as its second parameter.
  const sql = (text: string) => text.replaceAll("$now", "$2");

  const getLive = async (id: string, userId: string, at: number) => {
    const { rows } = await query<ConversationRow>(
      sql(`SELECT ${CONVERSATION} FROM ${s}.conversations
       WHERE user_id = $1 AND ${live} AND id = $3`),
      [userId, new Date(at), id],
    );
    return rows[0];
  };

  let closed = false;
  return {
    async create(input) {
      const record = conversationRecord(input, now());
      const created = new Date(record.createdAt);
      const expires = record.expiresAt === undefined ? null : new Date(record.expiresAt);
      try {
        await query(
          `INSERT INTO ${s}.conversations (${CONVERSATION_COLUMNS}) VALUES ($1, $2, $3, $4, $4, $5)`,
          [record.id, record.userId, record.title ?? null, created, expires],
        );
      } catch (error) {
        if ((error as { code?: string }).code === "23505")
          throw new Error(`Conversation "${record.id}" exists`, { cause: error });
        throw error;
      }
      return conversationFromRow({ ...record, updatedAt: record.createdAt });
    },
    async get(id, userId) {
      const row = await getLive(id, userId, now());
      return row && conversationFromRow(row);
    },
    async list(userId, listOptions) {
      const { limit, after } = listPosition(listOptions);
      const { rows } = await query<ConversationRow>(
        sql(`SELECT ${CONVERSATION} FROM ${s}.conversations
         WHERE user_id = $1 AND ${live}
           AND ($3::timestamptz IS NULL OR (updated_at, id) < ($3::timestamptz, $4::text))
         ORDER BY updated_at DESC, id DESC LIMIT $5`),
        [
          userId,
          new Date(now()),
          after ? new Date(after.updatedAt) : null,
          after?.id ?? null,
          limit + 1,
        ],
      );
      return pageOf(rows, limit);
    },
    async append(conversationId, userId, message, appendOptions = {}) {
      const at = now();
      const record = messageRecord(message, at);
      const expiresAt = expiryOf(appendOptions.ttlMs, at);
      // The UPDATE locks the conversation row: appends to one conversation queue behind each
      // other, and an append racing a delete either lands before it or stores nothing.
      const { rows } = await query<MessageRow>(
        sql(`WITH conversation AS (
           UPDATE ${s}.conversations
              SET updated_at = GREATEST(updated_at, $now), expires_at = COALESCE($3, expires_at)
            WHERE user_id = $1 AND id = $4 AND ${live}
           RETURNING id)
         INSERT INTO ${s}.messages (${MESSAGE_COLUMNS})
         SELECT $5, id, $6, $7, $8::jsonb, $9::jsonb, $10::jsonb, $now FROM conversation
         RETURNING ${MESSAGE}`),
        [
          userId,
          new Date(at),
          expiresAt === undefined ? null : new Date(expiresAt),
          conversationId,
          record.id,
          record.role,
          record.content,
          jsonColumn(record.toolCalls),
          jsonColumn(record.usage),
          jsonColumn(record.metadata),
        ],
      );
      return rows[0] && messageFromRow(rows[0]);
    },
    async messages(conversationId, userId, messagesOptions = {}) {
      const { limit } = messagesOptions;
      checkMessagesLimit(limit);
      if ((await getLive(conversationId, userId, now())) === undefined) return undefined;
      const { rows } = await query<MessageRow>(
        `SELECT ${MESSAGE} FROM (SELECT seq, ${MESSAGE_COLUMNS} FROM ${s}.messages
         WHERE conversation_id = $1 ORDER BY seq DESC LIMIT $2) AS recent ORDER BY seq`,
        [conversationId, limit ?? null],
      );
      return rows.map((row) => messageFromRow(row));
    },
    async delete(id, userId) {
      const { rowCount } = await query(
        sql(`DELETE FROM ${s}.conversations WHERE user_id = $1 AND ${live} AND id = $3`),
        [userId, new Date(now()), id],
      );
      return (rowCount ?? 0) > 0;
    },
    async purgeExpired() {
      const { rowCount } = await query(`DELETE FROM ${s}.conversations WHERE expires_at <= $1`, [
        new Date(now()),
      ]);
      return rowCount ?? 0;
    },
    async close() {
      if (closed) return;
      closed = true;
      if (given === undefined) await pool.end();
    },
  };
}
