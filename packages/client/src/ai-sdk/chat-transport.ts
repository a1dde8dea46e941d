/**
 * `WebSocketChatTransport`: an AI SDK `ChatTransport` (ai@6 and ai@7) over one WebSocket that
 * speaks the frames of ai@7's own transport (`send`/`resume`/`abort` → `start`/`chunk`/`end`/
 * `error`/`no-active`). Unlike that one, a dropped socket does not end the answers: each open
 * stream stays open, the socket reconnects with backoff and sends `resume { lastSequence }`, and
 * chunks already delivered are skipped by `sequence`.
 */
import type { ChatRequestOptions, ChatTransport, UIMessage, UIMessageChunk } from "ai";
import {
  checkReconnect,
  checkUrl,
  type ConnectionParams,
  type ReconnectOptions,
  type WebSocketConstructor,
} from "../options.ts";
import { ChatSocket } from "./chat-socket.ts";

/** Options of `new WebSocketChatTransport(...)`. */
export interface WebSocketChatTransportOptions {
  /** The server's chat endpoint, e.g. `ws://localhost:3000/chat` (`http(s):` is accepted too). */
  url: string | URL;
  /**
   * The WebSocket class. Node 20 has none built in: pass `WebSocket` from `ws`.
   * @default globalThis.WebSocket
   */
  webSocket?: WebSocketConstructor;
  /**
   * Query parameters of each connection (e.g. `{ apiKey }` or `{ token }`), or a function called
   * before every attempt — so a reconnect can fetch a fresh token. @default none
   */
  params?: ConnectionParams | (() => ConnectionParams | Promise<ConnectionParams>);
  /**
   * Reconnect after a drop with exponential backoff and full jitter, resuming every open answer;
   * `false` turns it off (a drop then errors the open streams).
   * @default true (500 ms, doubling up to 30 s, retrying forever)
   */
  reconnect?: boolean | ReconnectOptions;
}

type SendOptions = Parameters<ChatTransport<UIMessage>["sendMessages"]>[0];
type ReconnectArgs = Parameters<ChatTransport<UIMessage>["reconnectToStream"]>[0];

interface ActiveRequest {
  chatId: string;
  lastSequence: number;
  headers: Record<string, string>;
  body: object;
  controller: ReadableStreamDefaultController<UIMessageChunk>;
  stream: ReadableStream<UIMessageChunk>;
  /** Set while `reconnectToStream` waits for `start` or `no-active`. */
  answer?: (stream: ReadableStream<UIMessageChunk> | null) => void;
}

let counter = 0;
const newRequestId = () => `${Date.now().toString(36)}-${(counter++).toString(36)}`;

function headersOf(headers: ChatRequestOptions["headers"]): Record<string, string> {
  if (!headers) return {};
  if (typeof Headers !== "undefined" && headers instanceof Headers) {
    return Object.fromEntries(headers.entries());
  }
  return { ...(headers as Record<string, string>) };
}

export class WebSocketChatTransport<
  UI_MESSAGE extends UIMessage = UIMessage,
> implements ChatTransport<UI_MESSAGE> {
  readonly #active = new Map<string, ActiveRequest>();
  readonly #socket: ChatSocket;

  /** @throws {TypeError} for an invalid option, naming it. */
  constructor(options: WebSocketChatTransportOptions) {
    if (typeof options !== "object" || options === null) {
      throw new TypeError('The "options" argument must be an object with a "url"');
    }
    const webSocket =
      options.webSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (typeof webSocket !== "function") {
      throw new TypeError(
        'The "webSocket" option is required where there is no global WebSocket (Node 20: pass WebSocket from "ws")',
      );
    }
    const params = options.params;
    if (params !== undefined && typeof params !== "function" && typeof params !== "object") {
      throw new TypeError('The "params" option must be an object of strings or a function');
    }
    this.#socket = new ChatSocket({
      url: checkUrl(options.url),
      webSocket,
      params,
      reconnect: checkReconnect(options.reconnect),
      wanted: () => this.#active.size > 0,
      onOpen: (reconnected) => reconnected && this.#resumeAll(),
      onFrame: (frame) => this.#frame(frame),
      onGiveUp: (error) => this.#failAll(error),
    });
  }

  async sendMessages(options: SendOptions & { messages: UI_MESSAGE[] }) {
    const { abortSignal } = options;
    abortSignal?.throwIfAborted();
    await this.#socket.open();
    const requestId = newRequestId();
    const active = this.#track(requestId, options.chatId, options, abortSignal);
    this.#socket.sendNow({
      type: "send",
      requestId,
      id: options.chatId,
      trigger: options.trigger,
      messageId: options.messageId,
      messages: options.messages,
      headers: active.headers,
      body: active.body,
      metadata: options.metadata,
    });
    return active.stream;
  }

  async reconnectToStream(options: ReconnectArgs) {
    options.abortSignal?.throwIfAborted();
    await this.#socket.open();
    const requestId = newRequestId();
    const active = this.#track(requestId, options.chatId, options, options.abortSignal);
    const answer = new Promise<ReadableStream<UIMessageChunk> | null>((resolve) => {
      active.answer = resolve;
    });
    this.#sendResume(requestId, active);
    return answer;
  }

  /** Closes the socket; open streams error, and a later request opens a new socket. */
  close(): void {
    this.#failAll(new Error("WebSocket chat transport was closed."));
    this.#socket.close();
  }

  #track(
    requestId: string,
    chatId: string,
    options: ChatRequestOptions,
    abortSignal: AbortSignal | undefined,
  ): ActiveRequest {
    let controller!: ReadableStreamDefaultController<UIMessageChunk>;
    const stream = new ReadableStream<UIMessageChunk>({
      start: (c) => void (controller = c),
      cancel: () => this.#abort(requestId),
    });
    const active: ActiveRequest = {
      chatId,
      lastSequence: -1,
      headers: headersOf(options.headers),
      body: (options.body as object | undefined) ?? {},
      controller,
      stream,
    };
    this.#active.set(requestId, active);
    abortSignal?.addEventListener("abort", () => this.#abort(requestId), { once: true });
    return active;
  }

  /** Tells the server to stop the answer and ends the stream here. */
  #abort(requestId: string): void {
    const active = this.#active.get(requestId);
    if (!active) return;
    this.#active.delete(requestId);
    this.#socket.sendNow({ type: "abort", requestId });
    active.answer?.(null);
    try {
      active.controller.close();
    } catch {
      // Already closed or cancelled.
    }
  }

  #sendResume(requestId: string, active: ActiveRequest): void {
    this.#socket.sendNow({
      type: "resume",
      requestId,
      id: active.chatId,
      ...(active.lastSequence >= 0 ? { lastSequence: active.lastSequence } : {}),
      headers: active.headers,
      body: active.body,
    });
  }

  #resumeAll(): void {
    for (const [requestId, active] of this.#active) this.#sendResume(requestId, active);
  }

  #frame(frame: Record<string, unknown>): void {
    const requestId = frame.requestId;
    const active = typeof requestId === "string" ? this.#active.get(requestId) : undefined;
    if (!active) return;
    const settle = () => {
      active.answer?.(active.stream);
      active.answer = undefined;
    };
    switch (frame.type) {
      case "start":
        return settle();
      case "chunk": {
        settle();
        const sequence = frame.sequence;
        if (typeof sequence === "number" && sequence <= active.lastSequence) return;
        if (typeof sequence === "number") active.lastSequence = sequence;
        return active.controller.enqueue(frame.chunk as UIMessageChunk);
      }
      case "end":
        settle();
        this.#active.delete(requestId as string);
        return active.controller.close();
      case "no-active":
        this.#active.delete(requestId as string);
        if (active.answer) return active.answer(null);
        return active.controller.error(new Error("The answer is no longer active on the server."));
      case "error": {
        this.#active.delete(requestId as string);
        const error = new Error(String(frame.errorText ?? "WebSocket chat request failed."));
        settle();
        return active.controller.error(error);
      }
    }
  }

  #failAll(error: Error): void {
    for (const [requestId, active] of this.#active) {
      this.#active.delete(requestId);
      active.answer?.(null);
      active.controller.error(error);
    }
  }
}
