/**
 * The agent over HTTP on the server: core's web-standard handler mounted at
 * `POST {basePath}/agent/generate` (JSON) and `POST {basePath}/agent/stream` (Server-Sent Events).
 */
import type { WebSocketConnectionManager } from "@agentsocket/core";
import { createAgentHttpHandler, type AgentService } from "@agentsocket/core/agent";
import type { FetchRoute } from "./routes.ts";

export function agentRoutes(
  basePath: string,
  manager: WebSocketConnectionManager,
  agent: AgentService,
): FetchRoute[] {
  const http = createAgentHttpHandler(agent, { manager });
  return [
    {
      method: "POST",
      path: `${basePath}/agent/generate`,
      fetch: http.generate,
      description: "Generate a response (JSON)",
      tags: ["agent"],
    },
    {
      method: "POST",
      path: `${basePath}/agent/stream`,
      fetch: http.stream,
      description: "Stream a response (Server-Sent Events)",
      tags: ["agent"],
    },
  ];
}
