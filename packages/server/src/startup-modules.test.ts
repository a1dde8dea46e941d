/**
 * `start()` loads what the first answer would otherwise load: on Node 20 the global `Response`
 * is undici, loaded on first use, which cost 100–300 ms of a loaded server's event loop inside
 * its first HTTP answer. A fresh process per framework, since a test worker has loaded it long
 * before.
 */
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const entry = pathToFileURL(join(here, "create-server.ts")).href;

const SCRIPT = `
const { createServer } = await import(${JSON.stringify(entry)});
const backend = { generate: async () => ({ content: "" }), stream: async () => ({ stream: [] }) };
const server = await createServer(backend, { framework: process.argv[1], port: 0, host: "127.0.0.1" });
const undici = () => process.moduleLoadList.some((name) => name.includes("undici"));
await server.start();
console.log(JSON.stringify({ after: undici() }));
await server.stop();
`;

function startIn(framework: string): Promise<{ after: boolean }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", SCRIPT, framework],
      { cwd: join(here, ".."), timeout: 60_000 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
    );
  });
}

describe("start() before the first request", () => {
  it.each(["hono", "express", "fastify"])(
    "%s: the Fetch API is loaded once it listens",
    async (framework) => {
      const { after } = await startIn(framework);
      expect(after).toBe(true);
    },
  );
});
