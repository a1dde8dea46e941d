import pg from "pg";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { runConversationStoreSuite } from "@agentsocket/core/testing";
import { createPostgresConversationStore } from "./postgres-store.ts";
import { MIGRATIONS } from "./schema.ts";
import { dropSchemas, freshSchema, TEST_DATABASE_URL } from "./test-database.ts";

const schema = freshSchema("suite");
const raceSchema = freshSchema("race");
const futureSchema = freshSchema("future");
afterAll(() => dropSchemas(schema, raceSchema, futureSchema));

runConversationStoreSuite({
  name: "postgres",
  create: ({ now }) =>
    createPostgresConversationStore({ connectionString: TEST_DATABASE_URL, schema, now }),
});

describe("createPostgresConversationStore", () => {
  const pools: pg.Pool[] = [];
  const stores: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    await Promise.all(pools.splice(0).map((pool) => pool.end()));
  });

  it("takes exactly one of connectionString and pool, and a plain schema name", () => {
    expect(() => createPostgresConversationStore({})).toThrow(/exactly one/);
    const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL });
    pools.push(pool);
    expect(() =>
      createPostgresConversationStore({ connectionString: TEST_DATABASE_URL, pool }),
    ).toThrow(/exactly one/);
    expect(() => createPostgresConversationStore({ pool, schema: 'x"; DROP TABLE y; --' })).toThrow(
      /"schema"/,
    );
  });

  it("names a clock that is not a function", () => {
    const bad = { connectionString: TEST_DATABASE_URL, now: "now" as never };
    expect(() => createPostgresConversationStore(bad)).toThrow(TypeError);
    expect(() => createPostgresConversationStore(bad)).toThrow(/"now" option/);
  });

  it("migrates a new schema once when many stores start on it at the same moment", async () => {
    const many = Array.from({ length: 6 }, () =>
      createPostgresConversationStore({ connectionString: TEST_DATABASE_URL, schema: raceSchema }),
    );
    stores.push(...many);
    const made = await Promise.all(many.map((store, i) => store.create({ userId: `u${i}` })));
    expect(made).toHaveLength(6);
    const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL });
    pools.push(pool);
    const { rows } = await pool.query(
      `SELECT version FROM "${raceSchema}".agentsocket_migrations ORDER BY version`,
    );
    expect(rows.map((row) => row.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it("leaves a pool it was given open on close()", async () => {
    const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL });
    pools.push(pool);
    const store = createPostgresConversationStore({ pool, schema: raceSchema });
    await store.create({ userId: "owner" });
    await store.close();
    expect((await pool.query("SELECT 1 AS one")).rows[0].one).toBe(1);
  });

  it("refuses a schema migrated by a newer version", async () => {
    const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL });
    pools.push(pool);
    await pool.query(`CREATE SCHEMA "${futureSchema}"`);
    await pool.query(
      `CREATE TABLE "${futureSchema}".agentsocket_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    await pool.query(`INSERT INTO "${futureSchema}".agentsocket_migrations VALUES ($1)`, [
      MIGRATIONS.length + 1,
    ]);
    const store = createPostgresConversationStore({ pool, schema: futureSchema });
    await expect(store.list("u")).rejects.toThrow(/version/);
  });
});
