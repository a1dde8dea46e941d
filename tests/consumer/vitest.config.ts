// The consumer test runs on its own, after the main suite: it builds, packs and npm-installs,
// which would skew the timing of the suite's heartbeat and backpressure tests if run beside them.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: new URL("../..", import.meta.url).pathname,
    include: ["tests/consumer/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 600_000,
  },
});
