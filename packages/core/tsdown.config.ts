// Build entries of this package, one per public subpath; the shared options are in the root
// tsdown.config.ts.
import { defineConfig } from "tsdown";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    adapter: "src/adapter.ts",
    streaming: "src/streaming/index.ts",
    agent: "src/agent/index.ts",
    demo: "src/demo/index.ts",
    testing: "src/testing/index.ts",
  },
});
