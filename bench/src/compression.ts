/**
 * Bytes on the wire and server CPU per token with and without permessage-deflate
 * (`websocket.compression: true`), on each framework, for token streaming paced like a model
 * (every token its own frame) and as fast as the backend yields (frames coalesced). Clients
 * offer permessage-deflate as browsers do. Run with
 * `pnpm --filter @agentsocket/bench run compression [--smoke] [--framework hono,express,fastify]`.
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import WebSocket from "ws";
import { countTokens, workloadPrompt, type Workload } from "./fake-backend.ts";
import { startServer, type ServerKind } from "./server-process.ts";

const { values } = parseArgs({
  options: { smoke: { type: "boolean" }, framework: { type: "string" } },
});
const smoke = values.smoke ?? false;
const frameworks = (values.framework ?? "hono,express,fastify").split(",") as ServerKind[];

interface Scenario {
  name: string;
  connections: number;
  workload: Workload;
}

const SCENARIOS: Scenario[] = [
  {
    name: "paced, 30 tokens/s",
    connections: smoke ? 10 : 200,
    workload: { tokens: smoke ? 30 : 150, rate: 30 },
  },
  {
    name: "as fast as possible",
    connections: smoke ? 4 : 20,
    workload: { tokens: smoke ? 500 : 20_000, rate: 0 },
  },
];

/** One client: its socket, the bytes its TCP socket read, the tokens and frame bytes it got. */
interface Client {
  socket: WebSocket;
  tokens: number;
  payloadBytes: number;
  wireBytes(): number;
  extensions: string;
}

function connectClient(port: number): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`); // offers permessage-deflate
    const client: Client = {
      socket,
      tokens: 0,
      payloadBytes: 0,
      wireBytes: () => (socket as unknown as { _socket: { bytesRead: number } })._socket.bytesRead,
      extensions: "",
    };
    socket.on("message", (data: Buffer) => {
      client.payloadBytes += data.byteLength;
      const frame = JSON.parse(String(data)) as { type: string; content?: string };
      if (frame.type === "connected") {
        client.extensions = socket.extensions;
        resolve(client);
      } else if (frame.type === "chunk") client.tokens += countTokens(frame.content!);
    });
    socket.once("error", reject);
  });
}

function stream(client: Client, requestId: string, workload: Workload): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (data: Buffer) => {
      const frame = JSON.parse(String(data)) as {
        type: string;
        requestId?: string;
        error?: string;
      };
      if (frame.requestId !== requestId) return;
      if (frame.type === "error") reject(new Error(frame.error));
      if (frame.type !== "stream_complete" && frame.type !== "error") return;
      client.socket.off("message", onMessage);
      resolve();
    };
    client.socket.on("message", onMessage);
    const prompt = workloadPrompt(workload);
    client.socket.send(JSON.stringify({ type: "stream", requestId, payload: { prompt } }));
  });
}

const entry = fileURLToPath(new URL("./servers/compression-server.ts", import.meta.url));

async function measure(kind: ServerKind, compression: boolean, scenario: Scenario) {
  const server = await startServer(kind, {
    entry: { file: entry, args: [kind, compression ? "on" : "off"] },
  });
  try {
    const clients = await Promise.all(
      Array.from({ length: scenario.connections }, () => connectClient(server.port)),
    );
    const negotiated = clients.every((client) =>
      client.extensions.startsWith("permessage-deflate"),
    );
    if (negotiated !== compression)
      throw new Error(`${kind}: permessage-deflate negotiated: ${negotiated}`);
    const wireBefore = clients.reduce((sum, client) => sum + client.wireBytes(), 0);
    const payloadBefore = clients.reduce((sum, client) => sum + client.payloadBytes, 0);
    const before = await server.stats();
    await Promise.all(clients.map((client, i) => stream(client, `r${i}`, scenario.workload)));
    const after = await server.stats();
    const tokens = clients.reduce((sum, client) => sum + client.tokens, 0);
    const wire = clients.reduce((sum, client) => sum + client.wireBytes(), 0) - wireBefore;
    const payload = clients.reduce((sum, client) => sum + client.payloadBytes, 0) - payloadBefore;
    const cpu =
      after.cpuUserMicros + after.cpuSystemMicros - before.cpuUserMicros - before.cpuSystemMicros;
    for (const client of clients) client.socket.terminate();
    return {
      tokens,
      wirePerToken: wire / tokens,
      payloadPerToken: payload / tokens,
      cpuPerToken: cpu / tokens,
      rss: after.rss,
    };
  } finally {
    await server.stop();
  }
}

const fixed = (value: number, digits = 2) => value.toFixed(digits);

console.log(
  "| framework | scenario | compression | tokens | frame bytes/token | wire bytes/token | server CPU/token (µs) | RSS (MiB) |",
);
console.log("| :-- | :-- | :-- | --: | --: | --: | --: | --: |");
for (const kind of frameworks) {
  for (const scenario of SCENARIOS) {
    for (const compression of [false, true]) {
      const result = await measure(kind, compression, scenario);
      console.log(
        `| ${kind} | ${scenario.name} (${scenario.connections} × ${scenario.workload.tokens}) | ${compression ? "on" : "off"} | ${result.tokens} | ${fixed(result.payloadPerToken)} | ${fixed(result.wirePerToken)} | ${fixed(result.cpuPerToken)} | ${fixed(result.rss / 2 ** 20, 0)} |`,
      );
    }
  }
}
