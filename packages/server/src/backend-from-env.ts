/**
 * The agent backend `agentsocket serve` runs, chosen by environment variables: an OpenAI model
 * through the Vercel AI SDK when `OPENAI_API_KEY` is set, else the offline demo agent.
 */
import type { AgentBackend } from "@agentsocket/core";
import { createDemoAgent } from "@agentsocket/core/demo";
import { importPeer } from "./import-peer.ts";

/** The backend {@link backendFromEnv} chose, and a short description of it for humans. */
export interface EnvBackend {
  backend: AgentBackend;
  /** e.g. `offline demo agent` or `OpenAI gpt-4o-mini via the AI SDK`. */
  description: string;
  /** Tools clients may run directly with `tool_call`. */
  allowedTools: string[];
}

const DEFAULT_OPENAI_MODEL = "gpt-4o-mini";
/** Optional peers of this package: only a server with `OPENAI_API_KEY` set loads them. */
const AI_SDK = ["ai", "@ai-sdk/openai", "@agentsocket/ai-sdk"] as const;
const OPENAI_FEATURE = "OPENAI_API_KEY is set: serving an OpenAI model";

/**
 * Picks the agent backend from the environment. Empty variables count as unset.
 *
 * - `OPENAI_API_KEY` set: `fromAISDK` over `@ai-sdk/openai`, with `OPENAI_MODEL`
 *   (default `gpt-4o-mini`) and `OPENAI_BASE_URL` (any OpenAI-compatible endpoint, spoken to
 *   through its Chat Completions API).
 * - otherwise: `createDemoAgent()`, streaming `AGENTSOCKET_DEMO_TOKENS_PER_SECOND` tokens a second
 *   (default 40; 0 is as fast as possible).
 *
 * The AI SDK is imported only when it is used, so the demo starts without loading it (or having
 * it installed).
 * @throws {MissingPeerError} naming the packages to install when the AI SDK is needed but not
 * installed.
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
    importPeer(() => import("@ai-sdk/openai"), OPENAI_FEATURE, AI_SDK),
    importPeer(() => import("@agentsocket/ai-sdk"), OPENAI_FEATURE, AI_SDK),
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
