/**
 * The agent operations — generate, stream, tool_call — independent of transport. One service is
 * built per server and shared by the WebSocket handler and the HTTP/SSE handler, so both validate,
 * limit, sanitize and stream alike by construction.
 */
import { WebSocketError, toError } from "../errors.ts";
import type { ServerFrame } from "../protocol.ts";
import {
  createStreamingChannel,
  type StreamingChannelOptions,
  type StreamTarget,
} from "../streaming/channel.ts";
import type { AgentBackend, AgentRequestOptions } from "./backend.ts";
import { resolveAgentOptions } from "./agent-options.ts";
import { createClientErrorLog } from "./client-error-log.ts";
import { openGenerateTurn, openStreamTurn, turnsFor } from "./conversations/service-turns.ts";
import type { AgentConversationsOption as Conversations } from "./conversations/turns.ts";
import type { ResolvedConversationOptions } from "./conversations/turns.ts";
import type { AgentResumeField, ResolvedResumeField } from "./resume/resume-options.ts";
import { runStream } from "./run-stream.ts";
import {
  createAgentSchemas,
  type AgentSchemas,
  type PromptPayload,
  type ToolCallPayload,
} from "./schemas.ts";

/** Options of {@link createAgentService} (and so of the WebSocket and HTTP agent handlers). */
export interface AgentOptions extends AgentResumeField {
  /** Streams one connection may run at once; the next gets `TOO_MANY_STREAMS`. @default 4 */
  maxConcurrentStreams?: number;
  /**
   * Requests of every kind (`generate`, `stream`, `tool_call`) one WebSocket connection may have
   * running at once; the next gets a `TOO_MANY_REQUESTS` error frame and never reaches the
   * backend. Streams also count against `maxConcurrentStreams`. @default 16
   */
  maxInFlightRequests?: number;
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
  /**
   * Server-held conversations: `stream`/`generate` take a `conversationId`, earlier turns go to
   * the backend, answers are stored. `true` keeps them in memory. @default false
   */
  conversations?: Conversations;
  /**
   * Hears the real errors behind sanitized `PROVIDER_ERROR`, `TOOL_FAILED`, `VALIDATION_FAILED`
   * (from a tool) and `INTERNAL_ERROR` frames. Without it they go to `console.error`.
   */
  onError?: (error: Error, context: AgentErrorContext) => void;
}

/** What {@link AgentOptions.onError} is told about a failure. */
export interface AgentErrorContext {
  /** The message type (`generate`, `stream`, `tool_call`) or `connection`. */
  type: string;
  /**
   * The client caused it (a tool refused its input with `code: "VALIDATION_FAILED"`). Without an
   * `onError`, such errors are logged as one rate-limited line without a stack; server faults are
   * logged in full.
   */
  clientError?: boolean;
  requestId?: string;
  userId?: string;
}

/** Who is asking, from the authenticated connection or request — never from the payload. */
export interface AgentIdentity {
  userId?: string;
  connectionId?: string;
}

/** {@link AgentOptions} with every default filled in. */
export interface ResolvedAgentOptions
  extends Omit<AgentOptions, "conversations" | "resume">, ResolvedResumeField {
  /** Absent when conversations are off. */
  conversations: ResolvedConversationOptions | undefined;
  maxConcurrentStreams: number;
  maxInFlightRequests: number;
  maxPromptLength: number;
  maxTokens: number;
  allowedTools: string[] | "*";
  requestDefaults: Record<string, unknown>;
}

/** A started stream: where its frames go and what ends it. */
export interface StreamRequest {
  requestId: string;
  /** Aborting it cancels the stream upstream; the service aborts it when the client fails. */
  controller: AbortController;
}

/** The transport-free agent: what the WebSocket and HTTP handlers call. */
export interface AgentService {
  readonly options: Readonly<ResolvedAgentOptions>;
  /** The payload schema of each message type. */
  readonly schemas: AgentSchemas;
  /** Runs `generate`: the `response` frame, or throws `PROVIDER_ERROR` / `CANCELLED`. */
  generate(
    payload: PromptPayload,
    identity: AgentIdentity,
    signal: AbortSignal,
    requestId?: string,
  ): Promise<ServerFrame>;
  /**
   * Runs `stream` into `target`: `stream_start`, chunks and tool frames, then exactly one
   * terminal frame — completed, cancelled (when `request.controller` aborts) or an error. Aborts
   * the controller when the client stalls or goes away, so upstream stops. Never rejects.
   */
  stream(
    payload: PromptPayload,
    identity: AgentIdentity,
    target: StreamTarget,
    request: StreamRequest,
  ): Promise<void>;
  /**
   * Runs `executeTool`: the `tool_result` frame, or throws `TOOL_NOT_FOUND`, `VALIDATION_FAILED`
   * (the tool threw an error with that `code`: the client's input is at fault) or `TOOL_FAILED`.
   */
  callTool(
    payload: ToolCallPayload,
    identity: AgentIdentity,
    requestId?: string,
  ): Promise<ServerFrame>;
}

const SERVICES = new WeakSet<AgentService>();

/** Whether `value` was made by {@link createAgentService}. */
export function isAgentService(value: unknown): value is AgentService {
  return typeof value === "object" && value !== null && SERVICES.has(value as AgentService);
}

/**
 * Builds the agent service over a NeuroLink-shaped backend.
 * @throws {TypeError} when `backend` lacks `generate` or `stream`, or an option is invalid.
 * @example
 * const agent = createAgentService(neurolink, { allowedTools: ["get_weather"] });
 * manager.registerHandler("/ws", createAgentWebSocketHandler(agent));
 */
export function createAgentService(
  backend: AgentBackend,
  options: AgentOptions = {},
): AgentService {
  if (typeof backend?.generate !== "function" || typeof backend.stream !== "function") {
    throw new TypeError(
      "The agent backend must have generate() and stream() (a NeuroLink-shaped object)",
    );
  }
  const settings = resolveAgentOptions(options);
  const { allowedTools, requestDefaults, onError } = settings;
  const conversations = turnsFor(settings.conversations, (e) => report(e, "conversation", {}));
  const toolAllowed = (name: string) => allowedTools === "*" || allowedTools.includes(name);

  const logClientError = createClientErrorLog();
  const report = (
    error: unknown,
    type: string,
    identity: AgentIdentity,
    requestId?: string,
    clientError?: string,
  ) => {
    const context: AgentErrorContext = { type };
    if (requestId) context.requestId = requestId;
    if (identity.userId) context.userId = identity.userId;
    if (clientError !== undefined) context.clientError = true;
    try {
      if (onError) onError(toError(error), context);
      else if (clientError !== undefined) logClientError(`[agentsocket] ${type}: ${clientError}`);
      else console.error(`[agentsocket] ${type} failed:`, error);
    } catch {
      // A failing logger must not stop the client from getting its error frame.
    }
  };

  const request = (
    payload: PromptPayload,
    identity: AgentIdentity,
    signal: AbortSignal,
  ): AgentRequestOptions => {
    const context: Record<string, string> = {};
    if (identity.userId) context.userId = identity.userId;
    if (identity.connectionId) context.connectionId = identity.connectionId;
    return {
      ...requestDefaults,
      input: { text: payload.prompt },
      ...payload.options,
      context,
      abortSignal: signal,
    };
  };

  const service: AgentService = {
    options: settings,
    schemas: createAgentSchemas(settings),

    async generate(payload, identity, signal, requestId) {
      const failed = (error: unknown) => report(error, "generate", identity, requestId);
      const turn = await openGenerateTurn(conversations, payload, identity.userId, failed);
      let result;
      try {
        result = await backend.generate({ ...request(payload, identity, signal), ...turn.request });
      } catch (error) {
        await turn.finish(undefined, signal.aborted ? "cancelled" : "error");
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
      await turn.finish(result, "completed");
      return { type: "response", content, data, ...turn.ids };
    },

    async stream(payload, identity, target, { requestId, controller }) {
      const failed = (error: unknown) => report(error, "stream", identity, requestId);
      const opened = createStreamingChannel(target, { ...settings.streaming, requestId });
      const turn = await openStreamTurn(conversations, payload, identity.userId, opened, failed);
      if (turn === undefined) return; // refused (NOT_FOUND): the error frame is out
      const { channel } = turn;
      channel.event({ type: "stream_start", ...turn.ids });
      try {
        const call = { ...request(payload, identity, controller.signal), ...turn.request };
        await runStream(backend, call, controller, channel, failed);
      } catch (error) {
        // A backend can hand back anything; whatever escapes, the stream still ends, once.
        failed(error);
        controller.abort();
        channel.error("INTERNAL_ERROR", "Internal error");
      }
      await turn.finish();
    },

    async callTool(payload, identity, requestId) {
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
        const code = (error as { code?: unknown })?.code;
        if (code === "TOOL_NOT_FOUND") {
          throw new WebSocketError(`Tool "${toolName}" not found`, {
            code: "TOOL_NOT_FOUND",
            cause: error,
          });
        }
        if (code === "VALIDATION_FAILED") {
          // The client's arguments, not the server, are at fault: one short line, not a stack.
          const what = `tool "${toolName}" refused its input (VALIDATION_FAILED)`;
          report(error, "tool_call", identity, requestId, what);
          throw new WebSocketError(`Invalid input for tool "${toolName}"`, {
            code: "VALIDATION_FAILED",
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
  SERVICES.add(service);
  return service;
}
