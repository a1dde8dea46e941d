/**
 * The Vercel AI SDK WebSocket chat protocol (`ai@7`'s `WebSocketChatTransport`), as frames:
 * `send` / `resume` / `abort` in, `start` / `chunk {sequence, chunk}` / `end` / `error` /
 * `no-active` out. Responses are built as strings equal byte for byte to `JSON.stringify` of the
 * objects `ai` types as `WebSocketChatTransportResponse`.
 */
import { z } from "zod";

/** A UI message as `useChat` holds it; parts are checked further by the backend. */
export const uiMessageSchema = z.looseObject({
  id: z.string(),
  role: z.enum(["system", "user", "assistant"]),
  metadata: z.unknown().optional(),
  parts: z.array(z.looseObject({ type: z.string() })),
});

const stringRecord = z.record(z.string(), z.string());
const requestId = z.string().min(1).max(128);
const chatId = z.string().min(1).max(256);

/** `send`: a new or regenerated turn with the whole client-held history. */
export const sendFrameSchema = z.object({
  type: z.literal("send"),
  requestId,
  id: chatId,
  trigger: z.enum(["submit-message", "regenerate-message"]),
  messageId: z.string().optional(),
  messages: z.array(uiMessageSchema).min(1),
  headers: stringRecord,
  body: z.looseObject({}),
  metadata: z.unknown().optional(),
});

/** `resume`: the retained answer of chat `id`, after `lastSequence` (omitted: from the start). */
export const resumeFrameSchema = z.object({
  type: z.literal("resume"),
  requestId,
  id: chatId,
  lastSequence: z.number().int().min(0).optional(),
  headers: stringRecord,
  body: z.looseObject({}),
  metadata: z.unknown().optional(),
});

/** `abort`: stop the answer that `requestId` (a `send` or a `resume`) is attached to. */
export const abortFrameSchema = z.object({ type: z.literal("abort"), requestId });

export type ChatSendFrame = z.infer<typeof sendFrameSchema>;
export type ChatResumeFrame = z.infer<typeof resumeFrameSchema>;
export type ChatAbortFrame = z.infer<typeof abortFrameSchema>;
export type ChatRequestFrame = ChatSendFrame | ChatResumeFrame | ChatAbortFrame;

const SCHEMAS = { send: sendFrameSchema, resume: resumeFrameSchema, abort: abortFrameSchema };

/** The outcome of reading one client frame. */
export type ParsedChatFrame =
  | { ok: true; frame: ChatRequestFrame }
  | { ok: false; requestId: string | undefined; reason: "json" | "invalid" };

/** Parses and validates one text frame; a failure keeps the `requestId` when there is one. */
export function parseChatFrame(text: string): ParsedChatFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, requestId: undefined, reason: "json" };
  }
  const record = (typeof value === "object" && value !== null ? value : {}) as {
    type?: unknown;
    requestId?: unknown;
  };
  const id = typeof record.requestId === "string" ? record.requestId : undefined;
  const schema = SCHEMAS[record.type as keyof typeof SCHEMAS];
  const parsed = schema?.safeParse(value);
  if (!parsed?.success) return { ok: false, requestId: id, reason: "invalid" };
  return { ok: true, frame: parsed.data };
}

/**
 * The `requestId` of a frame too large to parse. `ai`'s transport writes `type` then `requestId`
 * first, so it sits near the start.
 */
export function peekRequestId(text: string): string | undefined {
  const match = /^\{\s*"type"\s*:\s*"[a-z-]*"\s*,\s*"requestId"\s*:\s*"([^"\\]{1,128})"/.exec(
    text.slice(0, 512),
  );
  return match?.[1];
}

const quoted = (text: string) => JSON.stringify(text);

/** `{"type":"start","requestId":…}`: a resume found an answer. */
export const startFrame = (id: string) => `{"type":"start","requestId":${quoted(id)}}`;

/** `{"type":"chunk","requestId":…,"sequence":…,"chunk":…}`; `chunk` is already JSON. */
export const chunkFrame = (id: string, sequence: number, chunk: string) =>
  `{"type":"chunk","requestId":${quoted(id)},"sequence":${sequence},"chunk":${chunk}}`;

/** `{"type":"end","requestId":…}`: the answer is complete. */
export const endFrame = (id: string) => `{"type":"end","requestId":${quoted(id)}}`;

/** `{"type":"error","requestId":…,"errorText":…}`: the request failed. */
export const errorFrame = (id: string, errorText: string) =>
  `{"type":"error","requestId":${quoted(id)},"errorText":${quoted(errorText)}}`;

/** `{"type":"no-active","requestId":…}`: nothing to resume. */
export const noActiveFrame = (id: string) => `{"type":"no-active","requestId":${quoted(id)}}`;

/** The `errorText`s this server sends, documented in `docs/chat.md`. */
export const CHAT_ERRORS = {
  active: "A response is already active for this chat.",
  invalid: "Invalid WebSocket chat request frame.",
  messages: "Invalid UI messages in WebSocket chat request.",
  forbidden: "This chat is not yours.",
  tooLarge: (limit: number) => `The chat request is larger than ${limit} bytes.`,
  shutdown: "Server shutting down",
  failed: "The model provider failed",
  tooLong: "The answer outgrew its log",
  gone: "The answer is no longer available",
} as const;
