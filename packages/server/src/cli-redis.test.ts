/**
 * `agentsocket serve` with `REDIS_URL`: two CLI servers on one real redis-server form a cluster
 * (a room send on one reaches a member on the other), the log names Redis, and a bad URL is a
 * usage error.
 */
import { expect, it } from "vitest";
import { WebSocket } from "ws";
import { connect } from "@agentsocket/core/testing";
import { main, type CliRuntime } from "./cli.ts";
import { recorder } from "./cli-recorder.ts";
import { eventually, framesOf, useCluster } from "./cluster-harness.ts";

const harness = useCluster();

const serve = async (framework: string, io: CliRuntime) => {
  // Conversations in memory: the instances must not leave ./agentsocket.db in the working directory.
  const env = {
    REDIS_URL: harness.redis.url,
    AGENTSOCKET_REDIS_PREFIX: "cli",
    AGENTSOCKET_DB: ":memory:",
  };
  const args = ["serve", "--framework", framework, "--port", "0", "--host", "127.0.0.1"];
  const server = await main(args, env, io);
  if (server === undefined) throw new Error("serve did not start");
  harness.track.servers.push(server);
  return server;
};

it("two `agentsocket serve` on REDIS_URL deliver each other's room sends", async () => {
  const a = recorder();
  const first = await serve("hono", a.runtime);
  const second = await serve("fastify", recorder().runtime);
  expect(a.output.log.join("\n")).toContain(`redis 127.0.0.1:${harness.redis.port}`);
  expect(first.websocket.cluster.health().state).toBe("ready");
  const client = await connect(WebSocket, `ws://127.0.0.1:${second.port}/ws`);
  harness.track.clients.push(client);
  const { connectionId } = await client.ofType("connected");
  expect(second.websocket.joinRoom(connectionId as string, "lobby")).toBe(true);
  await eventually(() => {
    first.websocket.broadcastToRoom("lobby", { type: "from-first" });
    return framesOf(client, "from-first").length > 0;
  }, "a room send across the two CLI servers");
  const ready = await fetch(`http://127.0.0.1:${first.port}/api/ready`);
  expect(await ready.json()).toEqual({
    status: "ready",
    broker: "ready",
    checks: { broker: { status: "healthy" } },
  });
});

it("a REDIS_URL that is not redis:// is a usage error", async () => {
  const { output, runtime } = recorder();
  const server = await main(["serve", "--port", "0"], { REDIS_URL: "http://x" }, runtime);
  expect(server).toBeUndefined();
  expect(output.exitCode).toBe(2);
  expect(output.error[0]).toContain("REDIS_URL must be a redis:// or rediss:// URL");
});
