/**
 * What a user receives: builds the workspace, packs each public package with pnpm (which applies
 * `publishConfig`), and installs tarballs with npm into directories outside the workspace.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const exec = promisify(execFile);

/** The workspace root. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The directories under `packages/` that are published. */
export const PUBLIC_PACKAGES = [
  "core",
  "express",
  "fastify",
  "hono",
  "server",
  "ai-sdk",
  "redis",
  "socket.io",
  "sqlite",
  "postgres",
  "client",
] as const;
export type PublicPackage = (typeof PUBLIC_PACKAGES)[number];

/** One packed package. */
export interface Tarball {
  path: string;
  /** Bytes. */
  size: number;
  /** The paths inside the tarball, e.g. `package/dist/index.mjs`. */
  files: string[];
}

/**
 * npm must see neither pnpm's `npm_config_*` variables nor the workspace around it. Native addons
 * (better-sqlite3) compile against the headers of the Node running the test: the machine's npm
 * config points at Node 20's, which a Node 24 run must not use.
 */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key)) env[key] = value;
  }
  const prefix = dirname(dirname(process.execPath));
  if (existsSync(join(prefix, "include/node/node.h"))) env.npm_config_nodedir = prefix;
  return env;
}

/** Runs a command to completion; a failure carries what it printed. */
export async function run(
  command: string,
  args: string[],
  cwd: string,
  timeoutMs = 240_000,
): Promise<string> {
  try {
    const { stdout } = await exec(command, args, {
      cwd,
      env: userEnv(),
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(" ")} failed in ${cwd}:\n${stdout}\n${stderr}`, {
      cause: error,
    });
  }
}

/** `pnpm build` at the root, then `pnpm pack` of every public package into `destination`. */
export async function buildAndPack(destination: string): Promise<Record<PublicPackage, Tarball>> {
  await run("pnpm", ["run", "build"], ROOT);
  const tarballs = {} as Record<PublicPackage, Tarball>;
  for (const name of PUBLIC_PACKAGES) {
    const dir = join(destination, name);
    await run("pnpm", ["pack", "--pack-destination", dir], join(ROOT, "packages", name));
    const [file] = await readdir(dir);
    const path = join(dir, file!);
    const listing = await run("tar", ["-tzf", path], dir);
    tarballs[name] = {
      path,
      size: (await stat(path)).size,
      files: listing.split("\n").filter((line) => line !== ""),
    };
  }
  return tarballs;
}

/** Creates an empty ESM project in `dir` and `npm install`s `specs` into it. */
export async function npmInstall(dir: string, specs: string[]): Promise<void> {
  const manifest = { name: "consumer", private: true, type: "module" };
  await writeFile(join(dir, "package.json"), JSON.stringify(manifest, null, 2));
  await run(
    "npm",
    ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", ...specs],
    dir,
  );
}
