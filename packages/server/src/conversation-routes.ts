/**
 * Conversations over HTTP on the server, with `agent.conversations` on: core's web-standard
 * handlers mounted at `GET {basePath}/conversations`, `GET` and `DELETE {basePath}/conversations/:id`,
 * with the same authentication and origins as `/ws`.
 */
import type { WebSocketConnectionManager } from "@agentsocket/core";
import { createConversationHttpHandler, type AgentService } from "@agentsocket/core/agent";
import type { FetchRoute } from "./routes.ts";

/** The conversation routes under `basePath`; none when `agent` keeps no conversations. */
export function conversationRoutes(
  basePath: string,
  manager: WebSocketConnectionManager,
  agent: AgentService,
): FetchRoute[] {
  if (agent.options.conversations === undefined) return [];
  const conversations = createConversationHttpHandler(agent, { manager });
  const tags = ["conversations"];
  return [
    {
      method: "GET",
      path: `${basePath}/conversations`,
      fetch: conversations.list,
      description: "The caller's conversations, newest first (?limit, ?cursor)",
      tags,
    },
    {
      method: "GET",
      path: `${basePath}/conversations/:id`,
      fetch: conversations.get,
      description: "One conversation with its messages",
      tags,
    },
    {
      method: "DELETE",
      path: `${basePath}/conversations/:id`,
      fetch: conversations.delete,
      description: "Delete a conversation",
      tags,
    },
  ];
}
