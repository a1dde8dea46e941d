/**
 * What an intact stream reads: the demo agent is deterministic, so the text the server streams
 * for a prompt is the text a local demo agent generates for it, computed here without a server.
 */
import { createDemoAgent } from "@agentsocket/core/demo";

/** The healthy clients' prompt: no digits and no time words, so no tool call and no clock. */
export const HEALTHY_PROMPT = "Explain how a hostile client is kept away from the healthy ones";

/** The demo agent's full answer to `prompt`. */
export async function demoAnswer(prompt: string): Promise<string> {
  const result = await createDemoAgent({ tokensPerSecond: 0 }).generate({
    input: { text: prompt },
  });
  return result.content;
}
