/**
 * What every conversation store checks and computes the same way — argument checks, ids,
 * expiry, list cursors — so the memory, SQLite and PostgreSQL stores agree by construction.
 * Public for store authors (`@agentsocket/core/agent`).
 */
import type {
  Conversation,
  ConversationMessage,
  ConversationPage,
  ConversationRole,
  ConversationStoreOptions,
  ListConversationsOptions,
  NewConversation,
  NewConversationMessage,
} from "./store.ts";

/** Page size of `list()` without a `limit`. */
export const DEFAULT_LIST_LIMIT = 20;
/** Largest page `list()` serves. */
export const MAX_LIST_LIMIT = 100;
const ROLES: readonly ConversationRole[] = ["user", "assistant", "system", "tool"];
const MAX_ID = 128;

/** A conversation to insert, checked, with its id and timestamps (ms since the epoch). */
export interface ConversationRecord {
  id: string;
  userId: string;
  title: string | undefined;
  createdAt: number;
  expiresAt: number | undefined;
}

/** A message to insert, checked, with its id and timestamp (ms since the epoch). */
export interface MessageRecord extends NewConversationMessage {
  id: string;
  createdAt: number;
}

/** A decoded list cursor: the position after which the next page starts. */
export interface ListPosition {
  updatedAt: number;
  id: string;
}

/**
 * Checks the options every store takes ({@link ConversationStoreOptions}) and fills in their
 * defaults. A store calls it with its own options, after checking those of its own.
 * @throws {TypeError} naming the bad option.
 * @example
 * const { now } = resolveConversationStoreOptions(options);
 */
export function resolveConversationStoreOptions(
  options: ConversationStoreOptions,
): Required<ConversationStoreOptions> {
  const now = options.now ?? Date.now;
  if (typeof now !== "function") throw new TypeError('The "now" option must be a function');
  return { now };
}

/**
 * Checks `create()`'s argument and fills in the id and timestamps.
 * @throws {TypeError} naming the bad field.
 */
export function conversationRecord(input: NewConversation, now: number): ConversationRecord {
  checkUserId(input?.userId);
  if (input.id !== undefined) checkId(input.id, "id");
  if (input.title !== undefined && typeof input.title !== "string")
    throw new TypeError('The "title" of a conversation must be a string');
  return {
    id: input.id ?? crypto.randomUUID(),
    userId: input.userId,
    title: input.title,
    createdAt: now,
    expiresAt: expiryOf(input.ttlMs, now),
  };
}

/**
 * Checks `append()`'s message and fills in the id and timestamp.
 * @throws {TypeError} naming the bad field.
 */
export function messageRecord(message: NewConversationMessage, now: number): MessageRecord {
  if (!ROLES.includes(message?.role))
    throw new TypeError(`The "role" of a message must be one of ${ROLES.join(", ")}`);
  if (typeof message.content !== "string")
    throw new TypeError('The "content" of a message must be a string');
  if (message.id !== undefined) checkId(message.id, "id");
  if (message.toolCalls !== undefined && !Array.isArray(message.toolCalls))
    throw new TypeError('The "toolCalls" of a message must be an array');
  return { ...message, id: message.id ?? crypto.randomUUID(), createdAt: now };
}

/** `now + ttlMs`, or `undefined` without a TTL. @throws {TypeError} for a bad `ttlMs`. */
export function expiryOf(ttlMs: number | undefined, now: number): number | undefined {
  if (ttlMs === undefined) return undefined;
  if (!Number.isInteger(ttlMs) || ttlMs < 1)
    throw new TypeError('The "ttlMs" option must be a positive integer');
  return now + ttlMs;
}

/** The page size and start of `list()`. @throws {TypeError} for a bad limit or cursor. */
export function listPosition(options: ListConversationsOptions = {}): {
  limit: number;
  after: ListPosition | undefined;
} {
  const limit = options.limit ?? DEFAULT_LIST_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT)
    throw new TypeError(`The "limit" option must be an integer from 1 to ${MAX_LIST_LIMIT}`);
  return { limit, after: options.cursor === undefined ? undefined : decodeCursor(options.cursor) };
}

/** @throws {TypeError} for a `limit` of `messages()` that is not a positive integer. */
export function checkMessagesLimit(limit: number | undefined): void {
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
    throw new TypeError('The "limit" option must be a positive integer');
}

/** The opaque cursor that resumes a list after `position`. */
export function encodeCursor(position: ListPosition): string {
  return Buffer.from(`${position.updatedAt}:${position.id}`).toString("base64url");
}

/** @throws {TypeError} for a string that {@link encodeCursor} did not make. */
export function decodeCursor(cursor: string): ListPosition {
  const text = typeof cursor === "string" ? Buffer.from(cursor, "base64url").toString() : "";
  const match = /^(\d{1,15}):(.{1,128})$/s.exec(text);
  if (!match) throw new TypeError('The "cursor" option is not a cursor from a previous page');
  return { updatedAt: Number(match[1]), id: match[2]! };
}

/** A conversation as a store reads it back; `null` and `undefined` both mean absent. */
export interface ConversationRow {
  id: string;
  userId: string;
  title?: string | null | undefined;
  createdAt: number;
  updatedAt: number;
  expiresAt?: number | null | undefined;
}

/** A message as a store reads it back, JSON fields already parsed; `null` means absent. */
export interface MessageRow {
  id: string;
  conversationId: string;
  role: string;
  content: string;
  toolCalls?: unknown;
  usage?: unknown;
  metadata?: unknown;
  createdAt: number;
}

/** The {@link Conversation} a stored row stands for. */
export function conversationFromRow(row: ConversationRow): Conversation {
  const conversation: Conversation = {
    id: row.id,
    userId: row.userId,
    createdAt: isoTime(row.createdAt),
    updatedAt: isoTime(row.updatedAt),
  };
  if (row.title != null) conversation.title = row.title;
  if (row.expiresAt != null) conversation.expiresAt = isoTime(row.expiresAt);
  return conversation;
}

/** The {@link ConversationMessage} a stored row stands for. */
export function messageFromRow(row: MessageRow): ConversationMessage {
  const message: ConversationMessage = {
    id: row.id,
    conversationId: row.conversationId,
    role: row.role as ConversationRole,
    content: row.content,
    createdAt: isoTime(row.createdAt),
  };
  if (row.toolCalls != null) message.toolCalls = row.toolCalls as ConversationMessage["toolCalls"];
  if (row.usage != null) message.usage = row.usage as ConversationMessage["usage"];
  if (row.metadata != null) message.metadata = row.metadata as ConversationMessage["metadata"];
  return message;
}

/**
 * The page `list()` answers from rows fetched with `LIMIT limit + 1`, newest first: the extra
 * row only says that another page follows.
 */
export function pageOf(rows: readonly ConversationRow[], limit: number): ConversationPage {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    conversations: page.map(conversationFromRow),
    ...(rows.length > limit && last ? { nextCursor: encodeCursor(last) } : {}),
  };
}

/** A JSON column's text for an optional value: `null` when absent. */
export function jsonColumn(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

/** ms since the epoch → ISO 8601. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

function checkUserId(userId: unknown): asserts userId is string {
  if (typeof userId !== "string" || userId === "" || userId.length > 256)
    throw new TypeError('The "userId" of a conversation must be a string of 1-256 characters');
}

function checkId(id: unknown, name: string): void {
  if (typeof id !== "string" || id === "" || id.length > MAX_ID)
    throw new TypeError(`The "${name}" must be a string of 1-${MAX_ID} characters`);
}
