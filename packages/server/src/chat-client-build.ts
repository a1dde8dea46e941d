/**
 * Test support: builds `@agentsocket/client` from its sources into the `dist/index.mjs` the chat
 * page serves, as `pnpm build` does, so workspace tests need no prior build. The file is written
 * elsewhere and renamed into place, so test files building at once never read half a file.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "tsdown";
import { chatClientFile } from "./chat-client.ts";

const ENTRY = fileURLToPath(new URL("../../client/src/index.ts", import.meta.url));

let building: Promise<void> | undefined;

/** Builds the client for the browser into {@link chatClientFile}, once per test file. */
export function buildChatClient(): Promise<void> {
  return (building ??= buildOnce());
}

async function buildOnce(): Promise<void> {
  const target = chatClientFile();
  const packageDir = dirname(dirname(target));
  const outDir = await mkdtemp(join(packageDir, ".chat-build-"));
  try {
    await build({
      config: false,
      entry: { index: ENTRY },
      outDir,
      format: "esm",
      platform: "browser",
      fixedExtension: true,
      dts: false,
      sourcemap: false,
      logLevel: "silent",
    });
    const built = join(outDir, "index.mjs");
    if (!existsSync(built)) throw new Error(`tsdown wrote no index.mjs: ${await readdir(outDir)}`);
    await mkdir(dirname(target), { recursive: true });
    await rename(built, target);
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}
