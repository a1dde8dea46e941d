/**
 * The options of `agentsocket serve`: flags merged over environment variables (a flag wins over
 * its variable), each bad value a `TypeError` naming the flag or variable.
 */
import { parseArgs } from "node:util";
import type { AuthConfig } from "@agentsocket/core";
import type { Framework } from "./create-server.ts";
import { serveOrigins } from "./serve-exposure.ts";

/** What `agentsocket serve` runs with, after flags and environment are merged. */
export interface ServeOptions {
  framework: Framework;
  port: number;
  /** The interface to bind (`--host`/`HOST`). @default "127.0.0.1" */
  host: string;
  /**
   * Browser origins the WebSocket and HTTP routes accept: the page's own (`"same-origin"`), the
   * ones in `AGENTSOCKET_ALLOWED_ORIGINS`, and those Socket.IO's CORS admits.
   */
  allowedOrigins: string[];
  auth: AuthConfig;
  /** Serve the Socket.IO namespace too (`AGENTSOCKET_SOCKETIO=1`), with CORS for these origins. */
  socketio: false | { cors?: { origin: string[]; credentials: true } };
  /** Models clients may pick (`AGENTSOCKET_ALLOWED_MODELS`); none when empty. */
  allowedModels: string[];
  /** How long SIGTERM lets running streams finish (`AGENTSOCKET_DRAIN_MS`). @default 25000 */
  drainMs: number;
}

const DEFAULTS = { framework: "hono", port: 3000, host: "127.0.0.1", drainMs: 25_000 } as const;
const FRAMEWORKS: readonly Framework[] = ["hono", "express", "fastify"];

/**
 * Merges `serve` flags over `AGENTSOCKET_FRAMEWORK`, `PORT` and `HOST`, and reads auth and
 * `AGENTSOCKET_ALLOWED_ORIGINS` from the environment. Empty variables count as unset.
 * @throws {TypeError} naming the flag or variable that is unknown or has a bad value.
 */
export function parseServeOptions(args: string[], env: NodeJS.ProcessEnv): ServeOptions {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      framework: { type: "string", short: "f" },
      port: { type: "string", short: "p" },
      host: { type: "string" },
    },
  });
  const pick = (flag: keyof typeof values, variable: string) => {
    const fromFlag = values[flag];
    if (fromFlag !== undefined) return { value: fromFlag, source: `--${flag}` };
    const fromEnv = env[variable];
    return fromEnv ? { value: fromEnv, source: variable } : undefined;
  };

  const framework = pick("framework", "AGENTSOCKET_FRAMEWORK");
  if (framework && !FRAMEWORKS.includes(framework.value as Framework)) {
    throw new TypeError(
      `${framework.source} must be hono, express or fastify (got ${JSON.stringify(framework.value)})`,
    );
  }
  const port = pick("port", "PORT");
  if (port && !(/^\d{1,5}$/.test(port.value) && Number(port.value) <= 65535)) {
    throw new TypeError(
      `${port.source} must be an integer from 0 to 65535 (got ${JSON.stringify(port.value)})`,
    );
  }
  const host = pick("host", "HOST");
  if (host?.value === "") throw new TypeError(`${host.source} must not be empty`);
  const socketio = env.AGENTSOCKET_SOCKETIO ?? "";
  const origins = listFromEnv(env.AGENTSOCKET_SOCKETIO_CORS);
  if (!["", "0", "1"].includes(socketio)) {
    throw new TypeError(`AGENTSOCKET_SOCKETIO must be 0 or 1 (got ${JSON.stringify(socketio)})`);
  }
  const drainMs = env.AGENTSOCKET_DRAIN_MS || String(DEFAULTS.drainMs);
  if (!/^\d{1,9}$/.test(drainMs))
    throw new TypeError(
      `AGENTSOCKET_DRAIN_MS must be a whole number of milliseconds (got ${JSON.stringify(drainMs)})`,
    );
  return {
    framework: (framework?.value as Framework | undefined) ?? DEFAULTS.framework,
    port: port ? Number(port.value) : DEFAULTS.port,
    host: host?.value ?? DEFAULTS.host,
    allowedOrigins: serveOrigins(listFromEnv(env.AGENTSOCKET_ALLOWED_ORIGINS), origins),
    auth: authFromEnv(env),
    socketio:
      socketio === "1" &&
      (origins.length > 0 ? { cors: { origin: origins, credentials: true } } : {}),
    allowedModels: listFromEnv(env.AGENTSOCKET_ALLOWED_MODELS),
    drainMs: Number(drainMs),
  };
}

/**
 * Handshake auth from the environment: `AGENTSOCKET_JWT_SECRET` → bearer JWT; else
 * `AGENTSOCKET_API_KEYS` (comma-separated) → API keys; else none.
 * @throws {TypeError} when `AGENTSOCKET_API_KEYS` is set but holds no key, so a typo cannot
 * silently leave the server open.
 */
export function authFromEnv(env: NodeJS.ProcessEnv): AuthConfig {
  const secret = env.AGENTSOCKET_JWT_SECRET;
  if (secret) return { strategy: "bearer", jwt: { secret } };
  const list = env.AGENTSOCKET_API_KEYS;
  if (list === undefined || list === "") return { strategy: "none" };
  const apiKeys = list
    .split(",")
    .map((key) => key.trim())
    .filter((key) => key !== "");
  if (apiKeys.length === 0) throw new TypeError("AGENTSOCKET_API_KEYS holds no key");
  return { strategy: "apiKey", apiKeys };
}

/** A comma-separated variable's items, trimmed, empty ones dropped. */
function listFromEnv(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}
