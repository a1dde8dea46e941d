// Build entries of this package; the shared options are in the root tsdown.config.ts. The output
// uses no Node built-in, so the same dist/index.mjs runs in browsers (bundled or served as is).
import { defineConfig } from "tsdown";

export default defineConfig({ entry: { index: "src/index.ts", "ai-sdk": "src/ai-sdk.ts" } });
