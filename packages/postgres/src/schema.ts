/**
 * The PostgreSQL schema of conversations and the migrations the store runs itself, recorded in
 * `<schema>.agentsocket_migrations`. They run under a transaction-scoped advisory lock, so any
 * number of processes starting at once on an empty database migrate it exactly once.
 */
import type { Pool } from "pg";

/** Migration `i` is version `i + 1`; `$schema` is the quoted schema name. Never edit a shipped one. */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE $schema.conversations (
     id         text PRIMARY KEY,
     user_id    text NOT NULL,
     title      text,
     created_at timestamptz NOT NULL,
     updated_at timestamptz NOT NULL,
     expires_at timestamptz
   );
   CREATE INDEX conversations_by_user ON $schema.conversations (user_id, updated_at DESC, id DESC);
   CREATE INDEX conversations_by_expiry ON $schema.conversations (expires_at)
     WHERE expires_at IS NOT NULL;
   CREATE TABLE $schema.messages (
     seq             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     id              text NOT NULL UNIQUE,
     conversation_id text NOT NULL REFERENCES $schema.conversations (id) ON DELETE CASCADE,
     role            text NOT NULL CHECK (role IN ('user', 'assistant', 'system', 'tool')),
     content         text NOT NULL,
     tool_calls      jsonb,
     usage           jsonb,
     metadata        jsonb,
     created_at      timestamptz NOT NULL
   );
   CREATE INDEX messages_by_conversation ON $schema.messages (conversation_id, seq);`,
];

/** A schema name the store accepts: a plain identifier, so it can be quoted safely. */
export const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Creates the schema if needed and applies the migrations it lacks, once across processes. */
export async function migrate(pool: Pool, schema: string): Promise<void> {
  const quoted = `"${schema}"`;
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    // Serializes concurrent first uses: CREATE SCHEMA IF NOT EXISTS alone can still collide.
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`agentsocket:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${quoted}.agentsocket_migrations
       (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ version: number | null }>(
      `SELECT max(version) AS version FROM ${quoted}.agentsocket_migrations`,
    );
    const current = rows[0]?.version ?? 0;
    if (current > MIGRATIONS.length) {
      throw new Error(
        `The conversation schema "${schema}" is at version ${current}; this @agentsocket/postgres knows ${MIGRATIONS.length}`,
      );
    }
    for (let version = current + 1; version <= MIGRATIONS.length; version++) {
      await client.query(MIGRATIONS[version - 1]!.replaceAll("$schema", quoted));
      await client.query(`INSERT INTO ${quoted}.agentsocket_migrations (version) VALUES ($1)`, [
        version,
      ]);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
