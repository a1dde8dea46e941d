/**
 * The server the hostile-client scripts attack: `createServer` with its defaults (no auth, the
 * default limits) on the framework named by argv[2], serving core's demo agent at argv[3] tokens
 * per second behind an upstream counter. `GET /__hostile/upstream` reports the counters and
 * whether anything reached `Object.prototype`; the fork IPC channel serves the bench's control
 * commands (memory after GC, stop). With `HOSTILE_TURNS=1`, `GET /__hostile/turns` starts, then stops
 * and reports, a monitor of its long event-loop turns (turn-monitor.ts). argv[4], if given, is a
 * {@link ServerProfile} in JSON (the holes script's configs); `POST /__hostile/echo` answers the
 * parsed body of a user route.
 */
import { createServer, type Framework } from "@agentsocket/server";
import { createDemoAgent } from "@agentsocket/core/demo";
import { serveAgentServerControl } from "../control.ts";
import { ECHO_ROUTE, type ServerProfile } from "./server-profile.ts";
import { countUpstream, UPSTREAM_ROUTE, type UpstreamReport } from "./upstream-counter.ts";
import { turnMonitor, TURNS_ROUTE, type TurnReport } from "./turn-monitor.ts";

const framework = process.argv[2] as Framework;
const tokensPerSecond = Number(process.argv[3] ?? 40);
const pristine = new Set(Object.getOwnPropertyNames(Object.prototype));
const { backend, counts } = countUpstream(createDemoAgent({ tokensPerSecond }));
const profile = JSON.parse(process.argv[4] ?? "{}") as ServerProfile;
let inAuth = 0;
// A custom auth that holds each handshake authDelayMs, then accepts it (hole 5's handshakes).
const slowAuth = profile.authDelayMs && {
  strategy: "custom" as const,
  validate: async () => {
    inAuth++;
    await new Promise((resolve) => setTimeout(resolve, profile.authDelayMs));
    return { id: "slow" };
  },
};

const server = await createServer(backend, {
  framework,
  config: {
    port: 0,
    host: "127.0.0.1",
    ...(profile.agent ? { agent: profile.agent } : {}),
    ...(profile.websocket || slowAuth
      ? { websocket: { ...profile.websocket, ...(slowAuth ? { auth: slowAuth } : {}) } }
      : {}),
  },
});
server.registerRoute({
  method: "POST",
  path: ECHO_ROUTE,
  description: "The parsed body of a user route, and the handshakes that entered the slow auth",
  handler: ({ body }) => ({ body, inAuth }),
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
