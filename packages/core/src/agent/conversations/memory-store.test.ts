import { expect, it } from "vitest";
import { runConversationStoreSuite } from "../../testing/conversation-store-cases.ts";
import { createMemoryConversationStore } from "./memory-store.ts";

// One store for the whole run: "reopening" it must still see what was written, as with a file.
let clock = () => Date.now();
const shared = createMemoryConversationStore({ now: () => clock() });

runConversationStoreSuite({
  name: "memory",
  create: ({ now }) => {
    clock = now;
    return shared;
  },
});

it("names a clock that is not a function", () => {
  expect(() => createMemoryConversationStore({ now: 1 as never })).toThrow(TypeError);
  expect(() => createMemoryConversationStore({ now: 1 as never })).toThrow(/"now" option/);
});
