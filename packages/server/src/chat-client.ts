/**
 * The browser build of `@agentsocket/client` the chat page loads as a module: its `dist/index.mjs`
 * (no Node built-in, no dependency), found next to the installed package's `package.json`.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { RouteDefinition } from "./routes.ts";

/** Where the chat page imports the client from. */
export const CHAT_CLIENT_PATH = "/chat-client.mjs";

let bundle: Promise<string> | undefined;

/**
 * The client's built module, read once. Installed from npm it is always there; in the workspace
 * it needs `pnpm build` (or the build the chat page test runs) first.
 * @throws {Error} naming the missing file and how to build it.
 */
export function chatClientBundle(): Promise<string> {
  bundle ??= readBundle().catch((error: unknown) => {
    bundle = undefined; // a later build can still fix it
    throw error;
  });
  return bundle;
}

/** The path of `@agentsocket/client`'s `dist/index.mjs`. */
export function chatClientFile(): string {
  const manifest = createRequire(import.meta.url).resolve("@agentsocket/client/package.json");
  return join(dirname(manifest), "dist", "index.mjs");
}

async function readBundle(): Promise<string> {
  const file = chatClientFile();
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    throw new Error(`The chat page needs ${file}: build @agentsocket/client first (pnpm build)`, {
      cause: error,
    });
  }
}

/** The route that serves {@link chatClientBundle} at {@link CHAT_CLIENT_PATH}. */
export function chatClientRoute(): RouteDefinition {
  return {
    method: "GET",
    path: CHAT_CLIENT_PATH,
    description: "The chat page's client (@agentsocket/client)",
    handler: async () =>
      new Response(await chatClientBundle(), {
        headers: { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-cache" },
      }),
  };
}
