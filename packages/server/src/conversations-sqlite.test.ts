import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe } from "vitest";
import { createSqliteConversationStore } from "@agentsocket/sqlite";
import { conversationCases } from "./conversation-cases.ts";

const dir = mkdtempSync(join(tmpdir(), "agentsocket-conversations-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const filename = join(dir, "agentsocket.db");

describe("conversations in a SQLite file on hono", () => {
  conversationCases("hono", () => createSqliteConversationStore({ filename }));
});
