/**
 * The payloads of the agent's message types and their zod schemas, built once per service from
 * its limits. The WebSocket router and the HTTP handler validate with the same schemas.
 */
import { z } from "zod";

/** The client options a `generate`/`stream` request may carry (each allow-listed). */
export interface PromptRequestOptions {
  temperature?: number;
  maxTokens?: number;
  model?: string;
}

/** The payload of `generate` and `stream`. */
export interface PromptPayload {
  prompt: string;
  options?: PromptRequestOptions;
  /** Continue this conversation (with `agent.conversations` on); without one a new one starts. */
  conversationId?: string;
}

/** The payload of `tool_call`. */
export interface ToolCallPayload {
  toolName: string;
  args?: unknown;
}

/** The payload of `cancel`. */
export interface CancelPayload {
  requestId: string;
}

/** One schema per agent message type. */
export interface AgentSchemas {
  generate: z.ZodType<PromptPayload>;
  stream: z.ZodType<PromptPayload>;
  tool_call: z.ZodType<ToolCallPayload>;
  cancel: z.ZodType<CancelPayload>;
}

/** Longest accepted `requestId` (the envelope enforces the same). */
export const MAX_REQUEST_ID = 128;
/** Longest accepted `conversationId` (stores accept ids of up to 128 characters). */
const MAX_CONVERSATION_ID = 128;

export function createAgentSchemas(limits: {
  maxPromptLength: number;
  maxTokens: number;
  allowedModels?: readonly string[] | undefined;
}): AgentSchemas {
  const { allowedModels } = limits;
  const options = z
    .object({
      temperature: z.number().min(0).max(2),
      maxTokens: z.number().int().min(1).max(limits.maxTokens),
      model: z.string().refine((model) => allowedModels?.includes(model) ?? false, {
        message: "Model is not allowed",
      }),
    })
    .partial()
    .strict();
  const prompt = z.object({
    prompt: z.string().trim().min(1, "Prompt is required").max(limits.maxPromptLength),
    options: options.optional(),
    conversationId: z.string().min(1).max(MAX_CONVERSATION_ID).optional(),
  });
  return {
    generate: prompt,
    stream: prompt,
    tool_call: z.object({ toolName: z.string().min(1).max(200), args: z.unknown().optional() }),
    cancel: z.object({ requestId: z.string().min(1).max(MAX_REQUEST_ID) }),
  };
}
