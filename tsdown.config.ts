/**
 * The build of every public package (`packages/*`): ESM JavaScript in `dist/` with `.d.mts`
 * declarations and source maps. Each package's own `tsdown.config.ts` names its entries, one per
 * `exports` subpath. Inside the workspace `exports` resolve to `src/` (tests and typecheck need no
 * build), or to `dist/` under the `agentsocket-dist` condition (`node --conditions=agentsocket-dist`
 * runs the built code, as `npm start` does); `publishConfig.exports`, which `pnpm pack` and
 * `pnpm publish` apply, point at `dist/` only.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "tsdown";

export default defineConfig({
  workspace: { include: ["packages/*"] },
  format: ["esm"],
  platform: "node",
  target: "node20.19",
  sourcemap: true,
  dts: { sourcemap: true },
  tsconfig: fileURLToPath(new URL("./tsconfig.build.json", import.meta.url)),
  // The time goes to declaration emit (tsc); a warning on every build says nothing new.
  checks: { pluginTimings: false },
});
