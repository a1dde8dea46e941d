/**
 * What the AI SDK chat path costs per chunk against `/ws`: wire bytes and server CPU per token for
 * the same fake model on the same Hono server, coalescing off on `/ws` so both send one frame
 * per token. The server runs in a child process, so its CPU is not the client's. Run with
 * `pnpm --filter @agentsocket/bench run chat-overhead`; the figures are in docs/chat.md.
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { WebSocket } from "ws";
import { createServer } from "@agentsocket/server";
import { fakeBackend, workloadPrompt } from "./fake-backend.ts";
import { median } from "./statistics.ts";

const TOKENS = Number(process.env.TOKENS ?? 20_000);
const RUNS = Number(process.env.RUNS ?? 5);

if (process.argv[2] === "server") {
  const server = await createServer(fakeBackend, {
    framework: "hono",
    config: { port: 0, host: "127.0.0.1", agent: { streaming: { coalesce: false } } },
  });
  await server.start();
  let mark = process.cpuUsage();
  process.on("message", (message: string) => {
    if (message === "mark") mark = process.cpuUsage();
    const { user, system } = process.cpuUsage(mark);
    process.send!({ port: server.port, cpuMicros: user + system });
  });
  process.send!({ port: server.port, cpuMicros: 0 });
} else {
  await main();
}

/** One answer over `path`: the bytes and frames the client received. */
function stream(port: number, path: "/ws" | "/chat"): Promise<{ bytes: number; frames: number }> {
  const prompt = workloadPrompt({ tokens: TOKENS, rate: 0 });
  const request =
    path === "/ws"
      ? { type: "stream", requestId: "r1", payload: { prompt } }
      : {
          type: "send",
          requestId: "r1",
          id: "chat-1",
          trigger: "submit-message",
          messages: [{ id: "u1", role: "user", parts: [{ type: "text", text: prompt }] }],
          headers: {},
          body: {},
        };
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}${path}`);
    let bytes = 0;
    let frames = 0;
    socket.on("open", () => socket.send(JSON.stringify(request)));
    socket.on("message", (data: Buffer) => {
      const text = data.toString();
      if (text.includes('"chunk"')) {
        bytes += data.length;
        frames++;
      }
      if (/"type":"(stream_complete|end|error)"/.test(text)) {
        socket.close();
        resolve({ bytes, frames });
      }
    });
    socket.on("error", reject);
  });
}

async function main() {
  const child = fork(fileURLToPath(import.meta.url), ["server"], { execArgv: ["--import", "tsx"] });
  const ask = (message: string) =>
    new Promise<{ port: number; cpuMicros: number }>((resolve) => {
      child.once("message", (reply) => resolve(reply as { port: number; cpuMicros: number }));
      if (message) child.send(message);
    });
  const { port } = await ask("");
  const results: Record<string, { bytes: number[]; cpu: number[]; frames: number }> = {};
  for (let run = 0; run < RUNS; run++) {
    for (const path of ["/ws", "/chat"] as const) {
      await ask("mark");
      const { bytes, frames } = await stream(port, path);
      const { cpuMicros } = await ask("read");
      const entry = (results[path] ??= { bytes: [], cpu: [], frames });
      entry.bytes.push(bytes / TOKENS);
      entry.cpu.push(cpuMicros / TOKENS);
      entry.frames = frames;
    }
  }
  child.kill();
  console.log(`${TOKENS} tokens, ${RUNS} runs (medians), server CPU in its own process`);
  console.log("| path | chunk frames | bytes per token | server CPU µs per token |");
  console.log("| --- | --: | --: | --: |");
  for (const [path, entry] of Object.entries(results)) {
    console.log(
      `| ${path} | ${entry.frames} | ${median(entry.bytes).toFixed(1)} | ${median(entry.cpu).toFixed(2)} |`,
    );
  }
}
