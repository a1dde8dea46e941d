/**
 * The agent backend `agentsocket serve` runs, chosen by environment variables: an OpenAI model
 * through the Vercel AI SDK when `OPENAI_API_KEY` is set, else the offline demo agent.
 */
import type { AgentBackend } from "@agentsocket/core";
import { createDemoAgent } from "@agentsocket/core/demo";

/** The backend {@link backendFromEnv} chose, and a short description of it for humans. */
export interface EnvBackend {
  backend: AgentBackend;
  /** e.g. `offline demo agent` or `OpenAI gpt-4o-mini via the AI SDK`. */
  description: string;
  /** Tools clients may run directly with `tool_call`. */
  allowedTools: string[];
}

const DEFAULT_OPENAI_MODEL = "gpt-4o-mini";

/**
 * Picks the agent backend from the environment. Empty variables count as unset.
 *
 * - `OPENAI_API_KEY` set: `fromAISDK` over `@ai-sdk/openai`, with `OPENAI_MODEL`
 *   (default `gpt-4o-mini`) and `OPENAI_BASE_URL` (any OpenAI-compatible endpoint, spoken to
 *   through its Chat Completions API).
 * - otherwise: `createDemoAgent()`, streaming `AGENTSOCKET_DEMO_TOKENS_PER_SECOND` tokens a second
 *   (default 40; 0 is as fast as possible).
 *
 * The AI SDK is imported only when it is used, so the demo starts without loading it.
 * @throws {TypeError} naming the variable when `OPENAI_BASE_URL` is not a URL or
 * `AGENTSOCKET_DEMO_TOKENS_PER_SECOND` is not a non-negative number.
 * @example
 * const { backend, description } = await backendFromEnv(process.env);
 */
export async function backendFromEnv(env: NodeJS.ProcessEnv): Promise<EnvBackend> {
  const apiKey = env.OPENAI_API_KEY || undefined;
  if (apiKey === undefined) return demoFromEnv(env);

  const baseURL = env.OPENAI_BASE_URL || undefined;
  if (baseURL !== undefined && !URL.canParse(baseURL)) {
    throw new TypeError(`OPENAI_BASE_URL must be a URL (got ${JSON.stringify(baseURL)})`);
  }
  const modelId = env.OPENAI_MODEL || DEFAULT_OPENAI_MODEL;
  const [{ createOpenAI }, { fromAISDK }] = await Promise.all([
    import("@ai-sdk/openai"),
    import("@agentsocket/ai-sdk"),
  ]);
  const openai = createOpenAI({ apiKey, baseURL });
  // OpenAI itself serves the Responses API; compatible servers (vLLM, Ollama, LiteLLM…) speak
  // Chat Completions, so a custom base URL gets the chat model.
  const backend = fromAISDK({
    model: baseURL === undefined ? openai(modelId) : openai.chat(modelId),
  });
  // Only the origin is shown: a base URL may carry credentials or tokens in its path or query.
  const where = baseURL === undefined ? "" : ` at ${new URL(baseURL).origin}`;
  return { backend, description: `OpenAI ${modelId}${where} via the AI SDK`, allowedTools: [] };
}

function demoFromEnv(env: NodeJS.ProcessEnv): EnvBackend {
  const raw = env.AGENTSOCKET_DEMO_TOKENS_PER_SECOND || undefined;
  if (raw !== undefined && !/^\d+(\.\d+)?$/.test(raw)) {
    throw new TypeError(
      `AGENTSOCKET_DEMO_TOKENS_PER_SECOND must be a number >= 0 (got ${JSON.stringify(raw)})`,
    );
  }
  return {
    backend: createDemoAgent(raw === undefined ? {} : { tokensPerSecond: Number(raw) }),
    description: "offline demo agent",
    allowedTools: ["calculator", "current_time"],
  };
}
