/**
 * The manager's side of the instrumentation hook: the instrumentations added to one manager, the
 * per-connection wiring (a counting socket, a counting `message` event) installed only when some
 * hook needs it, and the lookups streaming channels and connections use to report through it.
 */
import type { ConnectionEvents } from "../adapter-types.ts";
import { invokeSafely } from "../callbacks.ts";
import type { SocketLike, WebSocketConnection, WebSocketData, WebSocketHandler } from "../types.ts";
import { boundedCode, callSafely, CountingSocket, sizeOf } from "./counting-socket.ts";
import type { Instrumentation, StreamStatus } from "./instrumentation.ts";

type Hook = keyof Instrumentation;

const HOOKS: readonly Hook[] = [
  "connectionOpened",
  "connectionClosed",
  "handshakeRejected",
  "messageReceived",
  "frameSent",
  "error",
  "streamStarted",
  "streamChunk",
  "streamEnded",
  "backpressure",
  "heartbeat",
];

/** What a connection (or its socket) reports through: its manager's hub and its path. */
interface Probe {
  readonly hub: InstrumentationHub;
  readonly path: string;
}

/** Connections and their sockets → their probe, for code that holds only one of them. */
const PROBES = new WeakMap<object, Probe>();

/** The instrumentations of one manager, called in the order they were added. */
export class InstrumentationHub {
  readonly #all: Instrumentation[] = [];
  readonly #bound = new Map<Hook, unknown[]>();
  /** One probe per path, shared by its connections. */
  readonly #probes = new Map<string, Probe>();
  readonly #counters = new Map<string, (data: WebSocketData) => void>();

  /** @throws {TypeError} naming the `instrumentation` option when one is not an object of hooks. */
  constructor(initial?: Instrumentation | readonly Instrumentation[]) {
    const list = initial === undefined ? [] : Array.isArray(initial) ? initial : [initial];
    for (const instrumentation of list) this.add(instrumentation as Instrumentation);
  }

  /** Adds one; returns the function that removes it. */
  add(instrumentation: Instrumentation): () => void {
    if (typeof instrumentation !== "object" || instrumentation === null)
      throw new TypeError('The "instrumentation" option must be an object of hooks');
    for (const hook of HOOKS) {
      const value = instrumentation[hook];
      if (value !== undefined && typeof value !== "function")
        throw new TypeError(`The "instrumentation.${hook}" hook must be a function`);
    }
    this.#all.push(instrumentation);
    this.#changed();
    return () => {
      const index = this.#all.indexOf(instrumentation);
      if (index !== -1) this.#all.splice(index, 1);
      this.#changed();
    };
  }

  // Connections accepted from now on take fresh lists; earlier ones keep theirs.
  #changed(): void {
    this.#bound.clear();
    this.#counters.clear();
  }

  /** Whether any instrumentation has `hook`. */
  has(hook: Hook): boolean {
    return this.#all.some((instrumentation) => instrumentation[hook] !== undefined);
  }

  /**
   * The functions of `hook`, bound, for the per-frame paths (taken once per connection). One
   * list shared by every connection until an instrumentation is added or removed, which makes a
   * new one: connections accepted before keep theirs.
   */
  listeners<K extends "frameSent" | "streamChunk">(hook: K): NonNullable<Instrumentation[K]>[] {
    const cached = this.#bound.get(hook);
    if (cached !== undefined) return cached as NonNullable<Instrumentation[K]>[];
    const bound: NonNullable<Instrumentation[K]>[] = [];
    for (const instrumentation of this.#all) {
      const fn = instrumentation[hook];
      if (fn !== undefined) bound.push(fn.bind(instrumentation) as NonNullable<Instrumentation[K]>);
    }
    this.#bound.set(hook, bound);
    return bound;
  }

  /** Calls `hook` on each instrumentation that has it; a throwing hook is ignored. */
  emit(hook: Hook, a: unknown, b?: unknown): void {
    for (const instrumentation of this.#all) {
      const fn = instrumentation[hook] as ((a: unknown, b?: unknown) => void) | undefined;
      if (fn === undefined) continue;
      try {
        if (b === undefined) fn.call(instrumentation, a);
        else fn.call(instrumentation, a, b);
      } catch {
        // Instrumentation never breaks a connection.
      }
    }
  }

  /**
   * `socket`, or when some hook counts sent frames or errors, a socket that reports each frame
   * after handing it on. Installed below the send limit, so dropped frames are not counted.
   */
  socket(socket: SocketLike, path: string): SocketLike {
    const sent = this.listeners("frameSent");
    if (sent.length === 0 && !this.has("error")) return socket;
    return new CountingSocket(socket, this, path, sent);
  }

  /** Registers an accepted connection, reports it opened, and returns `events`. */
  opened(connection: WebSocketConnection, events: ConnectionEvents): ConnectionEvents {
    const { path } = connection.metadata;
    let probe = this.#probes.get(path);
    if (probe === undefined) this.#probes.set(path, (probe = { hub: this, path }));
    PROBES.set(connection, probe);
    PROBES.set(connection.socket, probe);
    this.emit("connectionOpened", path);
    return events;
  }

  /**
   * What a connection on `path` calls with each frame it receives, when some hook counts them
   * (taken once per connection, like {@link listeners}; one function per path).
   */
  receivedCounter(path: string): ((data: WebSocketData) => void) | undefined {
    if (!this.has("messageReceived")) return undefined;
    let counter = this.#counters.get(path);
    if (counter === undefined) {
      counter = (data) => this.emit("messageReceived", path, sizeOf(data));
      this.#counters.set(path, counter);
    }
    return counter;
  }
}

/** Reports a registered connection closed (once: its managed connection calls this once). */
export function connectionClosed(connection: WebSocketConnection): void {
  const probe = PROBES.get(connection);
  const durationMs = Date.now() - connection.createdAt;
  probe?.hub.emit("connectionClosed", { path: probe.path, durationMs });
}

/** Reports a connection error that went to the path's `onError`. */
export function errorReported(connection: WebSocketConnection, code: string): void {
  const probe = PROBES.get(connection);
  probe?.hub.emit("error", probe.path, boundedCode(code));
}

/** What {@link heartbeatAnswered} needs of a managed connection. */
export interface HeartbeatSource {
  pingSentAt: number;
  readonly connection: WebSocketConnection;
  readonly handler: WebSocketHandler | undefined;
  report(error: Error, callback?: string): void;
}

/**
 * A pong arrived: records the round trip since the unanswered ping as `connection.latency`,
 * reports it, and calls the path's `onHeartbeat`. A pong nobody asked for measures nothing.
 */
export function heartbeatAnswered(source: HeartbeatSource): void {
  if (source.pingSentAt === 0) return;
  const { connection } = source;
  const latency = Math.max(0, Date.now() - source.pingSentAt);
  connection.latency = latency;
  const probe = PROBES.get(connection);
  probe?.hub.emit("heartbeat", probe.path, latency);
  const onHeartbeat = source.handler?.onHeartbeat;
  invokeSafely(onHeartbeat, (e) => source.report(e, "onHeartbeat"), connection, latency);
}

/**
 * A probe for a stream written to `target` (a connection or its socket), reporting it started;
 * `undefined` when the target belongs to no instrumented manager (SSE, a bare socket).
 */
export function streamProbe(target: object): StreamProbe | undefined {
  const probe = PROBES.get(target);
  return probe && new StreamProbe(probe.hub, probe.path);
}

/**
 * What a streaming channel reports: its chunks, its pauses and its end. A class: as an object of
 * closures it held a context and four functions for every stream, for the stream's life.
 */
export class StreamProbe {
  readonly #startedAt = Date.now();
  readonly #chunked: ((path: string, value: number) => void)[];
  #chunks = 0;
  #firstChunkAt = 0;
  #done = false;

  constructor(
    private readonly hub: InstrumentationHub,
    private readonly path: string,
  ) {
    this.#chunked = hub.listeners("streamChunk");
    hub.emit("streamStarted", path);
  }

  chunk(): void {
    if (this.#chunks++ === 0) this.#firstChunkAt = Date.now();
    const chunked = this.#chunked;
    for (let i = 0; i < chunked.length; i++) callSafely(chunked[i]!, this.path, 0);
  }

  paused(): void {
    this.hub.emit("backpressure", this.path);
  }

  ended(status: StreamStatus): void {
    if (this.#done) return;
    this.#done = true;
    const chunks = this.#chunks;
    const startedAt = this.#startedAt;
    this.hub.emit("streamEnded", {
      path: this.path,
      status,
      durationMs: Date.now() - startedAt,
      chunks,
      ...(chunks > 0 ? { timeToFirstChunkMs: this.#firstChunkAt - startedAt } : {}),
    });
  }
}
