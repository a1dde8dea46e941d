/**
 * @agentsocket/sqlite — a conversation store in one SQLite file (better-sqlite3 12, a peer):
 * the embedded default of `agentsocket serve`, for one process.
 *
 * @example
 * import { createSqliteConversationStore } from "@agentsocket/sqlite";
 * const store = createSqliteConversationStore({ filename: "./agentsocket.db" });
 */
export { createSqliteConversationStore } from "./sqlite-store.ts";
export type { SqliteConversationStoreOptions } from "./sqlite-store.ts";
export { MIGRATIONS } from "./schema.ts";
