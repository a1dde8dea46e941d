/**
 * Conformance for full servers: single-use WebSocket tickets (`POST /api/auth/websocket`, then
 * `?ticket=` on the upgrade) — once and only once, within their lifetime, as the user they were
 * issued to.
 */
import { expect, it } from "vitest";
import type { WebSocketConfig } from "../types.ts";
import { refused, type Harness } from "./harness.ts";

const config = (extra: WebSocketConfig = {}): WebSocketConfig => ({
  auth: { strategy: "bearer", validate: (token) => (token === "mallory" ? null : { id: token }) },
  ...extra,
});

interface TicketReply {
  status: number;
  body: { ticket: string; expiresAt: number } | { error: string; code: string };
}

async function issue(base: string, init: RequestInit): Promise<TicketReply> {
  const response = await fetch(`${base}/api/auth/websocket`, { method: "POST", ...init });
  return { status: response.status, body: (await response.json()) as TicketReply["body"] };
}

/** The ticket of a successful reply. */
const ticketOf = (reply: TicketReply) => {
  if (!("ticket" in reply.body)) throw new Error(`No ticket: ${JSON.stringify(reply)}`);
  return reply.body;
};

export function ticketCases(h: Harness): void {
  it("a ticket opens one connection as its user, and only once; without credentials there is none", async () => {
    const { manager, server, wsUrl } = await h.serve(config());
    const response = await fetch(`${server.url}/api/auth/websocket`, {
      method: "POST",
      headers: { authorization: "Bearer alice" },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const { ticket, expiresAt } = (await response.json()) as { ticket: string; expiresAt: number };
    expect(ticket).toMatch(/^[\w-]{43}$/);
    expect(expiresAt).toBeGreaterThan(Date.now() + 20_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 30_000);

    // The ticket alone decides who connects: a token beside it does not change the user.
    const client = await h.connect(wsUrl("/ws", `ticket=${ticket}&token=bob`));
    const { connectionId } = await client.ofType("connected");
    expect(manager.getConnectionsByUser("alice").map((c) => c.id)).toEqual([connectionId]);
    expect(manager.getConnectionsByUser("bob")).toEqual([]);
    expect(await h.tryConnect(wsUrl("/ws", `ticket=${ticket}`))).toEqual(
      refused(401, "UNAUTHORIZED"),
    );
    expect(await h.tryConnect(wsUrl("/ws", "ticket=made-up"))).toEqual(
      refused(401, "UNAUTHORIZED"),
    );

    expect(await issue(server.url, {})).toEqual({
      status: 401,
      body: { error: "Authentication required", code: "UNAUTHORIZED" },
    });
    expect(await issue(server.url, { headers: { authorization: "Bearer mallory" } })).toEqual({
      status: 401,
      body: { error: "Invalid credentials", code: "UNAUTHORIZED" },
    });
  });

  it("seed 003's body { token } gets a ticket for that token's user", async () => {
    const { manager, server, wsUrl } = await h.serve(config());
    const reply = await issue(server.url, {
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: "carol", userId: "ignored", callId: "call-456" }),
    });
    expect(reply.status).toBe(200);
    const { ticket } = ticketOf(reply);
    await (await h.connect(wsUrl("/ws", `ticket=${ticket}`))).ofType("connected");
    expect(manager.getConnectionsByUser("carol")).toHaveLength(1);
  });

  it("an expired ticket gets 401", async () => {
    const { server, wsUrl } = await h.serve(config({ tickets: { ttlMs: 50 } }));
    const { ticket, expiresAt } = ticketOf(
      await issue(server.url, { headers: { authorization: "Bearer dan" } }),
    );
    // Waiting for the clock is what is under test here, not a stand-in for an event.
    while (Date.now() <= expiresAt) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await h.tryConnect(wsUrl("/ws", `ticket=${ticket}`))).toEqual(
      refused(401, "UNAUTHORIZED"),
    );
  });

  it("without auth, or with tickets: false, there is no ticket route", async () => {
    const open = await h.serve();
    expect((await issue(open.server.url, {})).status).toBe(404);
    const off = await h.serve(config({ tickets: false }));
    const reply = await issue(off.server.url, { headers: { authorization: "Bearer erin" } });
    expect(reply.status).toBe(404);
    expect(await h.tryConnect(off.wsUrl("/ws", "ticket=x"))).toEqual(refused(401, "UNAUTHORIZED"));
  });
}
