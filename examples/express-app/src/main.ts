/**
 * Starts the Express example on `PORT` (default 3001) with the demo agent.
 */
import { startApp } from "./app.ts";

const running = await startApp({ port: Number(process.env.PORT ?? 3001) });
console.log(`Express app on ${running.url} — agent at ${running.url.replace(/^http/, "ws")}/ws`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void running.close().then(() => process.exit(0)));
}
