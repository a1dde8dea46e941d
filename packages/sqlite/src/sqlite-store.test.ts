import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { runConversationStoreSuite } from "@agentsocket/core/testing";
import Database from "better-sqlite3";
import { createSqliteConversationStore } from "./sqlite-store.ts";
import { MIGRATIONS } from "./schema.ts";

const dir = mkdtempSync(join(tmpdir(), "agentsocket-sqlite-"));
const filename = join(dir, "conversations.db");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

runConversationStoreSuite({
  name: "sqlite",
  create: ({ now }) => createSqliteConversationStore({ filename, now }),
});

describe("createSqliteConversationStore", () => {
  const opened: { close(): unknown }[] = [];
  afterEach(async () => {
    for (const handle of opened.splice(0)) await handle.close();
  });

  it("names a missing filename", () => {
    expect(() => createSqliteConversationStore({} as { filename: string })).toThrow(/"filename"/);
  });

  it("names a clock that is not a function", () => {
    const bad = { filename: ":memory:", now: 1 as never };
    expect(() => createSqliteConversationStore(bad)).toThrow(TypeError);
    expect(() => createSqliteConversationStore(bad)).toThrow(/"now" option/);
  });

  it("writes a WAL-journaled file at the migrated schema version", async () => {
    const file = join(dir, "wal.db");
    const store = createSqliteConversationStore({ filename: file });
    opened.push(store);
    await store.create({ userId: "u" });
    const raw = new Database(file, { readonly: true });
    opened.push(raw);
    expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(raw.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length);
  });

  it("opens the same new file from two stores at once and migrates it once", async () => {
    const file = join(dir, "race.db");
    const [a, b] = [
      createSqliteConversationStore({ filename: file }),
      createSqliteConversationStore({ filename: file }),
    ];
    opened.push(a, b);
    const { id } = await a.create({ userId: "u" });
    await b.append(id, "u", { role: "user", content: "from b" });
    expect((await a.messages(id, "u"))?.map((m) => m.content)).toEqual(["from b"]);
  });

  it("refuses a file whose schema is newer than it knows", () => {
    const file = join(dir, "future.db");
    const raw = new Database(file);
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    raw.close();
    expect(() => createSqliteConversationStore({ filename: file })).toThrow(/schema version/);
  });
});
