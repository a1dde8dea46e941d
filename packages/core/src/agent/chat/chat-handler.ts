/**
 * `createChatWebSocketHandler(backend)`: the Vercel AI SDK WebSocket chat protocol, so `ai`'s
 * own `WebSocketChatTransport` (and `useChat`) works against agentsocket unchanged. One active
 * answer per chat id and user; `abort` stops it upstream whichever request (and instance) it came
 * through; `resume` replays the stream log then continues live.
 */
import { WebSocketError } from "../../errors.ts";
import { exceedsBytes } from "../../frame-data.ts";
import type { StreamScope } from "../../stream-store/stream-store.ts";
import { OPEN, type WebSocketConnection, type WebSocketHandler } from "../../types.ts";
import type { AgentBackend } from "../backend.ts";
import { chatBackendFromAgent } from "./agent-chat-backend.ts";
import { attachToStream } from "./chat-attach.ts";
import { isChatBackend, type ChatBackend, type UIMessageLike } from "./chat-backend.ts";
import {
  contextOf,
  keyOf,
  perConnection,
  reporter,
  scopeOf,
  sender,
  userOf,
} from "./chat-connection.ts";
import { resolveChatOptions, type ChatHandlerOptions } from "./chat-options.ts";
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
  /**
   * Aborts every running answer (the server is stopping); resolves once each has ended in its log
   * with the shutdown `error` chunk (attached clients receive it), then closes the default store.
   */
  close(): Promise<void>;
}

/** A request receiving an answer: which stream, and how to stop receiving it. */
interface Attached {
  streamId: string;
  stop: () => void;
}

/** An answer on another instance counts as running while it wrote within this window. */
const REMOTE_ACTIVE_MS = 60_000;
/** A reader with more than this queued unsent waits before the next chunk. */
const CONGESTED_BYTES = 1024 * 1024;

/**
 * Serves a chat backend over the AI SDK WebSocket chat protocol. Register it on its own path:
 * it carries `pathOptions` (no system frames, frames up to twice `maxRequestBytes`).
 * @param backend a {@link ChatBackend} (`fromAISDK(...)`), or any NeuroLink-shaped agent
 *   (NeuroLink, `createDemoAgent()`), served through `chatBackendFromAgent`.
 * @throws {TypeError} for a backend with neither `streamUI` nor `stream`, or an invalid option.
 * @example
 * manager.registerHandler("/chat", createChatWebSocketHandler(createDemoAgent()));
 * // in the browser, with ai 7: new WebSocketChatTransport({ url: "/chat" })
 */
export function createChatWebSocketHandler(
  backend: ChatBackend | AgentBackend,
  options?: ChatHandlerOptions,
): ChatWebSocketHandler {
  const chat = isChatBackend(backend) ? backend : chatBackendFromAgent(backend);
  const settings = resolveChatOptions(options);
  const { streams, graceMs, maxRequestBytes, nodeId } = settings;
  /** This instance's answers, by `userId \0 chatId` and by stream id. */
  const runs = new Map<string, ChatRun>();
  const runsByStream = new Map<string, ChatRun>();
  const requestsOf = perConnection<Attached>();
  /** Sends still being checked, so an `abort` that overtakes one still stops it. */
  const pendingOf = perConnection<AbortController>();
  const stopCancels = streams.onCancel(nodeId, (id) => runsByStream.get(id)?.controller.abort());
  const report = reporter(settings.onError);

  /** Attaches `requestId` to a stream; resolves whether it could be served. */
  async function attach(
    connection: WebSocketConnection,
    requestId: string,
    streamId: string,
    afterSequence: number,
    start: boolean,
  ): Promise<boolean> {
    const own = requestsOf(connection);
    const reply = sender(connection);
    const attached = await attachToStream({
      store: streams,
      streamId,
      requestId,
      afterSequence,
      start,
      authorize: (meta) => meta.userId === userOf(connection),
      send: reply,
      congested: () => connection.socket.bufferedAmount > CONGESTED_BYTES,
    });
    if (attached === undefined) return false;
    const run = runsByStream.get(streamId);
    if (run) attachRun(run);
    own.set(requestId, { streamId, stop: attached.stop });
    // The client left during the awaits: nobody will read this, and onClose has already run.
    if (connection.socket.readyState !== OPEN) attached.stop();
    void attached.done
      .then(
        (end) => {
          if (end === "expired") reply(errorFrame(requestId, CHAT_ERRORS.gone));
        },
        (error: unknown) => {
          report(error as Error, contextOf(connection, "resume"));
          reply(errorFrame(requestId, CHAT_ERRORS.gone));
        },
      )
      .finally(() => {
        if (own.get(requestId)?.stop === attached.stop) own.delete(requestId);
        if (run) detachRun(run, graceMs);
      });
    return true;
  }

  /** Whether another instance runs an answer for this chat (written to recently). */
  async function activeElsewhere(scope: StreamScope): Promise<boolean> {
    const meta = await streams.findActive(scope);
    if (meta === undefined || meta.ownerNode === nodeId) return false;
    return Date.now() - meta.updatedAt < REMOTE_ACTIVE_MS;
  }

  async function send(connection: WebSocketConnection, frame: ChatSendFrame): Promise<void> {
    const waiting = pendingOf(connection);
    if (waiting.has(frame.requestId))
      return sender(connection)(errorFrame(frame.requestId, CHAT_ERRORS.invalid));
    const controller = new AbortController();
    waiting.set(frame.requestId, controller);
    try {
      await start(connection, frame, controller);
    } finally {
      waiting.delete(frame.requestId);
    }
  }

  async function start(
    connection: WebSocketConnection,
    frame: ChatSendFrame,
    controller: AbortController,
  ): Promise<void> {
    const reply = sender(connection);
    const context = contextOf(connection, "send", frame.id);
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
    // Aborted while being checked: the client has closed this request already.
    if (controller.signal.aborted) return;
    const key = keyOf(connection, frame.id);
    // Checked and claimed with no await in between: two sends here cannot both start.
    if (runs.has(key)) return reply(errorFrame(frame.requestId, CHAT_ERRORS.active));
    if (requestsOf(connection).has(frame.requestId)) {
      return reply(errorFrame(frame.requestId, CHAT_ERRORS.invalid));
    }
    const run: ChatRun = {
      controller,
      produced: undefined,
      streamId: undefined,
      ended: false,
      attached: 0,
      graceTimer: undefined,
    };
    runs.set(key, run);
    const done = () => {
      run.ended = true;
      if (run.graceTimer !== undefined) clearTimeout(run.graceTimer);
      if (runs.get(key) === run) runs.delete(key);
      if (run.streamId !== undefined) runsByStream.delete(run.streamId);
    };
    try {
      const scope = scopeOf(connection, frame.id);
      if (await activeElsewhere(scope)) {
        done();
        return reply(errorFrame(frame.requestId, CHAT_ERRORS.active));
      }
      const meta = await streams.create({
        ownerNode: nodeId,
        connectionId: connection.id,
        ...scope,
        retention: settings.retention,
      });
      const streamId = (run.streamId = meta.streamId);
      runsByStream.set(streamId, run);
      await attach(connection, frame.requestId, streamId, -1, false);
      // The sender may have gone during the awaits: the grace window starts now, not never.
      if (run.attached === 0) detachRun(run, graceMs);
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
        reportError: (error: unknown) =>
          report(error instanceof Error ? error : new Error(String(error)), context),
      };
      const reportSend = (error: Error) => report(error, context);
      run.produced = produceAnswer(chat, request, streams, streamId, reportSend).finally(done);
    } catch (error) {
      done();
      report(error as Error, context);
      reply(errorFrame(frame.requestId, CHAT_ERRORS.failed));
    }
  }

  async function resume(connection: WebSocketConnection, frame: ChatResumeFrame): Promise<void> {
    const meta = await streams.findActive(scopeOf(connection, frame.id), { includeDone: true });
    const lastSequence = frame.lastSequence ?? -1;
    const served =
      meta !== undefined &&
      (await attach(connection, frame.requestId, meta.streamId, lastSequence, true));
    if (!served) sender(connection)(noActiveFrame(frame.requestId));
  }

  /** Stops the answer a request receives, on whichever instance runs it. */
  async function abort(connection: WebSocketConnection, requestId: string): Promise<void> {
    pendingOf(connection).get(requestId)?.abort();
    const attached = requestsOf(connection).get(requestId);
    // Aborting an answer that already ended is not an error: the two race by nature.
    if (attached === undefined) return;
    const run = runsByStream.get(attached.streamId);
    if (run) return run.controller.abort();
    // Only a stream of this user was attached (the tail authorized it): route the cancel.
    await streams.requestCancel(attached.streamId);
  }

  const failed = (connection: WebSocketConnection, type: string) => (error: unknown) =>
    report(error instanceof Error ? error : new Error(String(error)), contextOf(connection, type));

  return {
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
        report(error, { ...contextOf(connection, "send"), clientError: true });
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
      const work =
        frame.type === "send"
          ? send(connection, frame)
          : frame.type === "resume"
            ? resume(connection, frame)
            : abort(connection, frame.requestId);
      await work.catch(failed(connection, frame.type));
    },
    onClose(connection) {
      for (const attached of [...requestsOf(connection).values()]) attached.stop();
      requestsOf(connection).clear();
    },
    onError(connection, error) {
      report(error, contextOf(connection, "connection"));
    },
    async close() {
      stopCancels();
      const reason = new WebSocketError(CHAT_ERRORS.shutdown, { code: "SHUTTING_DOWN" });
      const ending = [...runs.values()].map((run) => run.produced);
      for (const run of runs.values()) run.controller.abort(reason);
      // produceAnswer never rejects; it settles once the aborted answer's end is in the log.
      await Promise.all(ending);
      // The default store is ours to close; one handed in belongs to its owner.
      if (options?.streams === undefined) await streams.close();
    },
  };
}
