/**
 * The build of every public package (`packages/*`): ESM JavaScript in `dist/` with `.d.mts`
 * declarations and source maps. Each package's own `tsdown.config.ts` names its entries; the
 * workspace `exports` keep pointing at `src/` (tests and typecheck need no build) and the built
 * ones go to `publishConfig.exports`, which `pnpm pack` and `pnpm publish` apply.
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
  exports: { devExports: true, exclude: ["bin"] },
  // The time goes to declaration emit (tsc); a warning on every build says nothing new.
  checks: { pluginTimings: false },
});
