/**
 * For the browser tests of the example apps: where Chromium is, the app built with Vite into its
 * `dist/`, and a static file server that serves it from a second origin, as a page beside its API
 * would be.
 */
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { extname, join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { build, type InlineConfig } from "vite";

/** The system Chromium (playwright-core drives it). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"];

const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript" };

/** Throws when there is no Chromium to run the test with (before anything is built). */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (CHROMIUM_PATH)`);
}

/** Starts the system Chromium, headless. */
export function launchChromium(): Promise<Browser> {
  requireChromium();
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Serves the files of `dir` on a free port of 127.0.0.1. */
export function serveStatic(dir: string): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    const path = request.url === "/" ? "/index.html" : (request.url ?? "/").split("?")[0]!;
    const file = join(dir, path);
    if (!file.startsWith(dir) || !existsSync(file)) return void response.writeHead(404).end();
    response.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    response.end(readFileSync(file));
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      resolve({ server, origin: `http://127.0.0.1:${port}` });
    }),
  );
}

/** Builds the Vite app at `root` into `root/dist`, each `define` key replaced by its JSON value. */
export async function buildExample(
  root: string,
  define: Record<string, string>,
  options: InlineConfig = {},
): Promise<void> {
  const json = Object.entries(define).map(([name, value]) => [name, JSON.stringify(value)]);
  await build({
    root,
    logLevel: "silent",
    configFile: false,
    build: { outDir: join(root, "dist"), emptyOutDir: true, minify: false },
    define: Object.fromEntries(json),
    ...options,
  });
}
