/**
 * `AGENTSOCKET_RESUME`: whether `agentsocket serve` keeps a dropped connection's streams running
 * for a resume (`agent.resume`, on by default), so the chat page never loses an answer.
 */

/**
 * The `agent.resume` field `serve` runs with: `true` unless `AGENTSOCKET_RESUME=0`.
 * @throws {TypeError} naming `AGENTSOCKET_RESUME` for a value other than 0 or 1.
 */
export function resumeFromEnv(env: NodeJS.ProcessEnv): { resume: boolean } {
  const value = env.AGENTSOCKET_RESUME ?? "";
  if (!["", "0", "1"].includes(value)) {
    throw new TypeError(`AGENTSOCKET_RESUME must be 0 or 1 (got ${JSON.stringify(value)})`);
  }
  return { resume: value !== "0" };
}
