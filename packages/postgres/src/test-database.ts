/**
 * The PostgreSQL the tests use (127.0.0.1:5432, database `test`, or `AGENTSOCKET_TEST_DATABASE_URL`)
 * and a fresh schema per run, dropped afterwards.
 */
import pg from "pg";

export const TEST_DATABASE_URL =
  process.env.AGENTSOCKET_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** A schema name no other run uses. */
export function freshSchema(label: string): string {
  return `agentsocket_${label}_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
}

/** Drops the schemas, with everything in them. */
export async function dropSchemas(...schemas: string[]): Promise<void> {
  const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
  try {
    for (const schema of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await pool.end();
  }
}
