/**
 * The conversation store conformance suite: what every `ConversationStore` (memory, SQLite,
 * PostgreSQL, a third party's) must do, run against the real store with a clock the suite moves.
 *
 * @example
 * runConversationStoreSuite({
 *   name: "sqlite",
 *   create: ({ now }) => createSqliteConversationStore({ filename, now }),
 * });
 */
import { afterEach, describe, expect, it } from "vitest";
import type { ConversationStore } from "../agent/conversations/store.ts";

/** A store under test. */
export interface ConversationStoreTarget {
  /** Shown in test names, e.g. "sqlite". */
  name: string;
  /**
   * A store on the target's data with the given clock. Calls may share data (each test uses its
   * own user ids), and a call after another must see what the first one wrote.
   */
  create(options: { now: () => number }): ConversationStore | Promise<ConversationStore>;
}

const T0 = Date.UTC(2026, 0, 1);

/** Registers the conversation store suite for one store with vitest. */
export function runConversationStoreSuite(target: ConversationStoreTarget): void {
  describe(`conversation store: ${target.name}`, () => {
    const opened: ConversationStore[] = [];
    let time = T0;
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });
    const open = async () => {
      time = T0;
      const store = await target.create({ now: () => time });
      opened.push(store);
      return store;
    };
    const user = () => `user-${crypto.randomUUID()}`;

    it("creates, gets, and hides a conversation from every other user", async () => {
      const store = await open();
      const [alice, bob] = [user(), user()];
      const made = await store.create({ userId: alice, title: "Hello ✓" });
      expect(made).toEqual({
        id: expect.any(String),
        userId: alice,
        title: "Hello ✓",
        createdAt: new Date(T0).toISOString(),
        updatedAt: new Date(T0).toISOString(),
      });
      expect(await store.get(made.id, alice)).toEqual(made);
      expect(await store.get(made.id, bob)).toBeUndefined();
      expect(await store.get("no-such-id", alice)).toBeUndefined();
      expect(await store.messages(made.id, bob)).toBeUndefined();
      expect(await store.append(made.id, bob, { role: "user", content: "x" })).toBeUndefined();
      expect(await store.delete(made.id, bob)).toBe(false);
      expect((await store.list(bob)).conversations).toEqual([]);
      expect(await store.messages(made.id, alice)).toEqual([]);
    });

    it("keeps messages in order with every field, and bumps updatedAt", async () => {
      const store = await open();
      const alice = user();
      const { id } = await store.create({ userId: alice, id: `c-${crypto.randomUUID()}` });
      time += 5;
      const question = await store.append(id, alice, { role: "user", content: "2+2? 🦊" });
      const answer = await store.append(id, alice, {
        id: "answer-1",
        role: "assistant",
        content: "4",
        toolCalls: [{ toolCallId: "t1", toolName: "calculator", args: { a: 2 }, result: 4 }],
        usage: { input: 3, output: 1, total: 4 },
        metadata: { status: "completed", finishReason: "stop" },
      });
      await store.append(id, alice, { role: "assistant", content: "" });
      expect(question).toEqual({
        id: expect.any(String),
        conversationId: id,
        role: "user",
        content: "2+2? 🦊",
        createdAt: new Date(T0 + 5).toISOString(),
      });
      expect(answer?.id).toBe("answer-1");
      const messages = await store.messages(id, alice);
      expect(messages).toEqual([question, answer, expect.objectContaining({ content: "" })]);
      expect(messages![1]!.toolCalls![0]!.result).toBe(4);
      expect((await store.get(id, alice))?.updatedAt).toBe(new Date(T0 + 5).toISOString());
    });

    it("returns only the last messages when asked for a limit", async () => {
      const store = await open();
      const alice = user();
      const { id } = await store.create({ userId: alice });
      for (let i = 1; i <= 5; i++)
        await store.append(id, alice, { role: "user", content: `m${i}` });
      const last = await store.messages(id, alice, { limit: 2 });
      expect(last?.map((m) => m.content)).toEqual(["m4", "m5"]);
      expect((await store.messages(id, alice, { limit: 50 }))?.length).toBe(5);
    });

    it("lists a user's conversations last updated first, page by page", async () => {
      const store = await open();
      const [alice, bob] = [user(), user()];
      const a = await store.create({ userId: alice, title: "a" });
      time += 1;
      const b = await store.create({ userId: alice, title: "b" });
      time += 1;
      const c = await store.create({ userId: alice, title: "c" });
      await store.create({ userId: bob, title: "bob's" });
      time += 1;
      await store.append(a.id, alice, { role: "user", content: "bump" });
      const first = await store.list(alice, { limit: 2 });
      expect(first.conversations.map((x) => x.title)).toEqual(["a", "c"]);
      expect(first.nextCursor).toEqual(expect.any(String));
      const second = await store.list(alice, { limit: 2, cursor: first.nextCursor! });
      expect(second.conversations.map((x) => x.id)).toEqual([b.id]);
      expect(second.nextCursor).toBeUndefined();
      expect((await store.list(alice)).conversations.map((x) => x.id)).toEqual([a.id, c.id, b.id]);
    });

    it("pages through conversations updated in the same millisecond exactly once", async () => {
      const store = await open();
      const alice = user();
      const made = new Set<string>();
      for (let i = 0; i < 5; i++) made.add((await store.create({ userId: alice })).id);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.list(alice, { limit: 2, ...(cursor ? { cursor } : {}) });
        seen.push(...page.conversations.map((c) => c.id));
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      expect(seen.length).toBe(5);
      expect(new Set(seen)).toEqual(made);
    });

    it("deletes a conversation with its messages", async () => {
      const store = await open();
      const alice = user();
      const id = `c-${crypto.randomUUID()}`;
      await store.create({ userId: alice, id });
      await store.append(id, alice, { role: "user", content: "forget me" });
      expect(await store.delete(id, alice)).toBe(true);
      expect(await store.get(id, alice)).toBeUndefined();
      expect(await store.messages(id, alice)).toBeUndefined();
      expect((await store.list(alice)).conversations).toEqual([]);
      expect(await store.delete(id, alice)).toBe(false);
      // The same id again starts empty: the messages went with the conversation.
      await store.create({ userId: alice, id });
      expect(await store.messages(id, alice)).toEqual([]);
    });

    it("expires a conversation after its TTL, renewed by each append", async () => {
      const store = await open();
      const alice = user();
      const { id, expiresAt } = await store.create({ userId: alice, ttlMs: 1000 });
      const forever = await store.create({ userId: alice });
      expect(expiresAt).toBe(new Date(T0 + 1000).toISOString());
      time = T0 + 500;
      await store.append(id, alice, { role: "user", content: "still here" }, { ttlMs: 1000 });
      time = T0 + 1499;
      expect((await store.get(id, alice))?.expiresAt).toBe(new Date(T0 + 1500).toISOString());
      time = T0 + 1500;
      expect(await store.get(id, alice)).toBeUndefined();
      expect(await store.messages(id, alice)).toBeUndefined();
      expect(await store.append(id, alice, { role: "user", content: "late" })).toBeUndefined();
      expect((await store.list(alice)).conversations.map((c) => c.id)).toEqual([forever.id]);
      expect(await store.purgeExpired()).toBeGreaterThanOrEqual(1);
      expect(await store.get(forever.id, alice)).toBeDefined();
    });

    it("keeps every one of many concurrent appends", async () => {
      const store = await open();
      const alice = user();
      const { id } = await store.create({ userId: alice });
      const appended = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.append(id, alice, { role: "user", content: `${i}` }),
        ),
      );
      const stored = await store.messages(id, alice);
      expect(new Set(stored?.map((m) => m.id))).toEqual(new Set(appended.map((m) => m?.id)));
      expect(stored?.length).toBe(20);
    });

    it("refuses bad arguments with a TypeError naming them", async () => {
      const store = await open();
      const alice = user();
      const { id } = await store.create({ userId: alice });
      await expect(store.create({ userId: "" })).rejects.toThrow(/"userId"/);
      await expect(store.create({ userId: alice, ttlMs: 0 })).rejects.toThrow(/"ttlMs"/);
      await expect(store.create({ userId: alice, id })).rejects.toThrow(/exists/);
      const badRole = { role: "robot", content: "x" } as unknown as { role: "user"; content: "" };
      await expect(store.append(id, alice, badRole)).rejects.toThrow(/"role"/);
      await expect(store.list(alice, { limit: 0 })).rejects.toThrow(/"limit"/);
      await expect(store.list(alice, { limit: 101 })).rejects.toThrow(/"limit"/);
      await expect(store.list(alice, { cursor: "nonsense" })).rejects.toThrow(/"cursor"/);
      await expect(store.messages(id, alice, { limit: -1 })).rejects.toThrow(/"limit"/);
      expect(await store.messages(id, alice)).toEqual([]);
    });

    it("serves what one store wrote to the next store opened on the same data", async () => {
      const first = await open();
      const alice = user();
      const { id } = await first.create({ userId: alice, title: "kept" });
      await first.append(id, alice, { role: "user", content: "remember" });
      await first.close();
      await first.close(); // idempotent
      const second = await open();
      expect((await second.get(id, alice))?.title).toBe("kept");
      expect((await second.messages(id, alice))?.map((m) => m.content)).toEqual(["remember"]);
    });
  });
}
