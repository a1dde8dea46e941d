/**
 * The agent operations — generate, stream, tool_call — independent of transport: the WebSocket
 * handler and the HTTP/SSE routes both run them, so both validate, sanitize and stream alike.
 */
import { z } from "zod";
import { WebSocketError, toError } from "../errors.ts";
import type { ServerFrame } from "../protocol.ts";
import type { StreamingChannel, StreamingChannelOptions } from "../streaming/channel.ts";
import type { AgentBackend, AgentGenerateResult, AgentStreamResult } from "./backend.ts";
import { ABORTED, closeIterator, pump, settle, untilAborted } from "./stream-pump.ts";

/** Options of {@link createAgentWebSocketHandler} and the HTTP agent routes. */
export interface AgentOptions {
  /** Streams one connection may run at once; the next gets `TOO_MANY_STREAMS`. @default 4 */
  maxConcurrentStreams?: number;
  /** Longest accepted prompt, in characters. @default 32000 */
  maxPromptLength?: number;
  /** Largest `options.maxTokens` a client may ask for. @default 32768 */
  maxTokens?: number;
  /** Models a client may pick with `options.model`; without it, `model` is refused. @default undefined */
  allowedModels?: string[];
  /**
   * Tools a client may run directly with `tool_call`; `"*"` allows every tool the backend has.
   * Others answer `TOOL_NOT_FOUND`, so clients cannot probe which tools exist. The model's own
   * tool use during `generate`/`stream` is not affected. Default: none — a backend such as
   * NeuroLink ships built-in tools (file access among them) that no client should reach.
   * @default []
   */
  allowedTools?: string[] | "*";
  /** Coalescing and backpressure of streamed responses. */
  streaming?: Omit<StreamingChannelOptions, "requestId">;
  /**
   * Options the server adds to every `generate` and `stream` call, under the client's validated
   * options: e.g. `{ provider: "openai-compatible" }` for NeuroLink, which picks a provider per
   * call. `input`, `context` and `abortSignal` are always agentsocket's. @default {}
   */
  requestDefaults?: Record<string, unknown>;
  /** Hears the real errors behind sanitized `PROVIDER_ERROR`, `TOOL_FAILED` and `INTERNAL_ERROR` frames. */
  onError?: (error: Error, context: { type: string; requestId?: string; userId?: string }) => void;
}

/** Who is asking, from the authenticated connection or request — never from the payload. */
export interface AgentIdentity {
  userId?: string;
  connectionId?: string;
}

const DEFAULTS = { maxConcurrentStreams: 4, maxPromptLength: 32_000, maxTokens: 32_768 };

export type AgentService = ReturnType<typeof createAgentService>;

/**
 * @throws {TypeError} when `backend` lacks `generate` or `stream`, or an option is invalid.
 */
export function createAgentService(backend: AgentBackend, options: AgentOptions = {}) {
  if (typeof backend?.generate !== "function" || typeof backend.stream !== "function") {
    throw new TypeError(
      "The agent backend must have generate() and stream() (a NeuroLink-shaped object)",
    );
  }
  const settings = { ...DEFAULTS, ...options };
  for (const name of ["maxConcurrentStreams", "maxPromptLength", "maxTokens"] as const) {
    if (!Number.isInteger(settings[name]) || settings[name] < 1) {
      throw new TypeError(`The "${name}" option must be a positive integer`);
    }
  }
  const defaults = settings.requestDefaults ?? {};
  if (typeof defaults !== "object" || Array.isArray(defaults)) {
    throw new TypeError('The "requestDefaults" option must be an object');
  }
  const requestDefaults = { ...defaults };
  const { allowedModels, onError } = settings;
  const allowedTools = settings.allowedTools ?? [];
  if (
    allowedTools !== "*" &&
    !(Array.isArray(allowedTools) && allowedTools.every((t) => typeof t === "string"))
  ) {
    throw new TypeError('The "allowedTools" option must be an array of tool names or "*"');
  }
  const toolAllowed = (name: string) => allowedTools === "*" || allowedTools.includes(name);

  const requestOptions = z
    .object({
      temperature: z.number().min(0).max(2),
      maxTokens: z.number().int().min(1).max(settings.maxTokens),
      model: z.string().refine((model) => allowedModels?.includes(model) ?? false, {
        message: "Model is not allowed",
      }),
    })
    .partial()
    .strict();
  const prompt = z.object({
    prompt: z.string().trim().min(1, "Prompt is required").max(settings.maxPromptLength),
    options: requestOptions.optional(),
  });
  const schemas = {
    generate: prompt,
    stream: prompt,
    tool_call: z.object({ toolName: z.string().min(1).max(200), args: z.unknown().optional() }),
    cancel: z.object({ requestId: z.string().min(1).max(128) }),
  };

  const report = (error: unknown, type: string, identity: AgentIdentity, requestId?: string) => {
    const context = {
      type,
      ...(requestId ? { requestId } : {}),
      ...(identity.userId ? { userId: identity.userId } : {}),
    };
    try {
      if (onError) onError(toError(error), context);
      else console.error(`[agentsocket] ${type} failed:`, error);
    } catch {
      // A failing logger must not stop the client from getting its error frame.
    }
  };

  const request = (
    payload: z.output<typeof prompt>,
    identity: AgentIdentity,
    signal: AbortSignal,
  ) => ({
    ...requestDefaults,
    input: { text: payload.prompt },
    ...payload.options,
    context: {
      ...(identity.userId ? { userId: identity.userId } : {}),
      ...(identity.connectionId ? { connectionId: identity.connectionId } : {}),
    },
    abortSignal: signal,
  });

  /** The stream itself; {@link AgentService.stream} turns anything it throws into an error frame. */
  async function runStream(
    payload: z.output<typeof prompt>,
    identity: AgentIdentity,
    controller: AbortController,
    channel: StreamingChannel,
  ): Promise<void> {
    const { signal } = controller;
    const cancelled = () => channel.complete({ status: "cancelled" });
    const providerFailed = (error: unknown) => {
      report(error, "stream", identity, channel.requestId);
      channel.error("PROVIDER_ERROR", "The model provider failed");
    };
    let result: AgentStreamResult | typeof ABORTED;
    try {
      // Raced with the abort: a backend may never resolve after a cancel or a disconnect.
      result = await untilAborted(backend.stream(request(payload, identity, signal)), signal);
    } catch (error) {
      return signal.aborted ? cancelled() : providerFailed(error);
    }
    if (result === ABORTED) return cancelled();
    const iterable = result?.stream;
    if (typeof iterable?.[Symbol.asyncIterator] !== "function") {
      return providerFailed(new TypeError("stream() must resolve to { stream: AsyncIterable }"));
    }
    const iterator = iterable[Symbol.asyncIterator]();
    try {
      await untilAborted(pump(iterator, signal, channel), signal);
    } catch (error) {
      if (!signal.aborted && !(error instanceof WebSocketError)) {
        closeIterator(iterator);
        return providerFailed(error);
      }
      // The channel failed (client stalled or gone): stop upstream.
      controller.abort();
    }
    if (signal.aborted) {
      // Upstream may ignore the signal; returning the iterator stops a generator either way.
      closeIterator(iterator);
      return cancelled();
    }
    const totals = await untilAborted(
      Promise.all([settle(result.usage), settle(result.finishReason)]),
      signal,
    );
    if (totals === ABORTED) return cancelled();
    const [usage, finishReason] = totals;
    channel.complete({
      ...(finishReason !== undefined ? { finishReason } : {}),
      ...(usage !== undefined ? { usage } : {}),
    });
  }

  return {
    settings,
    schemas,

    /** Runs `generate`; the `response` frame, or throws a `PROVIDER_ERROR` WebSocketError. */
    async generate(
      payload: z.output<typeof prompt>,
      identity: AgentIdentity,
      signal: AbortSignal,
      requestId?: string,
    ): Promise<ServerFrame> {
      let result: AgentGenerateResult;
      try {
        result = await backend.generate(request(payload, identity, signal));
      } catch (error) {
        if (signal.aborted)
          throw new WebSocketError("Request cancelled", { code: "CANCELLED", cause: error });
        report(error, "generate", identity, requestId);
        throw new WebSocketError("The model provider failed", {
          code: "PROVIDER_ERROR",
          cause: error,
        });
      }
      const content = typeof result?.content === "string" ? result.content : "";
      const data: Record<string, unknown> = { content };
      for (const key of ["provider", "model", "usage", "finishReason", "toolCalls"] as const) {
        if (result?.[key] !== undefined) data[key] = result[key];
      }
      return { type: "response", content, data };
    },

    /**
     * Runs `stream` into `channel` and always ends it with exactly one terminal frame: completed,
     * cancelled (when `controller` aborts) or an error. Aborts `controller` when the client stalls
     * or disconnects, so upstream stops.
     */
    async stream(
      payload: z.output<typeof prompt>,
      identity: AgentIdentity,
      controller: AbortController,
      channel: StreamingChannel,
    ): Promise<void> {
      try {
        await runStream(payload, identity, controller, channel);
      } catch (error) {
        // A backend can hand back anything; whatever escapes, the stream still ends, once.
        report(error, "stream", identity, channel.requestId);
        controller.abort();
        channel.error("INTERNAL_ERROR", "Internal error");
      }
    },

    /** Runs `executeTool`; the `tool_result` frame, or throws `TOOL_NOT_FOUND` / `TOOL_FAILED`. */
    async callTool(
      payload: z.output<typeof schemas.tool_call>,
      identity: AgentIdentity,
      requestId?: string,
    ): Promise<ServerFrame> {
      const { toolName } = payload;
      if (typeof backend.executeTool !== "function" || !toolAllowed(toolName)) {
        throw new WebSocketError(`Tool "${toolName}" not found`, { code: "TOOL_NOT_FOUND" });
      }
      try {
        const result = await backend.executeTool(
          toolName,
          payload.args ?? {},
          identity.userId ? { authContext: { userId: identity.userId } } : undefined,
        );
        return { type: "tool_result", toolName, result: result ?? null };
      } catch (error) {
        if ((error as { code?: unknown })?.code === "TOOL_NOT_FOUND") {
          throw new WebSocketError(`Tool "${toolName}" not found`, {
            code: "TOOL_NOT_FOUND",
            cause: error,
          });
        }
        report(error, "tool_call", identity, requestId);
        throw new WebSocketError(`Tool "${toolName}" failed`, {
          code: "TOOL_FAILED",
          cause: error,
        });
      }
    },
  };
}
