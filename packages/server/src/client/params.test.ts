/**
 * The client's `params` option against a real server: sent on every attempt, and a function is
 * asked anew, so a fresh credential gets in.
 */
import { WebSocket } from "ws";
import { afterEach, describe, expect, it } from "vitest";
import { createAgentSocketClient, type AgentSocketClient } from "@agentsocket/client";
import type { AgentServer } from "../index.ts";
import { startAgentServer, waitForState } from "./test-harness.ts";

describe("params", () => {
  let server: AgentServer | undefined;
  let client: AgentSocketClient | undefined;

  afterEach(async () => {
    client?.close();
    await server?.stop();
  });

  it("are sent on every attempt; a function is asked anew, so a fresh credential gets in", async () => {
    server = await startAgentServer("express", {
      config: { websocket: { auth: { strategy: "apiKey", apiKeys: ["good-key"] } } },
    });
    const keys = ["wrong-key", "wrong-key", "good-key"];
    const asked: string[] = [];
    client = createAgentSocketClient({
      url: `ws://127.0.0.1:${server.port}/ws`,
      webSocket: WebSocket,
      reconnect: { initialDelayMs: 10, maxDelayMs: 20 },
      params: async () => {
        const apiKey = keys.shift() ?? "good-key";
        asked.push(apiKey);
        return { apiKey };
      },
    });
    await waitForState(client, "open");
    expect(asked).toEqual(["wrong-key", "wrong-key", "good-key"]);
    expect(await client.callTool("calculator", { expression: "1 + 1" })).toMatchObject({
      value: 2,
    });
  });
});
