// The tests Stryker runs against each mutant of core (see stryker.config.mjs): core's own, which
// take seconds. The adapters' conformance suites and the server tests run real servers for every
// test and are left to `pnpm run check`.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/core/src/**/*.test.ts"],
    testTimeout: 15_000,
    hookTimeout: 15_000,
  },
});
