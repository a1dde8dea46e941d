/**
 * A NeuroLink-shaped agent (`stream({ input: { text }, conversationMessages })`) as a chat
 * backend: the last user message becomes `input.text`, the messages before it the history, and
 * the agent's stream becomes UI message chunks.
 */
import { WebSocketError } from "../../errors.ts";
import type { AgentBackend, AgentConversationMessage } from "../backend.ts";
import { settle } from "../stream-pump.ts";
import type { ChatBackend, UIMessageLike } from "./chat-backend.ts";
import { toUIChunks } from "./ui-chunks.ts";

/** Options of {@link chatBackendFromAgent}. */
export interface AgentChatBackendOptions {
  /** Longest accepted user message, in characters. @default 32000 */
  maxPromptLength?: number;
  /** Options added to every `stream` call (e.g. NeuroLink's `provider`). @default {} */
  requestDefaults?: Record<string, unknown>;
}

/** The text of a message: its `text` parts, joined. */
export function messageText(message: UIMessageLike): string {
  let text = "";
  for (const part of message.parts)
    if (part.type === "text" && typeof part.text === "string") text += part.text;
  return text;
}

/** The history before the last message, as NeuroLink's `conversationMessages` (text only). */
function historyOf(messages: UIMessageLike[]): AgentConversationMessage[] {
  const now = new Date().toISOString();
  const history: AgentConversationMessage[] = [];
  for (const message of messages.slice(0, -1)) {
    if (message.role === "system") continue;
    const content = messageText(message);
    if (content !== "")
      history.push({ id: message.id, role: message.role, content, timestamp: now });
  }
  return history;
}

/**
 * Serves an agent backend (NeuroLink, `createDemoAgent()`, any `AgentBackend`) to `useChat`.
 * @throws {TypeError} when the backend has no `stream` or an option is invalid.
 * @example
 * manager.registerHandler("/chat", createChatWebSocketHandler(chatBackendFromAgent(neurolink)));
 */
export function chatBackendFromAgent(
  agent: AgentBackend,
  options: AgentChatBackendOptions = {},
): ChatBackend {
  if (typeof agent?.stream !== "function") {
    throw new TypeError("chatBackendFromAgent: the backend must have a stream() method");
  }
  const maxPromptLength = options.maxPromptLength ?? 32_000;
  if (!Number.isInteger(maxPromptLength) || maxPromptLength < 1) {
    throw new TypeError('The "maxPromptLength" option must be a positive integer');
  }
  const requestDefaults = { ...options.requestDefaults };
  return {
    async validateMessages(messages) {
      const last = messages.at(-1);
      const text = last ? messageText(last) : "";
      if (last?.role !== "user" || text.trim() === "") {
        throw new WebSocketError("The last message must be a user message with text", {
          code: "VALIDATION_FAILED",
        });
      }
      if (text.length > maxPromptLength) {
        throw new WebSocketError(`The message is longer than ${maxPromptLength} characters`, {
          code: "VALIDATION_FAILED",
        });
      }
      return messages;
    },
    async streamUI(request) {
      const result = await agent.stream({
        ...requestDefaults,
        input: { text: messageText(request.messages.at(-1)!) },
        conversationMessages: historyOf(request.messages),
        context: { ...(request.user ? { userId: request.user.id } : {}), chatId: request.chatId },
        abortSignal: request.abortSignal,
      });
      if (typeof result?.stream?.[Symbol.asyncIterator] !== "function") {
        throw new TypeError("stream() must resolve to { stream: AsyncIterable }");
      }
      return toUIChunks(result.stream, {
        messageId: request.responseMessageId,
        finishReason: () => settle(result.finishReason),
      });
    },
  };
}
