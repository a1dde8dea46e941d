/**
 * `createAgentSocketClient`: the agentsocket protocol v1 over one self-healing WebSocket. Requests
 * sent while the client (re)connects wait for the connection; after a reconnect it resumes its
 * session (`session_resume`), every resumable stream (`resume {streamId, offset}`) and its rooms.
 */
import { AgentStream } from "./agent-stream.ts";
import { Link, type ClientState, type ServerFrame } from "./link.ts";
import {
  cancelFrame,
  cancelledError,
  promptPayload,
  sessionOf,
  type ClientEvents,
  type GenerateResult,
  type PromptOptions,
  type SessionInfo,
} from "./protocol.ts";
import { resolveOptions, type AgentSocketClientOptions, type ResolvedOptions } from "./options.ts";
import { PendingRequests, closedError, type ClientFrame } from "./requests.ts";
import { ActiveStreams } from "./streams.ts";

/** An agentsocket client. Create it with {@link createAgentSocketClient}. */
export class AgentSocketClient {
  readonly #options: ResolvedOptions;
  readonly #link: Link;
  readonly #requests = new PendingRequests();
  readonly #streams = new ActiveStreams(
    (frame) => void this.#link.send(frame),
    () => this.#id(),
  );
  readonly #rooms = new Set<string>();
  readonly #listeners = {
    message: new Set<ClientEvents["message"]>(),
    state: new Set<ClientEvents["state"]>(),
  };
  readonly #prefix = Math.random().toString(36).slice(2, 8);
  #nextId = 0;
  #connections = 0;
  #ready = false;
  #session: SessionInfo = {};

  /** @internal Use {@link createAgentSocketClient}. */
  constructor(options: AgentSocketClientOptions) {
    this.#options = resolveOptions(options);
    this.#link = new Link(this.#options, {
      state: (state) => this.#emit("state", state),
      connected: (frame) => void this.#connected(frame),
      frame: (frame) => this.#frame(frame),
      raw: (data) => this.#emit("message", data),
      dropped: (final) => this.#dropped(final),
    });
  }

  /** `"connecting"`, `"open"`, `"reconnecting"` or `"closed"`. */
  get state(): ClientState {
    return this.#link.state;
  }

  /** The rooms this client is in (re-joined after a reconnect). */
  get rooms(): string[] {
    return [...this.#rooms];
  }

  /** The server's session id (with resume on the server), or `undefined`. */
  get sessionId(): string | undefined {
    return this.#session.sessionId;
  }

  /**
   * Streams an answer: iterate it for the text, await `.result` for how it ended.
   * @example
   * const stream = client.stream("Hello!");
   * for await (const text of stream) process.stdout.write(text);
   * console.log((await stream.result).usage);
   */
  stream(prompt: string, options: PromptOptions = {}): AgentStream {
    const stream = new AgentStream(this.#id(), { cancel: (target) => this.#cancelStream(target) });
    const frame: ClientFrame = {
      type: "stream",
      requestId: stream.requestId,
      payload: promptPayload(prompt, options),
    };
    if (this.state === "closed") {
      stream.fail(closedError(stream.requestId));
      return stream;
    }
    this.#streams.add(stream, frame);
    const { signal } = options;
    if (signal?.aborted) stream.cancel();
    else signal?.addEventListener("abort", () => stream.cancel(), { once: true });
    this.#flush();
    return stream;
  }

  /** Generates a whole answer. @throws {AgentSocketError} with the server's code. */
  async generate(prompt: string, options: PromptOptions = {}): Promise<GenerateResult> {
    const reply = await this.#request(
      "generate",
      promptPayload(prompt, options),
      "response",
      options.signal,
    );
    const data = typeof reply.data === "object" && reply.data !== null ? reply.data : {};
    const result: GenerateResult = { ...data, content: String(reply.content ?? "") };
    for (const key of ["conversationId", "messageId"] as const) {
      if (typeof reply[key] === "string") result[key] = reply[key];
    }
    return result;
  }

  /** Runs one of the server's `allowedTools`. @returns the tool's result. */
  async callTool(name: string, args: unknown = {}): Promise<unknown> {
    const reply = await this.#request("tool_call", { toolName: name, args }, "tool_result");
    return reply.result;
  }

  /** Joins a room; its broadcasts arrive as `"message"` events, also after a reconnect. */
  async join(room: string): Promise<void> {
    await this.#request("join", { room }, "joined", undefined, true);
    this.#rooms.add(room);
  }

  /** Leaves a room. */
  async leave(room: string): Promise<void> {
    this.#rooms.delete(room);
    await this.#request("leave", { room }, "left", undefined, true);
  }

  /** Listens to `"message"` (frames the server pushed) or `"state"`. @returns an unsubscribe function. */
  on<E extends keyof ClientEvents>(event: E, listener: ClientEvents[E]): () => void {
    const listeners = this.#listeners[event] as Set<ClientEvents[E]> | undefined;
    if (!listeners)
      throw new TypeError(
        `client.on: the event must be "message" or "state" (got ${String(event)})`,
      );
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }

  /** Closes the connection for good: running streams are cancelled upstream, pending requests fail. */
  close(): void {
    if (this.state === "closed") return;
    for (const stream of this.#streams.closeAll()) this.#link.send(cancelFrame(stream, this.#id()));
    this.#requests.closeAll();
    this.#link.close();
  }

  #id(): string {
    return `${this.#prefix}-${++this.#nextId}`;
  }

  #request(
    type: string,
    payload: object,
    reply: string,
    signal?: AbortSignal,
    idempotent = false,
  ): Promise<ServerFrame> {
    const requestId = this.#id();
    if (this.state === "closed") return Promise.reject(closedError(requestId));
    if (signal?.aborted) return Promise.reject(cancelledError(requestId));
    return new Promise((resolve, reject) => {
      const frame = { type, requestId, payload };
      const onAbort = () => {
        const request = this.#requests.get(requestId);
        if (!request) return;
        if (request.sent)
          return void this.#link.send({
            type: "cancel",
            requestId: this.#id(),
            payload: { requestId },
          });
        this.#requests.delete(requestId);
        reject(cancelledError(requestId));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      const settle = () => signal?.removeEventListener("abort", onAbort);
      this.#requests.add({
        frame,
        reply,
        sent: false,
        idempotent,
        resolve: (value) => (settle(), resolve(value)),
        reject: (error) => (settle(), reject(error)),
      });
      this.#flush();
    });
  }

  /** Sends what waits to be sent, once the connection is up and restored. */
  #flush(): void {
    if (!this.#ready || !this.#link.connected) return;
    for (const request of this.#requests.unsent()) request.sent = this.#link.send(request.frame);
    for (const { stream, frame } of this.#streams.unsent()) {
      if (this.#link.send(frame)) this.#streams.markSent(stream);
    }
  }

  #cancelStream(stream: AgentStream): void {
    if (this.#streams.isSent(stream) && this.#link.connected) {
      this.#link.send(cancelFrame(stream, this.#id()));
    } else {
      this.#streams.cancelled(stream); // never sent, or sent before a drop: cancel on reconnect
    }
  }

  async #connected(frame: ServerFrame): Promise<void> {
    const connection = ++this.#connections;
    const previous = this.#session;
    this.#session = sessionOf(frame);
    if (connection > 1) {
      for (const resume of this.#streams.resumeFrames()) this.#link.send(resume);
      const recovered =
        previous.resumeToken === undefined ? [] : await this.#resumeSession(previous.resumeToken);
      if (connection !== this.#connections || !this.#link.connected) return; // dropped meanwhile
      for (const room of this.#rooms) {
        if (recovered.includes(room)) continue;
        this.#link.send({ type: "join", requestId: this.#id(), payload: { room } });
      }
    }
    this.#ready = true;
    this.#flush();
    this.#link.markOpen();
  }

  /** Sends `session_resume {token}`. @returns the rooms the server restored. */
  async #resumeSession(token: string): Promise<string[]> {
    const requestId = this.#id();
    const reply = await new Promise<ServerFrame | undefined>((resolve) => {
      const frame = { type: "session_resume", requestId, payload: { token } };
      this.#requests.add({
        frame,
        reply: "session",
        sent: true,
        idempotent: false,
        resolve,
        reject: () => resolve(undefined),
      });
      if (this.#link.send(frame)) return;
      this.#requests.delete(requestId);
      resolve(undefined);
    });
    if (!reply || reply.recovered !== true) return [];
    const session = sessionOf(reply);
    this.#session = { ...this.#session, ...session };
    return Array.isArray(reply.rooms)
      ? reply.rooms.filter((room): room is string => typeof room === "string")
      : [];
  }

  #frame(frame: ServerFrame): void {
    if (this.#streams.route(frame) || this.#requests.settle(frame)) return;
    if (frame.type === "joined" || frame.type === "left") return; // a re-join after a reconnect
    if (
      frame.type === "error" &&
      typeof frame.requestId === "string" &&
      frame.requestId.startsWith(`${this.#prefix}-`)
    ) {
      return; // a re-join refused after a reconnect, or a cancel of what already ended
    }
    this.#emit("message", frame);
  }

  #dropped(final: boolean): void {
    this.#ready = false;
    this.#requests.dropped(final);
    this.#streams.dropped(final);
  }

  #emit<E extends keyof ClientEvents>(event: E, value: Parameters<ClientEvents[E]>[0]): void {
    for (const listener of [...this.#listeners[event]]) {
      try {
        (listener as (value: unknown) => void)(value);
      } catch (error) {
        this.#options.onError(error);
      }
    }
  }
}

/**
 * Creates a client and starts connecting.
 * @throws {TypeError} naming a bad option.
 * @example
 * import { WebSocket } from "ws"; // Node 20 only; browsers and Node 22+ have one
 * const client = createAgentSocketClient({ url: "ws://localhost:3000/ws", webSocket: WebSocket });
 */
export function createAgentSocketClient(options: AgentSocketClientOptions): AgentSocketClient {
  return new AgentSocketClient(options);
}
