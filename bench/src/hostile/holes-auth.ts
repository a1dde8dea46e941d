/**
 * The holes script's measures on servers configured beyond the defaults: JWT auth (holes 3, 4,
 * 10 and 11's tokens), `allowedOrigins` (hole 7 and 11's SSE cut by `stop()`), and an auth that
 * holds each handshake 1 s (hole 5).
 */
import type { Framework } from "@agentsocket/server";
import { SignJWT } from "jose";
import { JWT_SECRET } from "../control.ts";
import { HEALTHY_PROMPT } from "./demo-answer.ts";
import { handshakeLines, post, rawRequest, readSse } from "./holes-http.ts";
import { describeAnswer, tally, type Cells } from "./holes-plain.ts";
import { increment, mib, type Counts } from "./report.ts";
import { ECHO_ROUTE } from "./server-profile.ts";
import { startTarget, type Target } from "./target.ts";

const JSON_TYPE: [string, string] = ["Content-Type", "application/json"];
const SMALL = new TextEncoder().encode(JSON.stringify({ prompt: "hi" }));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A JWT for `sub` signed with the bench's secret; `exp` in 5 min unless `expires` is false. */
function sign(sub: string, alg = "HS256", expires = true): Promise<string> {
  const jwt = new SignJWT({}).setProtectedHeader({ alg }).setSubject(sub).setIssuedAt();
  return (expires ? jwt.setExpirationTime("5m") : jwt).sign(new TextEncoder().encode(JWT_SECRET));
}

/** Stops `target` and returns how long it took, in ms (10 s and more: it hung and was killed). */
async function timedStop(target: Target): Promise<string> {
  const started = performance.now();
  await target.stop();
  return `${Math.round(performance.now() - started)} ms`;
}

/** The status of a `/ws` handshake with these query and header lines. */
async function handshake(target: Target, query: string, headers: string[] = []): Promise<number> {
  const answer = await rawRequest(target.port, handshakeLines(`/ws${query}`, headers));
  answer.socket.destroy();
  return answer.status;
}

/** The status of a small `POST /api/agent/generate` with these query and header lines. */
async function generate(target: Target, query: string, headers: [string, string][] = []) {
  return (await post(target.port, `/api/agent/generate${query}`, [JSON_TYPE, ...headers], SMALL))
    .status;
}

/** Hole 3: 200 MB to `/api/agent/generate`, 64 KiB at a time, without and with a valid token. */
async function bigBodies(target: Target, cells: Cells, token: string): Promise<void> {
  const body = { chunk: new Uint8Array(64 * 1024).fill(32), total: 200 * 1024 * 1024 };
  await target.markBefore();
  const anonymous = await post(target.port, "/api/agent/generate", [JSON_TYPE], body);
  const memory = await target.memory();
  cells.bigAnonymous = `${describeAnswer(anonymous.status, anonymous.contentType, anonymous.body)} after ${anonymous.ms.toFixed(0)} ms, ${mib(anonymous.sent)} MiB sent`;
  cells.bigRss = `+${mib(memory.rssPeak - memory.rssBefore)} MiB (peak ${mib(memory.rssPeak)})`;
  const bearer: [string, string] = ["Authorization", `Bearer ${token}`];
  const valid = await post(target.port, "/api/agent/generate", [JSON_TYPE, bearer], body);
  cells.bigValid = `${describeAnswer(valid.status, valid.contentType, valid.body)} after ${valid.ms.toFixed(0)} ms`;
}

/** Holes 10 and 11 (tokens): ambiguous credentials, a token without `exp`, HS384 for HS256. */
async function credentials(target: Target, cells: Cells, a: string): Promise<void> {
  const b = await sign("u2");
  const twoHeaders = [`Authorization: Bearer ${a}`, `Authorization: Bearer ${b}`];
  const twoPairs: [string, string][] = [
    ["Authorization", `Bearer ${a}`],
    ["Authorization", `Bearer ${b}`],
  ];
  const ws = [
    await handshake(target, `?token=${a}&token=${b}`),
    await handshake(target, "", twoHeaders),
    await handshake(target, `?token=${a}&token=${a}`),
  ];
  const http = [
    await generate(target, `?token=${a}&token=${b}`),
    await generate(target, "", twoPairs),
    await generate(target, `?token=${a}&token=${a}`),
  ];
  cells.dupWs = `?token= twice: ${ws[0]}; Authorization twice: ${ws[1]} (same token twice: ${ws[2]})`;
  cells.dupHttp = `?token= twice: ${http[0]}; Authorization twice: ${http[1]} (same token twice: ${http[2]})`;
  const noExp = await sign("u1", "HS256", false);
  const hs384 = await sign("u1", "HS384");
  cells.jwtNoExp = `/ws ${await handshake(target, `?token=${noExp}`)}, HTTP ${await generate(target, `?token=${noExp}`)} (with exp: /ws ${await handshake(target, `?token=${a}`)}, HTTP ${await generate(target, `?token=${a}`)})`;
  cells.jwtHs384 = `/ws ${await handshake(target, `?token=${hs384}`)}, HTTP ${await generate(target, `?token=${hs384}`)}`;
}

/** Hole 4: refused handshakes whose clients keep their side open, then `stop()` among them. */
async function refusedHeld(target: Target, cells: Cells): Promise<string> {
  const bad = ["Authorization: Bearer not-a-token"];
  const answers = await Promise.all(
    Array.from({ length: 20 }, () => rawRequest(target.port, handshakeLines("/ws", bad))),
  );
  const statuses: Counts = {};
  for (const answer of answers) increment(statuses, String(answer.status || "none"));
  const closes = await Promise.all(
    answers.map((answer) => Promise.race([answer.serverClosed, sleep(5000).then(() => NaN)])),
  );
  const freed = closes.filter((ms) => !Number.isNaN(ms));
  cells.refusedClose = `${tally(statuses)}; ${freed.length} of 20 closed by the server, last after ${freed.length ? Math.max(...freed).toFixed(0) : "-"} ms`;
  const held = await Promise.all(
    Array.from({ length: 20 }, () => rawRequest(target.port, handshakeLines("/ws", bad))),
  );
  const stop = await timedStop(target);
  for (const answer of [...answers, ...held]) answer.socket.destroy();
  return stop;
}

/** Holes 3, 4, 10 and 11 (tokens) on a server with `jwt: { secret }` bearer auth. */
export async function measureJwt(framework: Framework): Promise<Cells> {
  const cells: Cells = {};
  const auth = { strategy: "bearer" as const, jwt: { secret: JWT_SECRET } };
  const target = await startTarget(framework, 0, { websocket: { auth } });
  try {
    const token = await sign("u1");
    await bigBodies(target, cells, token);
    await credentials(target, cells, token);
    cells.refusedStop = await refusedHeld(target, cells);
  } finally {
    await target.stop();
  }
  return cells;
}

/** Hole 7 and 11's SSE on a server with `allowedOrigins: ["https://app.example"]`. */
export async function measureOrigins(framework: Framework): Promise<Cells> {
  const cells: Cells = {};
  const target = await startTarget(framework, 40, {
    websocket: { allowedOrigins: ["https://app.example"] },
  });
  try {
    const path = "/api/agent/generate";
    const answer = async (headers: [string, string][]) => {
      const reply = await post(target.port, path, headers, SMALL);
      return describeAnswer(reply.status, reply.contentType, reply.body);
    };
    cells.originEvil = `${await answer([JSON_TYPE, ["Origin", "https://evil.example"]])} (allowed origin: ${(await answer([JSON_TYPE, ["Origin", "https://app.example"]])).split(" ")[0]})`;
    cells.originType = await answer([["Content-Type", "text/plain;charset=application/json"]]);
    let stopping: Promise<string> | undefined;
    const events = await readSse(
      target.port,
      "/api/agent/stream",
      { prompt: HEALTHY_PROMPT, requestId: "s1" },
      (event) => {
        if (event.type === "chunk") stopping ??= timedStop(target);
      },
    );
    const last = events.at(-1);
    const chunks = events.filter((event) => event.type === "chunk").length;
    cells.sseEnd = `${String(last?.type)} ${String(last?.code ?? last?.status ?? "")} after ${chunks} chunk(s); stop() ${stopping ? await stopping : "not reached"}`;
  } finally {
    await target.stop();
  }
  return cells;
}

/** Hole 5: 50 handshakes held 1 s in auth when `stop()` begins. */
export async function measureShutdown(framework: Framework): Promise<Cells> {
  const target = await startTarget(framework, 0, { authDelayMs: 1000 });
  try {
    const attempts = Array.from({ length: 50 }, () =>
      rawRequest(target.port, handshakeLines("/ws"), 10_000),
    );
    const inAuth = async () =>
      JSON.parse((await post(target.port, ECHO_ROUTE, [JSON_TYPE], SMALL)).body) as {
        inAuth: number;
      };
    for (let i = 0; i < 100 && (await inAuth()).inAuth < 50; i++) await sleep(10);
    const entered = (await inAuth()).inAuth;
    const stop = timedStop(target);
    const answers = await Promise.all(attempts);
    const statuses: Counts = {};
    for (const answer of answers) {
      increment(
        statuses,
        answer.status
          ? describeAnswer(answer.status, answer.contentType, answer.body)
          : "closed, no answer",
      );
      answer.socket.destroy();
    }
    return { inAuth: `${tally(statuses)} (${entered} in auth at stop); stop() ${await stop}` };
  } finally {
    await target.stop();
  }
}
