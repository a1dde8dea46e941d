/**
 * Sessions in a cluster (issue 10): sessions live on the instance that holds them, but what other
 * instances send to a parked session — a room broadcast, `sendToConnection` to its old id,
 * `sendToUser` — is kept there too (the session stays in its rooms and its user's topic while
 * away), and arrives in order on resume. A resume on another instance answers `not_found`.
 */
import { describe, expect, it } from "vitest";
import type { TestClient } from "@agentsocket/core/testing";
import { eventually, join, useCluster } from "./cluster-harness.ts";
import type { Framework } from "./index.ts";

const harness = useCluster();
const secret = "a shared secret of at least 32 bytes";

async function node(framework: Framework) {
  // One secret for the cluster: every instance can check a token, only one holds the session.
  const websocket = { sessions: { secret }, pingInterval: 0 };
  const started = await harness.node(framework, { prefix: "s1" }, { websocket });
  const open = async (user: string) => {
    const client = await started.ws(user);
    return { client, connected: await client.ofType("connected") };
  };
  return { manager: started.server.websocket, open };
}

/** Sends `session_resume` with `token`; resolves with the `session` answer. */
function resumeSession(client: TestClient, token: unknown, requestId: string) {
  client.send({ type: "session_resume", requestId, payload: { token } });
  return client.ofType("session", requestId);
}

describe("sessions across instances", () => {
  it("keeps what other instances send to a parked session, and resumes only where it lives", async () => {
    const [a, b] = await Promise.all([node("hono"), node("express")]);
    const first = await a.open("alice");
    const id = first.connected.connectionId as string;
    await join(first.client, "lobby");
    first.client.socket.terminate();
    await eventually(() => a.manager.getConnection(id) === undefined, "the drop to be seen");

    const received = a.manager.cluster.health().received;
    b.manager.broadcastToRoom("lobby", { type: "note", n: 1 });
    b.manager.sendToConnection(id, { type: "note", n: 2 });
    b.manager.sendToUser("alice", { type: "note", n: 3 });
    await eventually(
      () => a.manager.cluster.health().received >= received + 3,
      "the three sends to reach the instance holding the session",
    );

    const token = first.connected.resumeToken;
    const elsewhere = await b.open("alice");
    expect(await resumeSession(elsewhere.client, token, "x")).toMatchObject({
      recovered: false,
      reason: "not_found",
    });

    const second = await a.open("alice");
    expect(await resumeSession(second.client, token, "s")).toMatchObject({
      recovered: true,
      rooms: ["lobby"],
    });
    await second.client.frame((f) => f.type === "note" && f.n === 3, "the kept frames");
    const notes = second.client.frames.filter((f) => f.type === "note").map((f) => f.n);
    expect(notes).toEqual([1, 2, 3]);

    // The restored room is live across instances again.
    b.manager.broadcastToRoom("lobby", { type: "note", n: 4 });
    await second.client.frame((f) => f.type === "note" && f.n === 4, "a live cross-instance frame");
  }, 30_000);
});
