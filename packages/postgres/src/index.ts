/**
 * @agentsocket/postgres — a conversation store in PostgreSQL (`pg`, a peer), for servers that
 * run as several instances: any instance lists and continues any conversation.
 *
 * @example
 * import { createPostgresConversationStore } from "@agentsocket/postgres";
 * const store = createPostgresConversationStore({ connectionString: process.env.DATABASE_URL });
 */
export { createPostgresConversationStore } from "./postgres-store.ts";
export type { PostgresConversationStoreOptions } from "./postgres-store.ts";
export { MIGRATIONS } from "./schema.ts";
