/**
 * The agent service's side of conversations, kept out of `service.ts`: a `stream` or `generate`
 * becomes a turn (or, with conversations off, a turn that does nothing), so the service calls
 * the same four things either way — ids to announce, request additions, channel, finish.
 */
import { WebSocketError } from "../../errors.ts";
import type { StreamingChannel } from "../../streaming/channel.ts";
import type { AgentGenerateResult, AgentToolCall } from "../backend.ts";
import { recordStream } from "./recorder.ts";
import {
  createConversationTurns,
  type AnswerStatus,
  type ConversationTurns,
  type ResolvedConversationOptions,
} from "./turns.ts";

/** The service's turns: `undefined` with conversations off. @param report hears store failures. */
export function turnsFor(
  options: ResolvedConversationOptions | undefined,
  report: (error: unknown) => void,
): ConversationTurns | undefined {
  return options && createConversationTurns(options, report);
}

/** The conversation ids a turn announces (none with conversations off). */
export type TurnIds = { conversationId: string; messageId: string } | Record<string, never>;

/** What the service needs to run one `stream` as a turn. */
export interface StreamTurn {
  ids: TurnIds;
  request: Record<string, unknown>;
  /** The channel to stream into (it records the answer). */
  channel: StreamingChannel;
  /** Stores the answer, then sends the terminal frame held back until now. Never rejects. */
  finish(): Promise<void>;
}

/** What the service needs to run one `generate` as a turn. */
export interface GenerateTurn {
  ids: TurnIds;
  request: Record<string, unknown>;
  /** Stores the answer (`undefined`: it failed or was cancelled, with `status`). Never rejects. */
  finish(result: AgentGenerateResult | undefined, status: AnswerStatus): Promise<void>;
}

/**
 * Opens the conversation of a `stream`. Resolves `undefined` when it was refused — the error
 * frame (`NOT_FOUND`, or `INTERNAL_ERROR` for a failing store) has then been sent on `channel`.
 */
export async function openStreamTurn(
  turns: ConversationTurns | undefined,
  payload: { prompt: string; conversationId?: string | undefined },
  userId: string | undefined,
  channel: StreamingChannel,
  failed: (error: unknown) => void,
): Promise<StreamTurn | undefined> {
  if (turns === undefined) return { ids: {}, request: {}, channel, finish: async () => {} };
  try {
    const turn = await turns.begin(payload.prompt, payload.conversationId, userId);
    const recorded = recordStream(channel, turn);
    const { conversationId, messageId, request } = turn;
    return { ids: { conversationId, messageId }, request, ...recorded };
  } catch (error) {
    if (error instanceof WebSocketError) {
      channel.error(error.code, error.message);
    } else {
      failed(error);
      channel.error("INTERNAL_ERROR", "Internal error");
    }
    return undefined;
  }
}

/**
 * Opens the conversation of a `generate`.
 * @throws {WebSocketError} `NOT_FOUND` for an unknown or another user's conversation,
 * `INTERNAL_ERROR` when the store fails (reported to `failed`).
 */
export async function openGenerateTurn(
  turns: ConversationTurns | undefined,
  payload: { prompt: string; conversationId?: string | undefined },
  userId: string | undefined,
  failed: (error: unknown) => void,
): Promise<GenerateTurn> {
  if (turns === undefined) return { ids: {}, request: {}, finish: async () => {} };
  let turn;
  try {
    turn = await turns.begin(payload.prompt, payload.conversationId, userId);
  } catch (error) {
    if (error instanceof WebSocketError) throw error;
    failed(error);
    throw new WebSocketError("Internal error", { code: "INTERNAL_ERROR", cause: error });
  }
  const { conversationId, messageId, request } = turn;
  return {
    ids: { conversationId, messageId },
    request,
    finish: (result, status) =>
      turn.finish({
        content: typeof result?.content === "string" ? result.content : "",
        status,
        metadata: pick(result, ["finishReason", "provider", "model"]),
        ...(result?.usage ? { usage: result.usage } : {}),
        ...(result?.toolCalls?.length ? { toolCalls: result.toolCalls.map(toolCall) } : {}),
      }),
  };
}

function pick(result: AgentGenerateResult | undefined, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (typeof result?.[key] === "string") out[key] = result[key];
  return out;
}

function toolCall(call: AgentToolCall) {
  const { toolCallId, toolName, args } = call;
  return { ...(toolCallId ? { toolCallId } : {}), toolName, args };
}
