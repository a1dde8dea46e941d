// Build entries of this package, one per public subpath; the shared options are in the root
// tsdown.config.ts.
import { defineConfig } from "tsdown";

export default defineConfig({ entry: { index: "src/index.ts", testing: "src/testing.ts" } });
