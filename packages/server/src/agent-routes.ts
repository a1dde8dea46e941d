/**
 * The agent over HTTP on the server: core's web-standard handler mounted at
 * `POST {basePath}/agent/generate` (JSON) and `POST {basePath}/agent/stream` (Server-Sent Events).
 */
import type { AgentHttpHandler } from "@agentsocket/core/agent";
import type { FetchRoute } from "./routes.ts";

/** The routes serving `http` (created with the server's manager) under `basePath`. */
export function agentRoutes(basePath: string, http: AgentHttpHandler): FetchRoute[] {
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
