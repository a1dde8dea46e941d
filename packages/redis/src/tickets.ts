/**
 * WebSocket tickets on Redis, so a ticket issued by one instance is redeemed on any: `SET … PX`
 * to keep it for its lifetime, `GETDEL` to take it — atomic, so two handshakes racing with one
 * ticket cannot both win. Keys hold the ticket's SHA-256, never the ticket itself.
 */
import { createHash } from "node:crypto";
import type { AuthenticatedUser, TicketStore } from "@agentsocket/core";
import type { CommandSender } from "./lua.ts";

/** The key of a ticket: `agentsocket:ticket:<sha256 hex>`. */
export const ticketKey = (prefix: string, ticket: string): string =>
  `${prefix}:ticket:${createHash("sha256").update(ticket).digest("hex")}`;

/** A {@link TicketStore} on the broker's command connection (fails fast while Redis is down). */
export class RedisTicketStore implements TicketStore {
  constructor(
    private readonly redis: CommandSender,
    private readonly prefix: string,
  ) {}

  async put(ticket: string, user: AuthenticatedUser, ttlMs: number): Promise<void> {
    const key = ticketKey(this.prefix, ticket);
    await this.redis.sendCommand(["SET", key, JSON.stringify(user), "PX", String(ttlMs)]);
  }

  async take(ticket: string): Promise<AuthenticatedUser | undefined> {
    const value = await this.redis.sendCommand(["GETDEL", ticketKey(this.prefix, ticket)]);
    if (typeof value !== "string") return undefined;
    try {
      const user = JSON.parse(value) as AuthenticatedUser;
      return typeof user?.id === "string" && user.id !== "" ? user : undefined;
    } catch {
      return undefined;
    }
  }
}
