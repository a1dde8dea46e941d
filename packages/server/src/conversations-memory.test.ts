import { describe } from "vitest";
import { createMemoryConversationStore } from "@agentsocket/core";
import { conversationCases } from "./conversation-cases.ts";
import type { Framework } from "./index.ts";

// One store shared by every server of a test file: "a new server on the same store".
const store = createMemoryConversationStore();

describe.each(["hono", "express", "fastify"] as Framework[])(
  "conversations in memory on %s",
  (framework) => {
    conversationCases(framework, () => store);
  },
);
