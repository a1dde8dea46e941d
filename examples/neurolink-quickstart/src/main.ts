/**
 * Starts the quick start. With `OPENAI_COMPATIBLE_BASE_URL` set, NeuroLink talks to that
 * endpoint; without it, a local OpenAI Responses API stub is started first and NeuroLink is
 * pointed at it, so the example runs offline.
 */
import { startApp } from "./app.ts";
import { startOpenAIStub } from "./openai-stub.ts";
import type { Framework } from "@agentsocket/server";

const env = process.env;
if (!env.OPENAI_COMPATIBLE_BASE_URL) {
  const stub = await startOpenAIStub({
    tokens: "Hello! I am a local stub model, answering through a real NeuroLink instance.".split(
      /(?= )/,
    ),
    tokenDelayMs: 40,
  });
  env.OPENAI_COMPATIBLE_BASE_URL = stub.baseURL;
  env.OPENAI_COMPATIBLE_API_KEY ??= "offline";
  env.OPENAI_COMPATIBLE_MODEL ??= stub.model;
  console.log(`No OPENAI_COMPATIBLE_BASE_URL: using the offline stub at ${stub.baseURL}`);
}

const app = await startApp({
  port: Number(env.PORT ?? 3000),
  framework: (env.FRAMEWORK ?? "hono") as Framework,
  provider: env.NEUROLINK_PROVIDER || "openai-compatible",
});
console.log(`Agent server (${app.server.framework}) on ${app.url}`);
console.log(`  WebSocket:  ${app.url.replace(/^http/, "ws")}/ws`);
console.log(`  HTTP:       POST ${app.url}/api/agent/generate, POST ${app.url}/api/agent/stream`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void app.close().then(() => process.exit(0)));
}
