// Mutation testing of core's sources against core's own unit tests: `pnpm run mutation` (minutes;
// not part of `check` or CI). Reports land in reports/mutation/. Scope a run while iterating:
//   pnpm run mutation --mutate "packages/core/src/streaming/*.ts,!**/*.test.ts"
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner"],
  vitest: { configFile: "vitest.mutation.config.ts" },
  mutate: [
    "packages/core/src/**/*.ts",
    "!packages/core/src/**/*.test.ts",
    "!packages/core/src/testing/**",
  ],
  coverageAnalysis: "perTest",
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  tempDirName: ".stryker-tmp",
  thresholds: { high: 90, low: 80, break: null },
  timeoutMS: 5000,
};
