// One lint setup for the whole workspace (formatting is prettier's job).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** An import restriction: `files` may not import `patterns` (the layer rule of STYLE.md). */
const layer = (files, patterns, message, ignores = []) => ({
  files,
  ignores: ["**/*.test.ts", ...ignores],
  rules: {
    "no-restricted-imports": [
      "error",
      {
        patterns: [
          typeof patterns === "string"
            ? { regex: patterns, message }
            : { group: patterns, message },
        ],
      },
    ],
  },
});

// Core's dependencies run one way: transport ← auth ← protocol ← router ← streaming ← agent ← demo.
const CORE = "packages/core/src";
const upperLayers = (...names) => names.map((name) => `**/${name}/**`);

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/dist/**",
      "docs/**",
      "**/*.d.ts",
      ".stryker-tmp/**",
      "reports/**",
      // The seeds' client code, kept as they print it (examples/socketio-react).
      "examples/socketio-react/src/seeds/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: "readonly",
        process: "readonly",
        Buffer: "readonly",
        URL: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/no-empty-function": "off",
      "no-constant-condition": ["error", { checkLoops: false }],
    },
  },
  layer(
    [`${CORE}/*.ts`, `${CORE}/auth/**`],
    upperLayers("streaming", "agent", "demo", "testing"),
    "The transport and auth layers of core may not import streaming, agent, demo or testing.",
    [`${CORE}/index.ts`],
  ),
  layer(
    [`${CORE}/streaming/**`],
    upperLayers("agent", "demo", "testing"),
    "core/streaming may not import the agent, demo or testing layers.",
  ),
  layer(
    [`${CORE}/agent/**`],
    upperLayers("demo", "testing"),
    "core/agent may not import the demo or testing layers.",
  ),
  layer(
    ["packages/{hono,express,fastify}/src/**"],
    "^@agentsocket/(?!core(/adapter)?$)",
    "Adapters use only @agentsocket/core and @agentsocket/core/adapter (a fourth adapter could too).",
  ),
);
