/**
 * Lua scripts on node-redis: each script is sent by its SHA1 (`EVALSHA`) and, the first time a
 * Redis has not seen it (`NOSCRIPT`), by its source.
 */
import { createHash } from "node:crypto";

/** The one command a script runner needs: node-redis's `sendCommand`. */
export interface CommandSender {
  sendCommand(args: string[]): Promise<unknown>;
}

/** A Lua script and its SHA1. */
export interface Script {
  source: string;
  sha: string;
}

export const script = (source: string): Script => ({
  source,
  sha: createHash("sha1").update(source).digest("hex"),
});

/** Runs `lua` with `keys` and `args`. */
export async function runScript(
  redis: CommandSender,
  lua: Script,
  keys: readonly string[],
  args: readonly string[],
): Promise<unknown> {
  const tail = [String(keys.length), ...keys, ...args];
  try {
    return await redis.sendCommand(["EVALSHA", lua.sha, ...tail]);
  } catch (error) {
    if (!String((error as Error)?.message).startsWith("NOSCRIPT")) throw error;
    return redis.sendCommand(["EVAL", lua.source, ...tail]);
  }
}
