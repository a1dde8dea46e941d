/**
 * Which stream log `agent.resume` uses under `createServer`: the one given as `resume.store`, else
 * the broker's (`createRedisBroker()` offers one on its Redis, so a stream can be resumed on any
 * instance), else core's in-memory store.
 */
import type { AgentOptions, MessageBroker } from "@agentsocket/core";

/** `agent` with `resume.store` taken from `broker` when resume is on and no store was given. */
export function withBrokerStreamStore(
  agent: AgentOptions | undefined,
  broker: MessageBroker | undefined,
): AgentOptions | undefined {
  const resume = agent?.resume;
  if (!resume || typeof broker?.streamStore !== "function") return agent;
  if (typeof resume === "object" && resume.store !== undefined) return agent;
  const store = broker.streamStore();
  if (store === undefined) return agent;
  return { ...agent, resume: { ...(resume === true ? {} : resume), store } };
}
