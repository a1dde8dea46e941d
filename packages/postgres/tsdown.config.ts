// Build entries of this package; the shared options are in the root tsdown.config.ts.
import { defineConfig } from "tsdown";

export default defineConfig({ entry: { index: "src/index.ts" } });
