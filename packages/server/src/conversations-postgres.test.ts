import pg from "pg";
import { afterAll, describe } from "vitest";
import { createPostgresConversationStore } from "@agentsocket/postgres";
import { conversationCases } from "./conversation-cases.ts";

const connectionString =
  process.env.AGENTSOCKET_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const schema = `agentsocket_server_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
afterAll(async () => {
  const pool = new pg.Pool({ connectionString, max: 1 });
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
});

describe("conversations in PostgreSQL on express", () => {
  conversationCases("express", () => createPostgresConversationStore({ connectionString, schema }));
});
