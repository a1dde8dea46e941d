/**
 * `agentsocket serve` with `AGENTSOCKET_SOCKETIO=1`: the seeds' own client payloads, sent by the
 * real `socket.io-client` with a JWT in `auth.token`, stream the demo agent's answer; a model
 * the seed's component always sends is allowed by `AGENTSOCKET_ALLOWED_MODELS`.
 */
import { SignJWT } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { connectTestClient, type TestClient } from "@agentsocket/socket.io/testing";
import { main, type CliRuntime } from "./cli.ts";
import type { AgentServer } from "./create-server.ts";

const SECRET = "cli-socketio-secret-at-least-32-bytes!!";
const quiet: CliRuntime = {
  log: () => {},
  error: () => {},
  setExitCode: () => {},
  handleSignals: false,
};

describe("agentsocket serve with AGENTSOCKET_SOCKETIO=1", () => {
  let server: AgentServer | undefined;
  let client: TestClient | undefined;
  afterEach(async () => {
    client?.close();
    await server?.stop();
    [server, client] = [undefined, undefined];
  });

  it("answers seed 001's chat:start and seed 002's ai:stream, exactly as their clients send them", async () => {
    const env = {
      AGENTSOCKET_SOCKETIO: "1",
      AGENTSOCKET_ALLOWED_MODELS: "gpt-4, codellama",
      AGENTSOCKET_JWT_SECRET: SECRET,
      AGENTSOCKET_DEMO_TOKENS_PER_SECOND: "0",
    };
    server = await main(["serve", "--port", "0", "--host", "127.0.0.1"], env, quiet);
    const token = await new SignJWT({ sub: "user-uuid" })
      .setProtectedHeader({ alg: "HS256" })
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode(SECRET));
    client = await connectTestClient(`http://127.0.0.1:${server!.port}/ai`, { auth: { token } });
    client.socket.emit("chat:start", {
      userId: "user-uuid",
      message: "Explain quantum computing",
      conversationId: null,
      model: "gpt-4",
      maxTokens: 4096,
      temperature: 0.7,
    });
    const end = await client.next("chat:end");
    expect(end).toMatchObject({ model: "gpt-4", finishReason: expect.any(String) });
    expect(
      client
        .received("chat:message")
        .map((m) => m.content)
        .join(""),
    ).toContain("demo agent");
    client.socket.emit("ai:stream", {
      prompt: "Explain this code",
      model: "codellama",
      temperature: 0.7,
      maxTokens: 2048,
      useOrchestrator: true,
      agentContext: { activeFile: "App.js", projectType: "React" },
      streamId: "custom_id",
    });
    expect(await client.next("ai:done")).toMatchObject({ streamId: "custom_id" });
  });

  it("refuses AGENTSOCKET_SOCKETIO other than 0 or 1, naming it", async () => {
    const errors: string[] = [];
    const runtime = { ...quiet, error: (line: string) => errors.push(line) };
    expect(await main(["serve"], { AGENTSOCKET_SOCKETIO: "yes" }, runtime)).toBeUndefined();
    expect(errors[0]).toBe('agentsocket: AGENTSOCKET_SOCKETIO must be 0 or 1 (got "yes")');
  });
});
