/**
 * `POST {basePath}/auth/websocket` (seed 003): a single-use ticket for `?ticket=` on the upgrade,
 * issued to whoever the request's credentials name. Mounted only when the manager has auth (and
 * tickets are not turned off).
 */
import { createTicketHandler, type WebSocketConnectionManager } from "@agentsocket/core";
import type { FetchRoute } from "./routes.ts";

export function ticketRoutes(basePath: string, manager: WebSocketConnectionManager): FetchRoute[] {
  const { auth, tickets } = manager.config;
  if (auth === undefined || auth.strategy === "none" || tickets === false) return [];
  return [
    {
      method: "POST",
      path: `${basePath}/auth/websocket`,
      fetch: createTicketHandler(manager),
      description:
        "A single-use WebSocket ticket: { ticket, expiresAt } for ?ticket= on the upgrade",
      tags: ["auth"],
    },
  ];
}
