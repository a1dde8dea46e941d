/**
 * The conversation store `agentsocket serve` keeps conversations in, chosen by environment
 * variables: PostgreSQL when `DATABASE_URL` is set (in the schema `AGENTSOCKET_DB_SCHEMA`,
 * default `agentsocket`), else a SQLite file (`AGENTSOCKET_DB`,
 * default `./agentsocket.db`). Each driver is imported only when it is used.
 */
import { createMemoryConversationStore, type ConversationStore } from "@agentsocket/core";
import { importPeer, MissingPeerError } from "./import-peer.ts";

/** The store {@link storeFromEnv} opened, and where it is, for humans (credentials left out). */
export interface EnvStore {
  store: ConversationStore;
  /** e.g. `SQLite ./agentsocket.db` or `PostgreSQL db.internal:5432/app`. */
  description: string;
}

/** The SQLite file of `agentsocket serve` without `AGENTSOCKET_DB`. */
export const DEFAULT_DB = "./agentsocket.db";

/**
 * Opens the store the environment asks for. Empty variables count as unset.
 * Without `@agentsocket/sqlite` and `better-sqlite3` installed and no `AGENTSOCKET_DB` asking for a
 * file, conversations are kept in memory (the description says what to install).
 * @throws {MissingPeerError} when the store asked for (PostgreSQL, or `AGENTSOCKET_DB`) is not installed.
 * @throws {TypeError} naming `DATABASE_URL` when it is not a URL, or `AGENTSOCKET_DB_SCHEMA`
 * when it is not a plain identifier.
 * @example
 * const { store, description } = await storeFromEnv(process.env);
 */
export async function storeFromEnv(env: NodeJS.ProcessEnv): Promise<EnvStore> {
  const url = env.DATABASE_URL || undefined;
  if (url !== undefined) {
    if (!URL.canParse(url)) throw new TypeError("DATABASE_URL must be a postgres:// URL");
    const schema = env.AGENTSOCKET_DB_SCHEMA || undefined;
    if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema))
      throw new TypeError(
        `AGENTSOCKET_DB_SCHEMA must be a plain SQL identifier (got ${JSON.stringify(schema)})`,
      );
    const { createPostgresConversationStore } = await importPeer(
      () => import("@agentsocket/postgres"),
      "Conversations in PostgreSQL (DATABASE_URL)",
      ["@agentsocket/postgres", "pg"],
    );
    const { host, pathname } = new URL(url);
    return {
      store: createPostgresConversationStore({
        connectionString: url,
        ...(schema ? { schema } : {}),
      }),
      description: `PostgreSQL ${host}${pathname}`,
    };
  }
  const filename = env.AGENTSOCKET_DB || undefined;
  let sqlite;
  try {
    sqlite = await importPeer(
      () => import("@agentsocket/sqlite"),
      "Conversations in SQLite (the default of agentsocket serve)",
      ["@agentsocket/sqlite", "better-sqlite3"],
    );
  } catch (error) {
    // Asked for a file: say what is missing. Not asked: serve anyway, keeping them in memory.
    if (!(error instanceof MissingPeerError) || filename !== undefined) throw error;
    return {
      store: createMemoryConversationStore(),
      description: `memory (npm install ${error.packages.join(" ")} to keep them in ${DEFAULT_DB})`,
    };
  }
  const file = filename ?? DEFAULT_DB;
  return {
    store: sqlite.createSqliteConversationStore({ filename: file }),
    description: `SQLite ${file}`,
  };
}
