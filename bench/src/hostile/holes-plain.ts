/**
 * The holes script's measures on the default server (plus `allowedTools: ["calculator"]`, so a
 * bad calculator call reaches the tool): holes 1, 6, 8, 9 and the keep-alive part of 11, then
 * `stop()` with hole 1's clients still holding their side open; and hole 2 from the flood script.
 */
import type { Framework } from "@agentsocket/server";
import { percentile } from "../statistics.ts";
import { runFlood } from "./flood.ts";
import { handshakeLines, post, rawRequest, type RawAnswer } from "./holes-http.ts";
import { openSocket } from "./holes-ws.ts";
import { processTcpStates } from "./proc-sockets.ts";
import { formatCounts, increment, mib, type Counts } from "./report.ts";
import { ECHO_ROUTE } from "./server-profile.ts";
import { startTarget, type Target } from "./target.ts";

/** A hole's cell per row id, for one framework. */
export type Cells = Record<string, string>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** `promise`'s value, or NaN after `ms`. */
const within = (promise: Promise<number>, ms: number) =>
  Promise.race([promise, sleep(ms).then(() => NaN)]);
const round = (value: number) => (Number.isNaN(value) ? "never" : `${Math.round(value)} ms`);

/** `400 ×300 · 101 ×1`, most frequent first. */
export function tally(counts: Counts): string {
  const entries = Object.entries(counts).sort(([, a], [, b]) => b - a);
  return entries.map(([key, n]) => `${key} ×${n}`).join(" · ") || "none";
}

/** `ESTABLISHED 2 · CLOSE_WAIT 1` of the server's TCP sockets, listening ones left out. */
export function socketStates(target: Target): string {
  const { LISTEN: _, ...states } = processTcpStates(target.server.pid);
  return formatCounts(states);
}

/**
 * `status type code`: the Content-Type's media type ("JSON" for application/json), the body's
 * `code`, and "HTML/stack" when the body shows a page, a stack or a path.
 */
export function describeAnswer(status: number, contentType: string, body: string): string {
  let code = "";
  try {
    code = String((JSON.parse(body) as { code?: string }).code ?? "");
  } catch {
    code = "not JSON";
  }
  const media = contentType.split(";")[0] || "no Content-Type";
  const type = media === "application/json" ? "JSON" : media;
  const leak = /<html|<pre|\n\s+at |\/work\//i.test(body) ? " HTML/stack" : "";
  return `${status} ${type} ${code}${leak}`.trim();
}

const UPGRADE_FOO = [
  "GET /api/health HTTP/1.1",
  "Host: 127.0.0.1",
  "Connection: Upgrade",
  "Upgrade: foo",
];
const UPGRADE_H2C = [
  "GET /api/health HTTP/1.1",
  "Host: 127.0.0.1",
  "Connection: Upgrade, HTTP2-Settings",
  "Upgrade: h2c",
  "HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA",
];

/** Hole 1: 300 `Upgrade: foo` and one h2c; the answers stay open on the client's side. */
async function upgrades(target: Target, cells: Cells): Promise<RawAnswer[]> {
  const before = socketStates(target);
  const requests = [...Array<string[]>(300).fill(UPGRADE_FOO), UPGRADE_H2C];
  const answers = await Promise.all(requests.map((lines) => rawRequest(target.port, lines)));
  const statuses: Counts = {};
  for (const answer of answers) increment(statuses, String(answer.status || "none"));
  const closes = await Promise.all(answers.map((answer) => within(answer.serverClosed, 3000)));
  const h2c = answers.at(-1)!;
  cells.upgradeStatus = `${tally(statuses)} (h2c: ${describeAnswer(h2c.status, h2c.contentType, h2c.body)})`;
  cells.upgradeClosed = `${closes.filter((ms) => !Number.isNaN(ms)).length} of 301, last after ${round(Math.max(...closes))}`;
  cells.upgradeSockets = `${socketStates(target)} (before: ${before})`;
  return answers;
}

/**
 * Hole 6: ten 32,000-digit prompts at once, five times (50 frames: /proc counts CPU in 10 ms
 * ticks); server CPU per frame, and a probe's pings meanwhile.
 */
async function digits(target: Target, cells: Cells): Promise<void> {
  const worker = await openSocket(target.port);
  const probe = await openSocket(target.port);
  const idle: number[] = [];
  for (let i = 0; i < 50; i++) idle.push(await probe.ping());
  const prompt = "1234567890".repeat(3200);
  const pings: number[] = [];
  let running = true;
  const probing = (async () => {
    while (running) pings.push(await probe.ping());
  })();
  const cpu = target.cpuMs();
  const answers = [];
  for (let round = 0; round < 5; round++) {
    const batch = Array.from({ length: 10 }, (_, i) =>
      worker.request({ type: "generate", requestId: `d${round}-${i}`, payload: { prompt } }),
    );
    answers.push(...(await Promise.all(batch)));
  }
  const used = target.cpuMs() - cpu;
  running = false;
  await probing;
  const types: Counts = {};
  for (const answer of answers) increment(types, answer.code ?? answer.type);
  cells.digitsCpu = `${(used / answers.length).toFixed(1)} ms per frame (${used} ms over ${answers.length}: ${tally(types)})`;
  cells.digitsProbe = `max ${Math.max(...pings).toFixed(1)} ms, p50 ${percentile(pings, 50).toFixed(1)} (idle max ${Math.max(...idle).toFixed(1)})`;
  worker.close();
  probe.close();
}

/** Hole 8: `{bad`, a body over `maxMessageSize` (1 MiB) and `null`, on an agent and a user route. */
async function badBodies(target: Target, cells: Cells): Promise<void> {
  const json: [string, string][] = [["Content-Type", "application/json"]];
  const bodies: [string, Uint8Array][] = [
    ["{bad", new TextEncoder().encode("{bad")],
    ["2 MiB", new TextEncoder().encode(JSON.stringify({ prompt: "x".repeat(2 * 2 ** 20) }))],
    ["null", new TextEncoder().encode("null")],
  ];
  for (const [key, path] of [
    ["badAgent", "/api/agent/generate"],
    ["badUser", ECHO_ROUTE],
  ] as const) {
    const parts: string[] = [];
    for (const [name, body] of bodies) {
      const answer = await post(target.port, path, json, body);
      parts.push(`${name}: ${describeAnswer(answer.status, answer.contentType, answer.body)}`);
    }
    cells[key] = parts.join("; ");
  }
}

/** Hole 9: 2,000 `tool_call`s with a bad calculator expression; what the server logged. */
async function badToolCalls(target: Target, cells: Cells): Promise<void> {
  const socket = await openSocket(target.port);
  const before = target.logs();
  const codes: Counts = {};
  const frames = 2000;
  for (let sent = 0; sent < frames; sent += 8) {
    const batch = Array.from({ length: 8 }, (_, i) =>
      socket.request({
        type: "tool_call",
        requestId: `t${sent + i}`,
        payload: { toolName: "calculator", args: { expression: "1+" } },
      }),
    );
    for (const answer of await Promise.all(batch)) increment(codes, answer.code ?? answer.type);
  }
  await sleep(300); // the server's last lines through its stdout pipe
  const after = target.logs();
  const bytes = after.bytes - before.bytes;
  cells.toolLog = `${bytes} B in ${after.lines - before.lines} lines (${(bytes / frames).toFixed(1)} B/frame; ${tally(codes)})`;
  socket.close();
}

/** Hole 11, Hono part: `Upgrade: websocket` with `Connection: keep-alive`. */
async function keepAliveUpgrade(target: Target, cells: Cells): Promise<void> {
  const lines = handshakeLines("/ws").map((line) =>
    line === "Connection: Upgrade" ? "Connection: keep-alive" : line,
  );
  const answer = await rawRequest(target.port, lines);
  answer.socket.destroy();
  cells.keepAlive = describeAnswer(answer.status, answer.contentType, answer.body);
}

/** Holes 1, 6, 8, 9 and 11 (keep-alive) on one default server, then its `stop()`. */
export async function measurePlain(framework: Framework): Promise<Cells> {
  const cells: Cells = {};
  const target = await startTarget(framework, 0, { agent: { allowedTools: ["calculator"] } });
  let held: RawAnswer[] = [];
  try {
    held = await upgrades(target, cells);
    await digits(target, cells);
    await badBodies(target, cells);
    await badToolCalls(target, cells);
    await keepAliveUpgrade(target, cells);
  } finally {
    const started = performance.now();
    await target.stop();
    cells.upgradeStop = `${round(performance.now() - started)} (process exit included; 10 s = hung, killed)`;
    for (const answer of held) answer.socket.destroy();
  }
  return cells;
}

/** Hole 2, from the flood script: 400,000 `generate` frames on one socket that never reads. */
export async function measureFlood(framework: Framework, frames: number): Promise<Cells> {
  const r = await runFlood({ framework, frames, idleMs: 1000, log: () => {} });
  return {
    floodRss: `${mib(r.memory.rssBefore)} → ${mib(r.memory.rssPeak)} MiB`,
    floodCalls: `${r.generatePeakActive} at once (${r.generateStarted} in all)`,
    floodEnd: `${r.floodEnd}; flood over after ${(r.takenForMs / 1000).toFixed(1)} s (${r.framesSent} frames out)`,
  };
}
