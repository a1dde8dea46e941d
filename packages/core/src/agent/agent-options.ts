/**
 * The defaults of the agent's options and the up-front checks that name a bad one.
 */
import { resolveConversations } from "./conversations/turns.ts";
import { resolveResumeOptions } from "./resume/resume-options.ts";
import type { AgentOptions, ResolvedAgentOptions } from "./service.ts";
import { checkLimitStore, checkStreamRate } from "./stream-rate.ts";

const DEFAULTS = {
  maxConcurrentStreams: 4,
  maxInFlightRequests: 16,
  maxPromptLength: 32_000,
  maxTokens: 32_768,
};

/**
 * Fills in the defaults of {@link AgentOptions} into a new object.
 * @throws {TypeError} naming the first invalid option.
 */
export function resolveAgentOptions(options: AgentOptions): ResolvedAgentOptions {
  const settings = {
    ...options,
    maxConcurrentStreams: options.maxConcurrentStreams ?? DEFAULTS.maxConcurrentStreams,
    maxInFlightRequests: options.maxInFlightRequests ?? DEFAULTS.maxInFlightRequests,
    maxPromptLength: options.maxPromptLength ?? DEFAULTS.maxPromptLength,
    maxTokens: options.maxTokens ?? DEFAULTS.maxTokens,
  };
  for (const name of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) {
    if (!Number.isInteger(settings[name]) || settings[name] < 1) {
      throw new TypeError(`The "${name}" option must be a positive integer`);
    }
  }
  const defaults = settings.requestDefaults ?? {};
  if (typeof defaults !== "object" || defaults === null || Array.isArray(defaults)) {
    throw new TypeError('The "requestDefaults" option must be an object');
  }
  const allowedTools = settings.allowedTools ?? [];
  if (
    allowedTools !== "*" &&
    !(Array.isArray(allowedTools) && allowedTools.every((t) => typeof t === "string"))
  ) {
    throw new TypeError('The "allowedTools" option must be an array of tool names or "*"');
  }
  checkStreamRate(settings.maxStreamsPerMinute);
  checkLimitStore(settings.limits);
  const conversations = resolveConversations(settings.conversations);
  const resume = resolveResumeOptions(settings.resume);
  return { ...settings, requestDefaults: { ...defaults }, allowedTools, conversations, resume };
}
