/**
 * One streamed answer as the user sees it: an `AsyncIterable<string>` of text (or of every event
 * with `events()`), and `result`, which settles once with the terminal frame. The client feeds it
 * frames; it drops a frame whose `offset` it has already seen, so a resumed stream never repeats.
 */
import { AgentSocketError } from "./errors.ts";

/** Token counts as the server reports them. */
export interface StreamUsage {
  input?: number;
  output?: number;
  total?: number;
  [key: string]: unknown;
}

/** How a stream ended. */
export interface StreamResult {
  status: "completed" | "cancelled";
  /** The whole text, every chunk once. */
  text: string;
  finishReason?: string;
  usage?: StreamUsage;
  /** With conversations on: the conversation and the id the answer is stored under. */
  conversationId?: string;
  messageId?: string;
}

/** An event of a stream: text, or the model's tool use reported along the way. */
export type StreamEvent =
  | { type: "text"; text: string }
  | { type: "tool_call"; toolCallId?: string; toolName: string; args: unknown }
  | { type: "tool_result"; toolCallId?: string; toolName: string; result: unknown };

/** What the client does for a stream. @internal */
export interface StreamHooks {
  /** Stop the stream upstream (the user aborted, cancelled or stopped iterating). */
  cancel(stream: AgentStream): void;
}

type Frame = Record<string, unknown>;

/** A streamed answer: `for await (const text of stream)`, then `await stream.result`. */
export class AgentStream implements AsyncIterable<string> {
  /** Settles when the stream ends: completed or cancelled; rejects with an {@link AgentSocketError}. */
  readonly result: Promise<StreamResult>;
  /** The request's id on the wire. */
  readonly requestId: string;
  /** The server's id of a resumable stream (from `stream_start`), or `undefined`. */
  streamId: string | undefined;
  /** With conversations on, from `stream_start`. */
  conversationId: string | undefined;
  messageId: string | undefined;
  /** The stream's epoch (from `stream_start`), sent back with a resume. */
  epoch: string | undefined;
  /** The highest `offset` seen (resumable streams), 0 before any. */
  lastOffset = 0;
  #events: StreamEvent[] = [];
  #text = "";
  #wake: (() => void) | undefined;
  #ended = false;
  #error: AgentSocketError | undefined;
  #resolve!: (result: StreamResult) => void;
  #reject!: (error: AgentSocketError) => void;
  readonly #hooks: StreamHooks;

  /** @internal */
  constructor(requestId: string, hooks: StreamHooks) {
    this.requestId = requestId;
    this.#hooks = hooks;
    this.result = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // Whoever only iterates still sees the error from the loop; no unhandled rejection either way.
    this.result.catch(() => {});
  }

  /** True once the stream ended (completed, cancelled or failed). */
  get done(): boolean {
    return this.#ended;
  }

  /** Stops the stream upstream; `result` then resolves with status `"cancelled"`. */
  cancel(): void {
    if (!this.#ended) this.#hooks.cancel(this);
  }

  /** The text chunks, in order, each once. Breaking out of the loop cancels the stream. */
  async *[Symbol.asyncIterator](): AsyncGenerator<string, void, undefined> {
    for await (const event of this.events()) if (event.type === "text") yield event.text;
  }

  /** Every event: text and tool use. Breaking out of the loop cancels the stream. */
  async *events(): AsyncGenerator<StreamEvent, void, undefined> {
    let finished = false;
    try {
      while (true) {
        const event = this.#events.shift();
        if (event) {
          yield event;
          continue;
        }
        if (this.#error) throw this.#error;
        if (this.#ended) break;
        await new Promise<void>((resolve) => (this.#wake = resolve));
      }
      finished = true;
    } finally {
      if (!finished && !this.#ended) this.cancel();
    }
  }

  /**
   * Takes one frame of this stream. @returns false for a frame already seen (its `offset` is not
   * past `lastOffset`). @internal
   */
  accept(frame: Frame): boolean {
    if (this.#ended) return false;
    if (typeof frame.offset === "number") {
      if (frame.offset <= this.lastOffset) return false;
      this.lastOffset = frame.offset;
    }
    switch (frame.type) {
      case "stream_start":
        if (typeof frame.streamId === "string") this.streamId = frame.streamId;
        if (typeof frame.epoch === "string") this.epoch = frame.epoch;
        if (typeof frame.conversationId === "string") this.conversationId = frame.conversationId;
        if (typeof frame.messageId === "string") this.messageId = frame.messageId;
        break;
      case "chunk":
        if (typeof frame.content === "string" && frame.content !== "") {
          this.#text += frame.content;
          this.#push({ type: "text", text: frame.content });
        }
        break;
      case "tool_call":
        this.#push({ type: "tool_call", ...toolFields(frame), args: frame.args });
        break;
      case "tool_result":
        this.#push({ type: "tool_result", ...toolFields(frame), result: frame.result });
        break;
      case "stream_complete":
        this.end(frame.status === "cancelled" ? "cancelled" : "completed", frame);
        break;
      case "error":
        this.fail(
          new AgentSocketError(
            String(frame.code ?? "INTERNAL_ERROR"),
            String(frame.error ?? "Stream failed"),
            {
              requestId: this.requestId,
            },
          ),
        );
        break;
    }
    return true;
  }

  /** Ends the stream with `status`. @internal */
  end(status: StreamResult["status"], frame: Frame = {}): void {
    if (this.#ended) return;
    this.#ended = true;
    const result: StreamResult = { status, text: this.#text };
    if (typeof frame.finishReason === "string") result.finishReason = frame.finishReason;
    if (typeof frame.usage === "object" && frame.usage !== null)
      result.usage = frame.usage as StreamUsage;
    const conversationId =
      typeof frame.conversationId === "string" ? frame.conversationId : this.conversationId;
    const messageId = typeof frame.messageId === "string" ? frame.messageId : this.messageId;
    if (conversationId !== undefined) result.conversationId = conversationId;
    if (messageId !== undefined) result.messageId = messageId;
    this.#resolve(result);
    this.#notify();
  }

  /** Fails the stream: `result` rejects and the loop throws after the events already queued. @internal */
  fail(error: AgentSocketError): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    this.#reject(error);
    this.#notify();
  }

  #push(event: StreamEvent): void {
    this.#events.push(event);
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

function toolFields(frame: Frame): { toolCallId?: string; toolName: string } {
  const fields: { toolCallId?: string; toolName: string } = {
    toolName: String(frame.toolName ?? ""),
  };
  if (typeof frame.toolCallId === "string") fields.toolCallId = frame.toolCallId;
  return fields;
}
