/**
 * The packages as a user gets them: built, packed with pnpm, installed with npm into directories
 * outside the workspace, and run under plain `node` (whichever Node runs this test) — an Express
 * app with `attachWebSocket`, `createServer` on every framework, the `agentsocket` bin, a strict
 * TypeScript consumer, and a server installed with one framework only.
 */
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { publint } from "publint";
import { formatMessage } from "publint/utils";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  PUBLIC_PACKAGES,
  ROOT,
  buildAndPack,
  npmInstall,
  run,
  type PublicPackage,
  type Tarball,
} from "./packages.ts";
import { startProgram, type Program } from "./program.ts";
import { connect, streamFrames } from "./ws-client.ts";

const FIXTURES = join(ROOT, "tests/consumer/fixtures");
/** What a user installs beside the tarballs: every framework, the AI SDK, and a type-checker. */
const THIRD_PARTY = [
  "express@^5.1.0",
  "fastify@^5.6.0",
  "hono@^4.10.0",
  "@hono/node-server@^2.1.8",
  "ai@^6.0.0",
  "@ai-sdk/openai@^3.0.0",
  "ws@^8.18.3",
  "redis@^6.3.1",
  "socket.io@^4.8.1",
  "socket.io-client@^4.8.1",
  "better-sqlite3@^12.0.0",
  "pg@^8.13.0",
  "typescript@~5.9.3",
  "@types/express@^5.0.3",
  "@types/node@^20.19.0",
  "@types/ws@^8.18.1",
];

let temp: string;
let tarballs: Record<PublicPackage, Tarball>;
/** Every package and framework installed. */
let full: string;
/** `npm install @agentsocket/server express`: only what that pulls in. */
let expressOnly: string;
const programs: Program[] = [];

beforeAll(async () => {
  temp = await mkdtemp(join(tmpdir(), "agentsocket-consumer-"));
  tarballs = await buildAndPack(join(temp, "tarballs"));
  const all = PUBLIC_PACKAGES.map((name) => tarballs[name].path);
  full = join(temp, "full");
  expressOnly = join(temp, "express-only");
  await Promise.all([mkdir(full), mkdir(expressOnly)]);
  // @agentsocket/* are not on the registry yet: the server's own dependencies come as tarballs.
  const serverAndItsDeps = (
    ["core", "client", "express", "fastify", "hono", "server"] as const
  ).map((name) => tarballs[name].path);
  await Promise.all([
    npmInstall(full, [...all, ...THIRD_PARTY]),
    npmInstall(expressOnly, [...serverAndItsDeps, "express@^5.1.0"]),
  ]);
  for (const file of [
    "express-echo.mjs",
    "create-server.mjs",
    "socketio-client.mjs",
    "conversation-stores.mjs",
    "strict-consumer.ts",
    "client-consumer.ts",
    "tsconfig.client.json",
  ]) {
    await copyFile(join(FIXTURES, file), join(full, file));
  }
  await copyFile(join(FIXTURES, "tsconfig.json"), join(full, "tsconfig.json"));
  await copyFile(join(FIXTURES, "create-server.mjs"), join(expressOnly, "create-server.mjs"));
}, 600_000);

afterEach(async () => {
  await Promise.all(programs.splice(0).map((program) => program.stop("SIGKILL")));
});

afterAll(async () => {
  if (temp) await rm(temp, { recursive: true, force: true });
});

const PORT_LINE = /^\{"port":(\d+)\}$/;

describe("tarballs", () => {
  it("each holds dist JavaScript, declarations, README and LICENSE, and no sources or tests", () => {
    const sizes: Record<string, string> = {};
    for (const name of PUBLIC_PACKAGES) {
      const { files, size } = tarballs[name];
      sizes[`@agentsocket/${name}`] = `${(size / 1024).toFixed(1)} kB, ${files.length} files`;
      expect(files, name).toContain("package/README.md");
      expect(files, name).toContain("package/LICENSE");
      expect(files, name).toContain("package/dist/index.mjs");
      expect(files, name).toContain("package/dist/index.d.mts");
      expect(
        files.filter((file) => file.endsWith(".mjs.map")),
        name,
      ).not.toEqual([]);
      expect(
        files.filter((file) => file.endsWith(".d.mts.map")),
        name,
      ).not.toEqual([]);
      const stray = files.filter(
        (file) =>
          !/^package\/(package\.json|README\.md|LICENSE|dist\/.+\.(mjs|d\.mts)(\.map)?)$/.test(
            file,
          ) || /\.test\.|fixtures/.test(file),
      );
      expect(stray, name).toEqual([]);
    }
    console.log("tarball sizes (gzip):", sizes);
  });

  it.each(PUBLIC_PACKAGES)("@agentsocket/%s passes publint and attw (esm-only)", async (name) => {
    const data = await readFile(tarballs[name].path);
    const tarball = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
    const { messages, pkg } = await publint({
      pack: { tarball },
      level: "suggestion",
      strict: true,
    });
    expect(messages.map((message) => formatMessage(message, pkg, { color: false }))).toEqual([]);
    const attw = join(ROOT, "node_modules/.bin/attw");
    await run(attw, [tarballs[name].path, "--profile", "esm-only", "--format", "ascii"], temp);
  });
});

describe("installed under plain node", () => {
  it("an Express app with attachWebSocket refuses a missing key with 401 and echoes with one", async () => {
    const app = await startProgram(process.execPath, ["express-echo.mjs"], {
      cwd: full,
      ready: PORT_LINE,
    });
    programs.push(app);
    const url = `ws://127.0.0.1:${app.ready[1]}/ws`;

    const refused = await connect(url);
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ code: "UNAUTHORIZED" });

    const { socket, frames } = await connect(`${url}?apiKey=consumer-key`);
    expect(frames[0]).toMatchObject({ type: "connected", protocol: 1 });
    const echo = new Promise((resolve) => socket!.once("message", (data) => resolve(String(data))));
    socket!.send("hello");
    expect(await echo).toBe("echo: hello");
    socket!.close();
    expect(await app.stop()).toEqual({ code: 0, signal: null });
  });

  it("the SQLite and PostgreSQL conversation stores keep a conversation across reopening", async () => {
    const output = await run(
      process.execPath,
      ["conversation-stores.mjs", "postgres://postgres@127.0.0.1:5432/test"],
      full,
    );
    const expected = { contents: ["user: hello", "assistant: hi there"], stranger: null };
    expect(JSON.parse(output)).toEqual({ sqlite: expected, postgres: expected });
  });

  it.each(["hono", "express", "fastify"])(
    "createServer on %s serves /api/health and streams the demo agent",
    async (framework) => {
      const server = await startProgram(process.execPath, ["create-server.mjs", framework], {
        cwd: full,
        ready: PORT_LINE,
      });
      programs.push(server);
      const base = `127.0.0.1:${server.ready[1]}`;

      const health = await fetch(`http://${base}/api/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: "ok", version: "0.1.0" });

      const frames = await streamFrames(`ws://${base}/ws`, "hello");
      expect(frames[0]).toMatchObject({ type: "stream_start", requestId: "r1" });
      expect(frames.at(-1)).toMatchObject({ type: "stream_complete", status: "completed" });
      const chunks = frames.filter((frame) => frame.type === "chunk");
      expect(chunks.length).toBeGreaterThan(0);
      expect(chunks.map((chunk) => chunk.content).join("")).not.toBe("");
      expect(await server.stop()).toEqual({ code: 0, signal: null });
    },
  );

  it("createServer with config.socketio streams to socket.io-client, the seeds' client", async () => {
    const server = await startProgram(process.execPath, ["create-server.mjs", "hono", "socketio"], {
      cwd: full,
      ready: PORT_LINE,
    });
    programs.push(server);
    const client = await startProgram(
      process.execPath,
      ["socketio-client.mjs", `http://127.0.0.1:${server.ready[1]}/ai`],
      { cwd: full, ready: /^(\{"done".*\})$/ },
    );
    programs.push(client);
    const result = JSON.parse(client.ready[1]!) as { done: { totalTokens: number }; text: string };
    expect(result.text).toContain("demo agent");
    expect(result.done.totalTokens).toBeGreaterThan(0);
    expect(await server.stop()).toEqual({ code: 0, signal: null });
  });

  it("the agentsocket bin serves the chat page and a stream, and exits 0 on Ctrl+C", async () => {
    const bin = join(full, "node_modules/.bin/agentsocket");
    const cli = await startProgram(bin, ["serve", "--port", "0", "--host", "127.0.0.1"], {
      cwd: full,
      env: { AGENTSOCKET_DEMO_TOKENS_PER_SECOND: "0" },
      ready: /^agentsocket serving http:\/\/(127\.0\.0\.1:\d+) \(hono, offline demo agent/,
    });
    programs.push(cli);
    const base = cli.ready[1]!;

    const page = await fetch(`http://${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain("<title>");
    // The page's client module: the installed @agentsocket/client's dist/index.mjs.
    const script = await fetch(`http://${base}/chat-client.mjs`);
    expect(script.status).toBe(200);
    expect(await script.text()).toMatch(/export\s*\{[^}]*createAgentSocketClient/);

    const frames = await streamFrames(`ws://${base}/ws`, "hello");
    expect(frames.at(-1)).toMatchObject({ type: "stream_complete", status: "completed" });
    expect(await cli.stop("SIGINT")).toEqual({ code: 0, signal: null });
    expect(cli.output).toContain("agentsocket: SIGINT, closing connections");
  });

  it("the bin still exits 0 when npm relays the Ctrl+C while a client is slow to close", async () => {
    const bin = join(full, "node_modules/.bin/agentsocket");
    const cli = await startProgram(bin, ["serve", "--port", "0", "--host", "127.0.0.1"], {
      cwd: full,
      ready: /^agentsocket serving http:\/\/(127\.0\.0\.1:\d+) /,
    });
    programs.push(cli);
    // A client that reads nothing keeps stop() waiting for its close handshake (closeTimeout).
    const { socket } = await connect(`ws://${cli.ready[1]}/ws`);
    socket!.pause();
    const exited = cli.stop("SIGINT");
    await cli.waitFor(/closing connections/);
    // The copies npm and pnpm relay of the same Ctrl+C arrive while the stop is under way.
    await cli.stop("SIGINT");
    expect(await exited).toEqual({ code: 0, signal: null });
    socket!.terminate();
  });

  it("a strict TypeScript consumer (nodenext, exactOptionalPropertyTypes) type-checks", async () => {
    const tsc = join(full, "node_modules/typescript/bin/tsc");
    expect(await run(process.execPath, [tsc, "-p", "tsconfig.json"], full)).toBe("");
  });
});

describe("@agentsocket/client installed under plain node", () => {
  it("has no runtime dependencies; ai is an optional peer, for the types of /ai-sdk", async () => {
    const manifest = JSON.parse(
      await readFile(join(full, "node_modules/@agentsocket/client/package.json"), "utf8"),
    ) as Record<string, unknown>;
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(manifest.peerDependencies).toEqual({ ai: "^6.0.0 || ^7.0.0" });
    expect(manifest.peerDependenciesMeta).toEqual({ ai: { optional: true } });
  });

  it("a strict TypeScript program (nodenext) compiles, streams, calls a tool and joins a room", async () => {
    const tsc = join(full, "node_modules/typescript/bin/tsc");
    expect(await run(process.execPath, [tsc, "-p", "tsconfig.client.json"], full)).toBe("");
    const output = await run(process.execPath, ["client-out/client-consumer.js"], full);
    expect(JSON.parse(output)).toEqual({
      chat: { sameText: true, first: "start", last: "finish", none: null },
      sameText: true,
      status: "completed",
      sum: { expression: "(12 + 30) * 2", value: 84 },
      pushed: { type: "news" },
      refused: "TOOL_NOT_FOUND",
      states: ["open"],
    });
  });
});

describe("npm install @agentsocket/server express", () => {
  it("installs no other framework, no AI SDK and no tsx", async () => {
    const installed = await readdir(join(expressOnly, "node_modules"));
    expect(installed).toContain("express");
    for (const absent of ["fastify", "hono", "ai", "tsx", "typescript", "socket.io"]) {
      expect(installed).not.toContain(absent);
    }
    expect(await readdir(join(expressOnly, "node_modules/@agentsocket"))).not.toContain("ai-sdk");
  });

  it("serves Express, and names the package to install for a framework that is missing", async () => {
    const server = await startProgram(process.execPath, ["create-server.mjs", "express"], {
      cwd: expressOnly,
      ready: PORT_LINE,
    });
    programs.push(server);
    const health = await fetch(`http://127.0.0.1:${server.ready[1]}/api/health`);
    expect(health.status).toBe(200);
    expect(await server.stop()).toEqual({ code: 0, signal: null });

    for (const [framework, install] of [
      ["fastify", "npm install fastify"],
      ["hono", "npm install hono @hono/node-server"],
    ]) {
      const failed = await startProgram(process.execPath, ["create-server.mjs", framework!], {
        cwd: expressOnly,
        ready: PORT_LINE,
      }).then(
        () => undefined,
        (error: Error) => error.message,
      );
      expect(failed).toContain(`The "${framework}" framework needs`);
      expect(failed).toContain(install);
    }
    const socketio = await startProgram(
      process.execPath,
      ["create-server.mjs", "express", "socketio"],
      {
        cwd: expressOnly,
        ready: PORT_LINE,
      },
    ).then(
      () => undefined,
      (error: Error) => error.message,
    );
    expect(socketio).toContain('The "config.socketio" option needs');
    expect(socketio).toContain("npm install socket.io @agentsocket/socket.io");
  });

  it("the bin says what to install for OPENAI_API_KEY without the AI SDK, and exits 1", async () => {
    const bin = join(expressOnly, "node_modules/.bin/agentsocket");
    const cli = await startProgram(bin, ["serve", "-f", "express", "--port", "0"], {
      cwd: expressOnly,
      env: { OPENAI_API_KEY: "sk-test" },
      ready: /^never$/,
    }).then(
      () => undefined,
      (error: Error) => error.message,
    );
    expect(cli).toContain("npm install ai @ai-sdk/openai @agentsocket/ai-sdk");
    expect(cli).toContain("exited (1)");
  });
});
