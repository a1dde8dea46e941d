/**
 * `agentsocket serve` keeps conversations: in a SQLite file by default (`AGENTSOCKET_DB`), in
 * PostgreSQL with `DATABASE_URL`; a restarted server lists and continues them.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { connect } from "@agentsocket/core/testing";
import { main, type CliRuntime } from "./cli.ts";
import type { AgentServer } from "./create-server.ts";

const runtime: Partial<CliRuntime> = { log: () => {}, error: () => {}, handleSignals: false };
const LOCAL = ["--port", "0", "--host", "127.0.0.1"];
const dir = mkdtempSync(join(tmpdir(), "agentsocket-serve-"));
const connectionString =
  process.env.AGENTSOCKET_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const schema = `agentsocket_cli_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  const pool = new pg.Pool({ connectionString, max: 1 });
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
});

describe("agentsocket serve keeps conversations", () => {
  let server: AgentServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  /** Serves, streams one turn (continuing `conversationId` if given), stops; resolves the end frame. */
  const serveOneTurn = async (env: NodeJS.ProcessEnv, conversationId?: string) => {
    server = await main(
      ["serve", ...LOCAL],
      { AGENTSOCKET_DEMO_TOKENS_PER_SECOND: "0", ...env },
      runtime,
    );
    const client = await connect(WebSocket, `ws://127.0.0.1:${server!.port}/ws`);
    client.send({
      type: "stream",
      requestId: "r",
      payload: { prompt: "hello there", conversationId },
    });
    const end = await client.ofType("stream_complete", "r", 10_000);
    const list = await (await fetch(`http://127.0.0.1:${server!.port}/api/conversations`)).json();
    const text = client.frames
      .filter((f) => f.type === "chunk")
      .map((f) => f.content)
      .join("");
    client.socket.terminate();
    await server!.stop();
    server = undefined;
    return { end, list, text };
  };

  for (const [name, env] of [
    ["a SQLite file (AGENTSOCKET_DB)", { AGENTSOCKET_DB: join(dir, "serve.db") }],
    [
      "PostgreSQL (DATABASE_URL)",
      { DATABASE_URL: connectionString, AGENTSOCKET_DB_SCHEMA: schema },
    ],
  ] as const) {
    it(`in ${name}, across a restart`, async () => {
      const first = await serveOneTurn(env);
      expect(first.end).toMatchObject({ status: "completed", conversationId: expect.any(String) });
      const id = first.end.conversationId as string;
      const second = await serveOneTurn(env, id);
      expect(second.end).toMatchObject({ status: "completed", conversationId: id });
      // The demo agent saw the first turn, from the store the restarted server opened.
      expect(second.text).toContain('question 2 of our conversation; the first was "hello there"');
      expect(first.text).not.toContain("of our conversation");
      expect(second.list.conversations).toEqual([
        expect.objectContaining({ id, title: "hello there" }),
      ]);
    });
  }

  it("in ./agentsocket.db without AGENTSOCKET_DB, and names a bad DATABASE_URL", async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      await serveOneTurn({});
      expect(statSync(join(dir, "agentsocket.db")).isFile()).toBe(true);
    } finally {
      process.chdir(cwd);
    }
    const errors: string[] = [];
    await main(
      ["serve", ...LOCAL],
      { DATABASE_URL: "not a url" },
      { ...runtime, error: (l) => errors.push(l), setExitCode: () => {} },
    );
    expect(errors[0]).toMatch(/DATABASE_URL/);
  });
});
