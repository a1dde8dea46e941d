/**
 * `pnpm --filter @agentsocket/bench run holes`: for each hole of issue 8, the figure the issue
 * gave "before" beside what today's code does, measured on Hono, Express and Fastify. Each server
 * is the real `createServer` in its own process on 127.0.0.1, port 0 (target.ts), configured
 * for the hole where the default does not reach it (server-profile.ts). Prints one Markdown
 * table; evidence, not a test: it fails nothing.
 *
 * Options: `--frameworks=hono,express,fastify`, `--flood-frames=N` (default 400,000),
 * `--holes=plain,flood,jwt,origins,shutdown` (which servers to run).
 */
import type { Framework } from "@agentsocket/server";
import { readArguments } from "../cli-options.ts";
import { formatTable } from "../report/format.ts";
import { FRAMEWORKS } from "../report/tables.ts";
import { withTimeout } from "../timeout.ts";
import { measureJwt, measureOrigins, measureShutdown } from "./holes-auth.ts";
import { measureFlood, measurePlain, type Cells } from "./holes-plain.ts";

/** A row: its cell id, the hole, what is measured, and the "before". */
const ROWS: [id: string, hole: string, measured: string, before: string][] = [
  ["upgradeStatus", "1", "300 `Upgrade: foo` + 1 h2c to /api/health: answers", "none (Hono)"],
  ["upgradeClosed", "1", "client sockets the server closed", "none; 302 in CLOSE_WAIT (Hono)"],
  ["upgradeSockets", "1", "server's TCP sockets after (not LISTEN)", "302 CLOSE_WAIT (Hono)"],
  ["upgradeStop", "1", "`stop()` with those clients open", "never resolves (Hono)"],
  ["floodRss", "2", "400,000 `generate`, never read: server RSS", "130 MB → 2.1 GB"],
  ["floodCalls", "2", "backend calls at once", "5,000"],
  ["floodEnd", "2", "how the flooder ended", "kept, 526 MB queued"],
  ["bigAnonymous", "3", "200 MB POST /api/agent/generate, no key", "401 after reading it (Hono)"],
  ["bigRss", "3", "server RSS growth over it", "+800 MB (Hono)"],
  ["bigValid", "3", "the same with a valid token", "413 (Express, Fastify)"],
  [
    "refusedClose",
    "4",
    "20 refused handshakes (bad token), client keeps its side",
    "never destroyed (Hono, Express)",
  ],
  [
    "refusedStop",
    "4",
    "`stop()` with such clients connected",
    "hangs (Hono, Express); 10 ms (Fastify)",
  ],
  [
    "inAuth",
    "5",
    "50 handshakes in auth (1 s) when `stop()` begins",
    "50 got 101 (Hono); 503 (Express, Fastify)",
  ],
  ["digitsCpu", "6", "5 × 10 `generate`, 32,000-digit prompt: server CPU", "~550 ms per frame"],
  ["digitsProbe", "6", "another client's ping/pong meanwhile", "stalled 4–5 s"],
  ["originEvil", "7", "cross-origin POST /api/agent/generate", "served (not guarded)"],
  ["originType", "7", "`text/plain;charset=application/json`", "parsed as JSON (Hono)"],
  ["badAgent", "8", "`{bad`, 2 MiB, `null` to /api/agent/generate", "HTML with stack (Express)"],
  ["badUser", "8", "the same to a user route (`registerRoute`)", "HTML with stack (Express)"],
  ["toolLog", "9", "2,000 bad calculator `tool_call`s: server log", "~1 KB of stack per frame"],
  ["dupWs", "10", "duplicate credentials on /ws", "first taken"],
  ["dupHttp", "10", "duplicate credentials on POST /api/agent/generate", "last taken"],
  ["jwtNoExp", "11", "JWT without `exp`", "accepted"],
  ["jwtHs384", "11", "HS384 JWT, HS256 secret, `algorithms` unset", "accepted"],
  ["sseEnd", "11", "SSE stream cut by `stop()`: last event", "no terminal event"],
  ["keepAlive", "11", "`Upgrade: websocket` + `Connection: keep-alive`", "500 (Hono)"],
];

const SERVERS = ["plain", "flood", "jwt", "origins", "shutdown"] as const;
const { count, list } = readArguments(process.argv.slice(2));
for (const arg of process.argv.slice(2)) {
  if (!/^--(frameworks|flood-frames|holes)=/.test(arg))
    throw new TypeError(`Unknown argument "${arg}"`);
}
const frameworks = list("frameworks", FRAMEWORKS);
const servers = list("holes", SERVERS);
const floodFrames = count("flood-frames") ?? 400_000;
const measures: Record<(typeof SERVERS)[number], (framework: Framework) => Promise<Cells>> = {
  plain: measurePlain,
  flood: (framework) => measureFlood(framework, floodFrames),
  jwt: measureJwt,
  origins: measureOrigins,
  shutdown: measureShutdown,
};

const started = performance.now();
const cells = new Map<Framework, Cells>(frameworks.map((framework) => [framework, {}]));
for (const framework of frameworks) {
  for (const server of servers) {
    const begun = performance.now();
    try {
      Object.assign(
        cells.get(framework)!,
        await withTimeout(measures[server](framework), 90_000, `${server} ${framework}`),
      );
    } catch (error) {
      cells.get(framework)!.error = `${server}: ${String(error)}`;
    }
    console.error(`${framework} ${server}: ${((performance.now() - begun) / 1000).toFixed(1)} s`);
  }
}

const rows = ROWS.filter(([id]) => frameworks.some((framework) => cells.get(framework)![id]));
console.log(
  `\n${formatTable(
    ["hole", "measured", "before (issue 8)", ...frameworks],
    rows.map(([id, hole, measured, before]) => [
      hole,
      measured,
      before,
      ...frameworks.map((framework) => cells.get(framework)![id] ?? "-"),
    ]),
    3 + frameworks.length,
  )}\n`,
);
for (const framework of frameworks) {
  const error = cells.get(framework)!.error;
  if (error) console.log(`${framework}: FAILED ${error}`);
}
console.log(`holes: ${((performance.now() - started) / 1000).toFixed(1)} s`);
process.exit(0);
