/**
 * `createChatWebSocketHandler(backend)`: the Vercel AI SDK WebSocket chat protocol, so `ai`'s
 * own `WebSocketChatTransport` (and `useChat`) works against agentsocket unchanged. One active
 * answer per chat id and user; `abort` stops it upstream whichever request it came through;
 * `resume` replays the log then continues live.
 */
import { WebSocketError } from "../../errors.ts";
import { exceedsBytes } from "../../frame-data.ts";
import { OPEN, type WebSocketConnection, type WebSocketHandler } from "../../types.ts";
import type { AgentBackend } from "../backend.ts";
import { ANONYMOUS_USER } from "../conversations/turns.ts";
import { chatBackendFromAgent } from "./agent-chat-backend.ts";
import { attachToStream } from "./chat-attach.ts";
import { isChatBackend, type ChatBackend, type UIMessageLike } from "./chat-backend.ts";
import type { ChatScope } from "./chat-log.ts";
import {
  resolveChatOptions,
  type ChatErrorContext,
  type ChatHandlerOptions,
} from "./chat-options.ts";
import {
  CHAT_ERRORS,
  errorFrame,
  noActiveFrame,
  parseChatFrame,
  peekRequestId,
  type ChatResumeFrame,
  type ChatSendFrame,
} from "./chat-protocol.ts";
import { attachRun, detachRun, produceAnswer, type ChatRun } from "./chat-run.ts";

/** The chat handler: a {@link WebSocketHandler} that can also stop every answer it runs. */
export interface ChatWebSocketHandler extends WebSocketHandler {
  /** Aborts every running answer (the server is stopping). */
  close(): void;
}

interface Request {
  key: string;
  detach: () => void;
}

/**
 * Serves a chat backend over the AI SDK WebSocket chat protocol. Register it on its own path:
 * it carries `pathOptions` (no system frames, frames up to twice `maxRequestBytes`).
 * @param backend a {@link ChatBackend} (`fromAISDK(...)`), or any NeuroLink-shaped agent
 *   (NeuroLink, `createDemoAgent()`), served through `chatBackendFromAgent`.
 * @throws {TypeError} for a backend with neither `streamUI` nor `stream`, or an invalid option.
 * @example
 * manager.registerHandler("/chat", createChatWebSocketHandler(createDemoAgent()));
 * // client: new WebSocketChatTransport({ url: "ws://localhost:3000/chat" }) from "ai" 7
 */
export function createChatWebSocketHandler(
  backend: ChatBackend | AgentBackend,
  options?: ChatHandlerOptions,
): ChatWebSocketHandler {
  const chat = isChatBackend(backend) ? backend : chatBackendFromAgent(backend);
  const settings = resolveChatOptions(options);
  const { log, graceMs, maxRequestBytes } = settings;
  const runs = new Map<string, ChatRun>();
  const requests = new WeakMap<WebSocketConnection, Map<string, Request>>();

  const report = (error: Error, context: ChatErrorContext) => {
    try {
      if (settings.onError) settings.onError(error, context);
      else console.error(`[agentsocket] chat ${context.type} failed:`, error);
    } catch {
      // An onError that throws has nowhere left to report to.
    }
  };
  const scopeOf = (connection: WebSocketConnection, chatId: string): ChatScope => ({
    userId: connection.user?.id ?? ANONYMOUS_USER,
    chatId,
  });
  const keyOf = (scope: ChatScope) => `${scope.userId}\u0000${scope.chatId}`;
  const sender = (connection: WebSocketConnection) => (frame: string) => {
    if (connection.socket.readyState === OPEN) connection.socket.send(frame);
  };
  const requestsOf = (connection: WebSocketConnection) => {
    let map = requests.get(connection);
    if (map === undefined) requests.set(connection, (map = new Map()));
    return map;
  };

  /** Attaches `requestId` to the log's stream; the in-process run (if any) counts it. */
  async function attach(
    connection: WebSocketConnection,
    requestId: string,
    key: string,
    streamId: string,
    afterSequence: number,
    start: boolean,
  ): Promise<boolean> {
    const run = runs.get(key);
    if (run) attachRun(run);
    const own = requestsOf(connection);
    return attachToStream(
      {
        log,
        streamId,
        requestId,
        afterSequence,
        start,
        send: sender(connection),
        onDetach: () => {
          own.delete(requestId);
          if (run) detachRun(run, graceMs);
        },
      },
      (detach) => own.set(requestId, { key, detach }),
    );
  }

  async function send(connection: WebSocketConnection, frame: ChatSendFrame): Promise<void> {
    const reply = sender(connection);
    const scope = scopeOf(connection, frame.id);
    const context = {
      type: "send",
      chatId: frame.id,
      ...(connection.user ? { userId: connection.user.id } : {}),
    };
    if (settings.authorizeChat && !(await settings.authorizeChat(connection.user, frame.id))) {
      return reply(errorFrame(frame.requestId, CHAT_ERRORS.forbidden));
    }
    let messages = frame.messages as UIMessageLike[];
    try {
      if (chat.validateMessages) messages = await chat.validateMessages(messages);
    } catch (error) {
      report(error as Error, { ...context, clientError: true });
      return reply(errorFrame(frame.requestId, CHAT_ERRORS.messages));
    }
    const key = keyOf(scope);
    // Checked and claimed with no await in between: two sends cannot both start.
    if (runs.get(key)?.ended === false)
      return reply(errorFrame(frame.requestId, CHAT_ERRORS.active));
    if (requestsOf(connection).has(frame.requestId)) {
      return reply(errorFrame(frame.requestId, CHAT_ERRORS.invalid));
    }
    const controller = new AbortController();
    const streamId = log.create(scope);
    const run: ChatRun = {
      key,
      controller,
      streamId,
      ended: false,
      attached: 0,
      graceTimer: undefined,
    };
    runs.set(key, run);
    const done = () => {
      run.ended = true;
      if (run.graceTimer !== undefined) clearTimeout(run.graceTimer);
      if (runs.get(key) === run) runs.delete(key);
    };
    try {
      const id = await streamId;
      await attach(connection, frame.requestId, key, id, -1, false);
      const request = {
        chatId: frame.id,
        trigger: frame.trigger,
        messageId: frame.messageId,
        messages,
        body: frame.body,
        headers: frame.headers,
        metadata: frame.metadata,
        ...(connection.user ? { user: connection.user } : {}),
        responseMessageId: settings.generateMessageId(),
        abortSignal: controller.signal,
      };
      void produceAnswer(chat, request, log, id, (error) => report(error, context)).finally(done);
    } catch (error) {
      done();
      report(error as Error, context);
      reply(errorFrame(frame.requestId, CHAT_ERRORS.failed));
    }
  }

  async function resume(connection: WebSocketConnection, frame: ChatResumeFrame): Promise<void> {
    const reply = sender(connection);
    const scope = scopeOf(connection, frame.id);
    const streamId = await log.current(scope);
    const attached =
      streamId !== undefined &&
      (await attach(
        connection,
        frame.requestId,
        keyOf(scope),
        streamId,
        frame.lastSequence ?? -1,
        true,
      ));
    if (!attached) reply(noActiveFrame(frame.requestId));
  }

  const handler: ChatWebSocketHandler = {
    // Frames up to twice the limit are read, so an oversize `send` gets an answer.
    pathOptions: { systemFrames: false, maxMessageSize: maxRequestBytes * 2 },
    async onMessage(connection, message) {
      const text = message.data;
      if (typeof text !== "string") return connection.socket.close(1003, "Text frames only");
      if (exceedsBytes(text, maxRequestBytes)) {
        const requestId = peekRequestId(text);
        const error = new WebSocketError(CHAT_ERRORS.tooLarge(maxRequestBytes), {
          code: "MESSAGE_TOO_LARGE",
        });
        report(error, { type: "send", clientError: true });
        if (requestId === undefined) return connection.socket.close(1009, "Message too big");
        return sender(connection)(errorFrame(requestId, error.message));
      }
      const parsed = parseChatFrame(text);
      if (!parsed.ok) {
        // Without a requestId there is no request to fail: the docs' server closes with 1008.
        if (parsed.requestId === undefined) return connection.socket.close(1008, "Invalid frame");
        return sender(connection)(errorFrame(parsed.requestId, CHAT_ERRORS.invalid));
      }
      const { frame } = parsed;
      if (frame.type === "send") return send(connection, frame);
      if (frame.type === "resume") return resume(connection, frame);
      const request = requestsOf(connection).get(frame.requestId);
      // Aborting an answer that already ended is not an error: the two race by nature.
      if (request) runs.get(request.key)?.controller.abort();
    },
    onClose(connection) {
      for (const request of [...(requests.get(connection)?.values() ?? [])]) request.detach();
      requests.delete(connection);
    },
    onError(connection, error) {
      report(error, {
        type: "connection",
        ...(connection.user ? { userId: connection.user.id } : {}),
      });
    },
    close() {
      const reason = new WebSocketError(CHAT_ERRORS.shutdown, { code: "SHUTTING_DOWN" });
      for (const run of runs.values()) run.controller.abort(reason);
    },
  };
  return handler;
}
