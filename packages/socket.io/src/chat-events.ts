/**
 * Seed 001's vocabulary: `chat:start` → `chat:conversation` (new conversations only),
 * `chat:user-message`, `chat:message`…, then one of `chat:end`, `chat:stopped` (after
 * `chat:stop`) or `chat:error`. One chat turn runs per client at a time, as the seed's
 * `chat:stop` (which names no stream) implies. With the agent's `conversations` on, a turn
 * continues the stored conversation its `conversationId` names (or starts one): the backend gets
 * the history and the answer is stored; the ids are the store's. Off, they are generated and
 * echoed so the seed's client code works, and each turn stands alone.
 */
import type { ChatEndPayload } from "./events.ts";
import {
  isRecord,
  optionalId,
  runClientStream,
  validatePrompt,
  type ClientContext,
} from "./client-context.ts";
import { totalTokensOf, type StreamFrame } from "./event-writer.ts";

/** The key of the chat turn among a client's streams (ai:* keys all start with "ai:"). */
const CHAT = "chat";

/** Adds the `chat:*` handlers to one client. */
export function serveChatEvents(client: ClientContext): void {
  const { socket, agent } = client;
  const chatError = (code: string, message: string) =>
    void socket.emit("chat:error", { message, code });
  const model = (asked: string | undefined) =>
    asked ??
    (typeof agent.options.requestDefaults.model === "string"
      ? agent.options.requestDefaults.model
      : "default");

  const start = (data: unknown) => {
    if (!isRecord(data)) return chatError("VALIDATION_FAILED", "payload: Expected an object");
    const prompt = validatePrompt(agent, data, "message");
    if (!prompt.ok) return chatError("VALIDATION_FAILED", prompt.message);
    const given = optionalId(data.conversationId);
    if (given === false) {
      return chatError(
        "VALIDATION_FAILED",
        "conversationId: Expected a string of 1-128 characters",
      );
    }
    const controller = client.streams.start(CHAT);
    if (controller === "duplicate") {
      return chatError(
        "TOO_MANY_STREAMS",
        "A chat stream is already running: send chat:stop first",
      );
    }
    if (!(controller instanceof AbortController)) {
      return chatError(controller.code, controller.message);
    }
    // Stored conversations: the ids come with stream_start, once the user's message is stored.
    const stored = agent.options.conversations !== undefined;
    let conversationId = given ?? (stored ? "" : crypto.randomUUID());
    let messageId: string = crypto.randomUUID();
    let out = socket; // the client it goes to: another one after ai:reconnect
    const announce = () => {
      if (given === undefined) out.emit("chat:conversation", { conversationId });
      out.emit("chat:user-message", { messageId: crypto.randomUUID(), content: data.message });
    };
    if (!stored) announce();
    let messages = 0;
    const text = (content: string) => {
      messages++;
      out.emit("chat:message", { content, isComplete: false });
    };
    const moveTo = (next: typeof socket, texts: number) => void ([out, messages] = [next, texts]);
    const frame = (frame: StreamFrame) => {
      if (frame.type === "stream_start" && stored) {
        [conversationId, messageId] = [String(frame.conversationId), String(frame.messageId)];
        announce();
      } else if (frame.type === "stream_complete") {
        if (frame.status === "cancelled") {
          out.emit("chat:stopped", { messageId, conversationId });
          return;
        }
        const end: ChatEndPayload = {
          messageId,
          conversationId,
          totalTokens: totalTokensOf(frame, messages),
          model: model(prompt.value.options?.model),
          finishReason: frame.finishReason ?? "stop",
        };
        out.emit("chat:end", end);
      } else if (frame.type === "error") {
        const message = frame.error ?? "Internal error";
        out.emit("chat:error", { message, code: frame.code ?? "INTERNAL_ERROR" });
      }
    };
    const payload = stored && given ? { ...prompt.value, conversationId: given } : prompt.value;
    void runClientStream(client, CHAT, controller, payload, { text, frame, moveTo });
  };

  socket.on("chat:start", (data: unknown) => {
    try {
      start(data);
    } catch (error) {
      client.report(error, "chat:start");
      chatError("INTERNAL_ERROR", "Internal error");
    }
  });
  // Stopping a turn that already ended is not an error: the two race by nature.
  socket.on("chat:stop", () => void client.streams.cancel(CHAT));
}
