/**
 * The client's side of protocol v1: the types of what it sends and gets back, and the frames it
 * builds (a prompt's payload, a cancel, the session fields of `connected` and `session`).
 */
import type { AgentStream } from "./agent-stream.ts";
import { AgentSocketError } from "./errors.ts";
import type { ClientState, ServerFrame } from "./link.ts";
import type { ClientFrame } from "./requests.ts";

/** Model options a request may carry (the server allow-lists them: `temperature`, `maxTokens`, `model`). */
export interface RequestOptions {
  temperature?: number;
  maxTokens?: number;
  model?: string;
  [key: string]: unknown;
}

/** Options of `client.stream()` and `client.generate()`. */
export interface PromptOptions {
  options?: RequestOptions;
  /** Continue this conversation (with `agent.conversations` on the server). */
  conversationId?: string;
  /** Aborting it cancels the request upstream. */
  signal?: AbortSignal;
}

/** The answer of `client.generate()`: the `response` frame's `data`, with `content` at the top. */
export interface GenerateResult {
  content: string;
  provider?: string;
  model?: string;
  usage?: Record<string, unknown>;
  finishReason?: string;
  toolCalls?: unknown[];
  conversationId?: string;
  messageId?: string;
  [key: string]: unknown;
}

/** A frame the server pushed without a request: a room broadcast, `sendToUser`, … (or raw data). */
export type ClientMessage = ServerFrame | string | ArrayBuffer | Uint8Array | unknown;

/** Listeners of `client.on()`. */
export interface ClientEvents {
  message: (message: ClientMessage) => void;
  state: (state: ClientState) => void;
}

/** What the client knows of its server session. */
export interface SessionInfo {
  sessionId?: string;
  resumeToken?: string;
}

export function promptPayload(prompt: string, { options, conversationId }: PromptOptions): object {
  if (typeof prompt !== "string") throw new TypeError("The prompt must be a string");
  return { prompt, ...(options ? { options } : {}), ...(conversationId ? { conversationId } : {}) };
}

export function cancelFrame(stream: AgentStream, requestId: string): ClientFrame {
  const payload =
    stream.streamId === undefined ? { requestId: stream.requestId } : { streamId: stream.streamId };
  return { type: "cancel", requestId, payload };
}

export function cancelledError(requestId: string): AgentSocketError {
  return new AgentSocketError("CANCELLED", "The request was cancelled (its signal aborted)", {
    requestId,
  });
}

export function sessionOf(frame: ServerFrame): SessionInfo {
  const session: SessionInfo = {};
  if (typeof frame.sessionId === "string") session.sessionId = frame.sessionId;
  if (typeof frame.resumeToken === "string") session.resumeToken = frame.resumeToken;
  return session;
}
