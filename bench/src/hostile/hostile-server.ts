/**
 * The server the hostile-client scripts attack: `createServer` with its defaults (no auth, the
 * default limits) on the framework named by argv[2], serving core's demo agent at argv[3] tokens
 * per second behind an upstream counter. `GET /__hostile/upstream` reports the counters and
 * whether anything reached `Object.prototype`; the fork IPC channel serves the bench's control
 * commands (memory after GC, stop). With `HOSTILE_TURNS=1`, `GET /__hostile/turns` starts, then stops
 * and reports, a monitor of its long event-loop turns (turn-monitor.ts).
 */
import { createServer, type Framework } from "@agentsocket/server";
import { createDemoAgent } from "@agentsocket/core/demo";
import { serveAgentServerControl } from "../control.ts";
import { countUpstream, UPSTREAM_ROUTE, type UpstreamReport } from "./upstream-counter.ts";
import { turnMonitor, TURNS_ROUTE, type TurnReport } from "./turn-monitor.ts";

const framework = process.argv[2] as Framework;
const tokensPerSecond = Number(process.argv[3] ?? 40);
const pristine = new Set(Object.getOwnPropertyNames(Object.prototype));
const { backend, counts } = countUpstream(createDemoAgent({ tokensPerSecond }));

const server = await createServer(backend, {
  framework,
  config: { port: 0, host: "127.0.0.1" },
});
server.registerRoute({
  method: "GET",
  path: UPSTREAM_ROUTE,
  description: "Counters of the hostile-client scripts",
  handler: (): UpstreamReport => ({
    ...counts(),
    prototypeKeys: Object.getOwnPropertyNames(Object.prototype).filter((k) => !pristine.has(k)),
  }),
});
if (process.env.HOSTILE_TURNS === "1") {
  const takeTurns = turnMonitor();
  server.registerRoute({
    method: "GET",
    path: TURNS_ROUTE,
    description: "Starts the turn monitor, or stops it and reports the long turns since",
    handler: (): TurnReport => takeTurns(),
  });
}
await server.start();

serveAgentServerControl(server);
