/**
 * Seed 001's vocabulary: `chat:start` → `chat:conversation` (new conversations only),
 * `chat:user-message`, `chat:message`…, then one of `chat:end`, `chat:stopped` (after
 * `chat:stop`) or `chat:error`. One chat turn runs per client at a time, as the seed's
 * `chat:stop` (which names no stream) implies. Conversations are not stored yet: the ids are
 * generated and echoed so the seed's client code works, but no history reaches the backend.
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
    if (controller === "limit") {
      const max = agent.options.maxConcurrentStreams;
      return chatError("TOO_MANY_STREAMS", `At most ${max} concurrent streams per connection`);
    }
    const conversationId = given ?? crypto.randomUUID();
    if (given === undefined) socket.emit("chat:conversation", { conversationId });
    socket.emit("chat:user-message", {
      messageId: crypto.randomUUID(),
      content: data.message as string,
    });
    const messageId = crypto.randomUUID();
    let messages = 0;
    const text = (content: string) => {
      messages++;
      socket.emit("chat:message", { content, isComplete: false });
    };
    const frame = (frame: StreamFrame) => {
      if (frame.type === "stream_complete") {
        if (frame.status === "cancelled") {
          socket.emit("chat:stopped", { messageId, conversationId });
          return;
        }
        const end: ChatEndPayload = {
          messageId,
          conversationId,
          totalTokens: totalTokensOf(frame, messages),
          model: model(prompt.value.options?.model),
          finishReason: frame.finishReason ?? "stop",
        };
        socket.emit("chat:end", end);
      } else if (frame.type === "error") {
        chatError(frame.code ?? "INTERNAL_ERROR", frame.error ?? "Internal error");
      }
    };
    void runClientStream(client, CHAT, controller, prompt.value, { text, frame });
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
