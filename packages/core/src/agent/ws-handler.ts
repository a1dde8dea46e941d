/**
 * `createAgentWebSocketHandler(neurolink)`: the agent over WebSocket — generate, stream,
 * tool_call and cancel, several streams per connection multiplexed by `requestId`.
 */
import { CloseCode, ERRORS, WebSocketError, toError } from "../errors.ts";
import { MessageRate } from "../limits/message-rate.ts";
import { WebSocketMessageRouter } from "../message-router.ts";
import { errorFrame } from "../protocol.ts";
import { OPEN, type WebSocketConnection, type WebSocketHandler } from "../types.ts";
import type { AgentBackend } from "./backend.ts";
import { drainRequests, RunningRequest } from "./drain-requests.ts";
import type { OwnedStream } from "./resume/owned-stream.ts";
import { resumeCancelSchema } from "./resume/resume-schemas.ts";
import {
  createResumeSupport,
  type ResumableStreamInfo,
  type ResumeSupport,
} from "./resume/resume-support.ts";
import type { StreamListFilter } from "../stream-store/stream-store.ts";
import {
  createAgentService,
  isAgentService,
  type AgentOptions,
  type AgentService,
} from "./service.ts";
import { admitStream } from "./stream-rate.ts";

/**
 * Refused requests a connection may pile up before it is closed with 1008; the pile drains at 64
 * a second (issue 8, the flood). A client that overshoots its caps now and then, or sends a
 * burst of a few hundred at once, only gets `error` frames; one that keeps sending requests
 * without waiting for their answers is closed within a few hundred, instead of being answered
 * tens of thousands of refusals that the kernel's buffers absorb before any backpressure shows.
 */
const REFUSALS = { messagesPerSecond: 64, burst: 1, maxRefusals: 256 } as const;

/** The agent's WebSocket handler, with what resumable streams add. */
export interface AgentWebSocketHandler extends WebSocketHandler {
  /**
   * The resumable streams of a user, session or connection (`[]` with `resume` off): what
   * `session {streams}` reports. Finished ones too with `includeDone`.
   */
  listStreams(filter: StreamListFilter): Promise<ResumableStreamInfo[]>;
  /**
   * Aborts every stream this handler runs, detached ones included, ending each with an `error`
   * frame of `reason`'s code (in the log, for resumers). For shutdown.
   */
  abortStreams(reason: WebSocketError): void;
}

/**
 * A {@link WebSocketHandler} that serves an agent backend over wire protocol v1.
 *
 * The user id handed to the backend (`context.userId`) comes from the authenticated connection.
 * A connection that closes aborts all of its requests upstream.
 *
 * @param neurolink anything NeuroLink-shaped (a NeuroLink instance, `fromAISDK(...)`, the demo
 *   agent), or a service from `createAgentService()` to share with the HTTP handler.
 * @param options the agent's limits; with a service, its own options apply and this must be omitted.
 * @throws {TypeError} when the backend lacks `generate`/`stream` or an option is invalid.
 * @example
 * manager.registerHandler("/ws", createAgentWebSocketHandler(neurolink, { maxConcurrentStreams: 2 }));
 */
export function createAgentWebSocketHandler(
  neurolink: AgentBackend | AgentService,
  options?: AgentOptions,
): AgentWebSocketHandler {
  if (isAgentService(neurolink) && options !== undefined) {
    throw new TypeError("Pass the options to createAgentService() when handing over a service");
  }
  const agent = isAgentService(neurolink) ? neurolink : createAgentService(neurolink, options);
  const { onError } = agent.options;
  const report = (error: unknown) =>
    onError
      ? onError(toError(error), { type: "resume" })
      : console.error("[agentsocket] resume:", error);
  const resume: ResumeSupport | undefined =
    agent.options.resume &&
    createResumeSupport(
      agent.options.resume,
      agent.options.streaming?.bufferSize ?? 64 * 1024,
      report,
    );
  const inFlight = new WeakMap<WebSocketConnection, Map<string, RunningRequest>>();
  /** Connections of a draining manager: they finish what runs and start nothing new. */
  const draining = new WeakSet<WebSocketConnection>();
  const identity = (c: WebSocketConnection) => ({
    connectionId: c.id,
    ...(c.user ? { userId: c.user.id } : {}),
  });

  // Refusals are answered with a frame, not thrown: a client flooding requests past its limit
  // gets one `error` frame each, and throwing made an Error (a stack) and a rejection for each.
  const { maxInFlightRequests, maxConcurrentStreams } = agent.options;
  const tooManyRequests = `At most ${maxInFlightRequests} requests in flight per connection`;
  const tooManyStreams = `At most ${maxConcurrentStreams} concurrent streams per connection`;
  const refusals = new WeakMap<WebSocketConnection, MessageRate>();
  const refuse = (
    connection: WebSocketConnection,
    code: "TOO_MANY_REQUESTS" | "TOO_MANY_STREAMS",
    requestId: string,
  ) => {
    let pile = refusals.get(connection);
    if (pile === undefined) refusals.set(connection, (pile = new MessageRate(REFUSALS)));
    if (!pile.refused(Date.now()))
      return errorFrame(
        code,
        code === "TOO_MANY_STREAMS" ? tooManyStreams : tooManyRequests,
        requestId,
      );
    connection.socket.close(CloseCode.POLICY_VIOLATION, "Too many requests refused");
    return undefined;
  };

  /**
   * Registers a request so `cancel` and disconnects can abort it; a refused one gets its
   * `error` frame back instead (or `undefined` once a refusal was sent).
   */
  const track = (connection: WebSocketConnection, requestId: string, stream: boolean) => {
    if (draining.has(connection))
      return errorFrame("SHUTTING_DOWN", ERRORS.SHUTTING_DOWN.message, requestId);
    let requests = inFlight.get(connection);
    if (requests === undefined) inFlight.set(connection, (requests = new Map()));
    if (requests.has(requestId)) {
      // Stamping this refusal with the running request's id would read as that request's end.
      const error = `Request "${requestId}" is already running`;
      connection.socket.send(
        JSON.stringify({ ...errorFrame("INVALID_MESSAGE", error), duplicateRequestId: requestId }),
      );
      return undefined;
    }
    // Every kind counts (issue 8, hole 2): unbounded generate calls reached the backend at once.
    if (requests.size >= maxInFlightRequests)
      return refuse(connection, "TOO_MANY_REQUESTS", requestId);
    let admitted: Promise<WebSocketError | undefined> | undefined; // the cluster's streams per minute
    if (stream) {
      let streams = 0;
      for (const request of requests.values()) if (request.stream) streams++;
      if (streams >= maxConcurrentStreams) return refuse(connection, "TOO_MANY_STREAMS", requestId);
      const limited = admitStream(agent, connection.user?.id ?? connection.id);
      if (limited instanceof WebSocketError) throw limited;
      admitted = limited;
    }
    return new RunningRequest(requests, requestId, stream, admitted);
  };

  const router = new WebSocketMessageRouter({
    onError: (error, connection, type) =>
      onError?.(error, {
        type,
        ...(connection.user ? { userId: connection.user.id } : {}),
      }),
  });

  router.route(
    "generate",
    async (connection, payload, { requestId }) => {
      const request = track(connection, requestId, false);
      if (request === undefined || "type" in request) return request;
      try {
        return await agent.generate(
          payload,
          identity(connection),
          request.controller.signal,
          requestId,
        );
      } finally {
        request.done();
      }
    },
    agent.schemas.generate,
  );

  router.route(
    "stream",
    async (connection, payload, { requestId }) => {
      const request = track(connection, requestId, true);
      if (request === undefined || "type" in request) return request;
      let owned: OwnedStream | undefined;
      try {
        const refused = request.admitted && (await request.admitted);
        if (refused) throw refused;
        owned = resume && (await resume.open(connection, request.controller));
      } catch (error) {
        request.done();
        throw error;
      }
      if (owned) request.detach = owned.detach.bind(owned);
      // Not awaited: the stream answers with its own frames, and it lives for seconds, so every
      // async frame awaiting it (this route, the router's, the handler's, with their promises
      // and closures) was held as long, and copied and promoted by the GC, for every stream.
      const target = owned ?? connection;
      const options = { requestId, controller: request.controller };
      agent.stream(payload, identity(connection), target, options).then(request.done, (error) => {
        // stream() never rejects; should it still, the client hears of it as from the router.
        request.done();
        const reply = router.errorReply(error, connection, "stream", requestId);
        if (connection.socket.readyState === OPEN) connection.socket.send(JSON.stringify(reply));
      });
      return undefined;
    },
    agent.schemas.stream,
  );

  router.route(
    "tool_call",
    async (connection, payload, { requestId }) => {
      const request = track(connection, requestId, false);
      if (request === undefined || "type" in request) return request;
      try {
        return await agent.callTool(payload, identity(connection), requestId);
      } finally {
        request.done();
      }
    },
    agent.schemas.tool_call,
  );

  router.route(
    "cancel",
    async (connection, payload: { requestId?: string; streamId?: string }) => {
      // Cancelling a request that already finished is not an error: the two race by nature.
      const running = payload.streamId === undefined && payload.requestId !== undefined;
      const request = running ? inFlight.get(connection)?.get(payload.requestId!) : undefined;
      if (request) request.controller.abort();
      else await resume?.cancel(connection, payload);
    },
    resume ? resumeCancelSchema : agent.schemas.cancel,
  );
  resume?.route(router, agent.options.maxConcurrentStreams);

  const handler: AgentWebSocketHandler = {
    listStreams: async (filter) => (resume ? resume.list(filter) : []),
    abortStreams: (reason) => resume?.abortAll(reason),
    async onMessage(connection, message) {
      const reply = await router.handle(connection, message);
      if (reply && connection.socket.readyState === OPEN)
        connection.socket.send(JSON.stringify(reply));
    },
    onClose(connection) {
      for (const request of inFlight.get(connection)?.values() ?? []) {
        if (request.detach) request.detach();
        else request.controller.abort();
      }
      inFlight.delete(connection);
      resume?.closed(connection);
    },
    onDrain(connection, deadline) {
      draining.add(connection);
      return drainRequests(inFlight.get(connection), deadline);
    },
  };
  if (onError)
    handler.onError = (connection, error) =>
      onError(error, {
        type: "connection",
        ...(connection.user ? { userId: connection.user.id } : {}),
      });
  return handler;
}
