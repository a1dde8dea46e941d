/**
 * The abuse limits of `agentsocket serve` from the environment: seed 003's `RATE_LIMIT_WINDOW`,
 * `RATE_LIMIT_MAX_REQUESTS` and `RATE_LIMIT_MAX_CONNECTIONS`, plus
 * `AGENTSOCKET_MAX_CONNECTIONS_PER_USER` and `AGENTSOCKET_STREAMS_PER_MINUTE`. Unset (or empty)
 * variables leave a limit off; a bad value is a `TypeError` naming the variable.
 */
import type { AgentOptions, WebSocketConfig } from "@agentsocket/core";

/** The limits part of the server's config. */
export interface EnvLimits {
  websocket: Pick<WebSocketConfig, "rateLimit" | "maxConnectionsPerIp" | "maxConnectionsPerUser">;
  agent: Pick<AgentOptions, "maxStreamsPerMinute">;
}

function count(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const value = env[name];
  if (value === undefined || value === "") return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new TypeError(`${name} must be a positive integer (got ${JSON.stringify(value)})`);
  return Number(value);
}

/**
 * Reads the limits: `RATE_LIMIT_MAX_REQUESTS` frames per `RATE_LIMIT_WINDOW` ms (default 60000)
 * per connection, as a token bucket that holds `RATE_LIMIT_MAX_REQUESTS` and refills over the
 * window; `RATE_LIMIT_MAX_CONNECTIONS` per remote address; `AGENTSOCKET_MAX_CONNECTIONS_PER_USER`
 * per authenticated user; `AGENTSOCKET_STREAMS_PER_MINUTE` streams started per user.
 * @throws {TypeError} naming the variable with a bad value.
 */
export function limitsFromEnv(env: NodeJS.ProcessEnv): EnvLimits {
  const websocket: EnvLimits["websocket"] = {};
  const agent: EnvLimits["agent"] = {};
  const maxRequests = count(env, "RATE_LIMIT_MAX_REQUESTS");
  const window = count(env, "RATE_LIMIT_WINDOW");
  if (window !== undefined && maxRequests === undefined)
    throw new TypeError("RATE_LIMIT_WINDOW needs RATE_LIMIT_MAX_REQUESTS");
  if (maxRequests !== undefined)
    websocket.rateLimit = {
      messagesPerSecond: (maxRequests * 1000) / (window ?? 60_000),
      burst: maxRequests,
    };
  const perIp = count(env, "RATE_LIMIT_MAX_CONNECTIONS");
  if (perIp !== undefined) websocket.maxConnectionsPerIp = perIp;
  const perUser = count(env, "AGENTSOCKET_MAX_CONNECTIONS_PER_USER");
  if (perUser !== undefined) websocket.maxConnectionsPerUser = perUser;
  const streams = count(env, "AGENTSOCKET_STREAMS_PER_MINUTE");
  if (streams !== undefined) agent.maxStreamsPerMinute = streams;
  return { websocket, agent };
}
