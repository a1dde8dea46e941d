import { generateText, stepCountIs, streamText } from "ai";
import type { LanguageModel, ModelMessage, ToolSet } from "ai";
import type { AgentBackend, AgentRequestOptions, AgentToolCall } from "@agentsocket/core";
import type { ChatBackend } from "@agentsocket/core/agent";
import { guardAbort } from "./abort-guard.ts";
import { toAgentStreamResult } from "./stream.ts";
import { uiStreamMethods } from "./ui-stream.ts";
import { executeTool, listTools } from "./tools.ts";
import { toTokenUsage } from "./usage.ts";

/**
 * Options of {@link fromAISDK}.
 * @example
 * const options: FromAISDKOptions = { model: anthropic("claude-sonnet-4-5"), maxSteps: 3 };
 */
export interface FromAISDKOptions {
  /**
   * The model every request goes to: a provider's model such as `openai("gpt-4o")`, or a model id
   * string resolved by the AI SDK's global provider (the AI Gateway unless configured otherwise).
   */
  model: LanguageModel;
  /**
   * Tools the model may call, made with the AI SDK's `tool({ description, inputSchema, execute })`.
   * They are also what `executeTool` (a client's `tool_call`) runs and `getAllAvailableTools` lists.
   * @default {}
   */
  tools?: ToolSet;
  /**
   * The system prompt, used when a request brings no `systemPrompt` of its own.
   * @default undefined (no system prompt)
   */
  system?: string;
  /**
   * The most model calls one request may make. Each tool round trip takes one more call, so `1`
   * stops after the first tool call; passed to the SDK as `stopWhen: stepCountIs(maxSteps)`.
   * @default 5
   */
  maxSteps?: number;
}

const DEFAULTS = { tools: {}, maxSteps: 5 } satisfies Partial<FromAISDKOptions>;

/**
 * Makes an agent backend out of a Vercel AI SDK model and tools: `generate` calls `generateText`,
 * `stream` calls `streamText` (text deltas, tool calls and tool results as stream items; the
 * request's `abortSignal` stops the model), `executeTool` runs one of `tools` directly. It is also
 * a chat backend (`streamUI`) for the AI SDK chat path: `useChat`'s messages in, the SDK's own
 * UI message chunks out.
 *
 * A request's `model` id is ignored: every request goes to `options.model`.
 * @param options the model, tools, default system prompt and step limit.
 * @throws {TypeError} when `model` is missing, `tools` is not an object, or `maxSteps` is not a
 * positive integer.
 * @example
 * import { openai } from "@ai-sdk/openai";
 * import { tool } from "ai";
 * import { z } from "zod";
 *
 * const agent = fromAISDK({
 *   model: openai("gpt-4o-mini"),
 *   system: "You are a helpful assistant.",
 *   tools: {
 *     weather: tool({
 *       description: "Current weather in a city",
 *       inputSchema: z.object({ city: z.string() }),
 *       execute: async ({ city }) => ({ city, celsius: 21 }),
 *     }),
 *   },
 * });
 * manager.registerHandler("/ws", createAgentWebSocketHandler(agent));
 */
export function fromAISDK(options: FromAISDKOptions): AgentBackend & Required<ChatBackend> {
  const { model, tools, system, maxSteps } = resolveOptions(options);
  const identity =
    typeof model === "string" ? { model } : { provider: model.provider, model: model.modelId };
  const guardedModel = guardAbort(model);

  function callSettings(request: AgentRequestOptions) {
    return {
      model: guardedModel,
      tools,
      system: request.systemPrompt ?? system,
      ...promptOf(request),
      temperature: request.temperature,
      maxOutputTokens: request.maxTokens,
      abortSignal: request.abortSignal,
      stopWhen: stepCountIs(maxSteps),
    };
  }

  return {
    async generate(request) {
      const result = await generateText(callSettings(request));
      // `result.toolCalls` holds only the last step's calls; a multi-step run made more.
      const toolCalls = result.steps.flatMap((step) => step.toolCalls.map(toAgentToolCall));
      return {
        content: result.text,
        ...identity,
        usage: toTokenUsage(result.totalUsage),
        finishReason: result.finishReason,
        toolCalls,
      };
    },

    async stream(request) {
      const result = streamText({
        ...callSettings(request),
        // Stream errors are thrown from the iterator for the caller to report; the SDK's default
        // handler would also print each one to the console.
        onError: () => {},
      });
      return toAgentStreamResult(result.fullStream, identity);
    },

    executeTool: (toolName, args, callOptions) => executeTool(tools, toolName, args, callOptions),

    getAllAvailableTools: async () => listTools(tools),

    ...uiStreamMethods({ model: guardedModel, tools, system, stopWhen: stepCountIs(maxSteps) }),
  };
}

interface ResolvedOptions extends FromAISDKOptions {
  tools: ToolSet;
  maxSteps: number;
}

function resolveOptions(options: FromAISDKOptions): ResolvedOptions {
  if (options?.model === undefined || options.model === null) {
    throw new TypeError('The "model" option is required');
  }
  const resolved = {
    ...options,
    tools: options.tools ?? DEFAULTS.tools,
    maxSteps: options.maxSteps ?? DEFAULTS.maxSteps,
  };
  if (typeof resolved.tools !== "object" || resolved.tools === null) {
    throw new TypeError('The "tools" option must be an object of AI SDK tools');
  }
  if (!Number.isInteger(resolved.maxSteps) || resolved.maxSteps < 1) {
    throw new TypeError('The "maxSteps" option must be a positive integer');
  }
  return resolved;
}

/**
 * `prompt` alone, or — in a conversation — `messages`: the earlier turns, then the prompt.
 * The SDK takes one or the other, never both.
 */
function promptOf(request: AgentRequestOptions) {
  const history = request.conversationMessages ?? [];
  if (history.length === 0) return { prompt: request.input.text };
  const messages: ModelMessage[] = history.map(({ role, content }) => ({ role, content }));
  messages.push({ role: "user", content: request.input.text });
  return { messages };
}

function toAgentToolCall(call: {
  toolCallId: string;
  toolName: string;
  input: unknown;
}): AgentToolCall {
  return { toolCallId: call.toolCallId, toolName: call.toolName, args: call.input };
}
