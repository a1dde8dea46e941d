import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "packages/*/src/**/*.test.ts",
      "examples/*/src/**/*.test.ts",
      "bench/src/**/*.test.ts",
    ],
    testTimeout: 15_000,
    hookTimeout: 15_000,
  },
});
