// Build entries of this package; the shared options are in the root tsdown.config.ts. The client
// runs in browsers as well as Node, so it is built for a neutral platform.
import { defineConfig } from "tsdown";

export default defineConfig({ entry: { index: "src/index.ts" }, platform: "neutral" });
