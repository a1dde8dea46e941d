/**
 * The agent over HTTP — the twin of the WebSocket protocol, as web-standard
 * `(Request) => Promise<Response>` handlers any framework can mount: `generate` answers JSON,
 * `stream` answers Server-Sent Events whose event names and payloads are the WebSocket frames.
 * Same service, same auth, origins and size limit as the manager's WebSocket endpoints.
 */
import type { WebSocketConnectionManager } from "../connection-manager.ts";
import { ERRORS, WebSocketError, type ErrorCode } from "../errors.ts";
import { jsonResponse, refusalStatus } from "../http-response.ts";
import { settlesWithin } from "../drain.ts";
import { describeIssues } from "../message-router.ts";
import { errorFrame } from "../protocol.ts";
import { requestOriginProblem } from "../origin-policy.ts";
import { readHeader } from "../request.ts";
import { createSseStream, SSE_HEADERS } from "../streaming/sse.ts";
import type { AgentBackend } from "./backend.ts";
import { isJsonContentType, readJsonBody } from "./http-body.ts";
import { MAX_REQUEST_ID, type AgentSchemas } from "./schemas.ts";
import { admitStream } from "./stream-rate.ts";
import {
  createAgentService,
  isAgentService,
  type AgentIdentity,
  type AgentService,
} from "./service.ts";

/** Options of {@link createAgentHttpHandler}. */
export interface AgentHttpHandlerOptions {
  /**
   * The manager whose authentication, `allowedOrigins` and `maxMessageSize` the HTTP routes
   * share with its WebSocket endpoints. Without one, requests are not authenticated.
   */
  manager?: WebSocketConnectionManager;
  /** Largest request body in bytes; a larger one answers 413. @default the manager's `maxMessageSize`, else 1 MiB */
  maxBodySize?: number;
}

/** The two HTTP agent routes, each a web-standard handler. */
export interface AgentHttpHandler {
  /** `POST …/agent/generate`: `{ prompt, options?, requestId? }` → the `response` frame as JSON. */
  generate(request: Request): Promise<Response>;
  /** `POST …/agent/stream`: the same body → `text/event-stream` of the stream's frames. */
  stream(request: Request): Promise<Response>;
  /**
   * For shutdown: refuses new requests with 503 `SHUTTING_DOWN`, gives running streams
   * `options.graceMs` (default 0) to finish, ends the rest with an `error` event of that code, and
   * resolves once each has written its terminal event.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

interface Admitted {
  identity: AgentIdentity;
  requestId: string;
  payload: unknown;
}

/**
 * Creates the HTTP agent handlers.
 * @throws {TypeError} for a backend without generate()/stream() or an invalid `maxBodySize`.
 * @example
 * const http = createAgentHttpHandler(agent, { manager });
 * app.post("/api/agent/stream", (c) => http.stream(c.req.raw)); // Hono
 */
export function createAgentHttpHandler(
  neurolink: AgentBackend | AgentService,
  options: AgentHttpHandlerOptions = {},
): AgentHttpHandler {
  const agent = isAgentService(neurolink) ? neurolink : createAgentService(neurolink);
  const { manager } = options;
  const maxBodySize = options.maxBodySize ?? manager?.config.maxMessageSize ?? 1024 * 1024;
  if (!Number.isInteger(maxBodySize) || maxBodySize < 1) {
    throw new TypeError('The "maxBodySize" option must be a positive integer');
  }
  const refuse = (code: ErrorCode, message: string, requestId?: string) =>
    jsonResponse(refusalStatus({ code, message }), errorFrame(code, message, requestId));
  /** Running streams: their controllers and the promise that settles once each has ended. */
  const running = new Map<AbortController, Promise<void>>();
  let closing = false;

  /** Shutdown, origin, credentials, content type, size, JSON: everything before the agent runs. */
  const admit = async (request: Request): Promise<Admitted | Response> => {
    if (closing || manager?.shuttingDown)
      return refuse("SHUTTING_DOWN", ERRORS.SHUTTING_DOWN.message);
    const foreign = requestOriginProblem(manager?.config.allowedOrigins, request);
    if (foreign) return refuse("ORIGIN_NOT_ALLOWED", foreign);
    let identity: AgentIdentity = {};
    if (manager) {
      const auth = await manager.authenticate({ url: request.url, headers: request.headers });
      if (!auth.ok) return refuse(auth.error.code, auth.error.message);
      if (auth.user) identity = { userId: auth.user.id };
    }
    if (!isJsonContentType(request.headers.get("content-type")))
      return refuse("UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json");
    const body = await readJsonBody(request, maxBodySize);
    if (!body.ok) return refuse(body.code, body.message);
    const requestId = requestIdOf(body.value, request);
    return { identity, requestId, payload: body.value };
  };

  /** {@link admit}, then the payload checked against `kind`'s schema. */
  const prepare = async <K extends "generate" | "stream">(kind: K, request: Request) => {
    const admitted = await admit(request);
    if (admitted instanceof Response) return admitted;
    const result = agent.schemas[kind].safeParse(admitted.payload);
    if (!result.success)
      return refuse("VALIDATION_FAILED", describeIssues(result.error), admitted.requestId);
    return { ...admitted, payload: result.data as ReturnType<AgentSchemas[K]["parse"]> };
  };

  return {
    async generate(request) {
      const prepared = await prepare("generate", request);
      if (prepared instanceof Response) return prepared;
      const { identity, requestId, payload } = prepared;
      try {
        const frame = await agent.generate(payload, identity, request.signal, requestId);
        return jsonResponse(200, { ...frame, requestId });
      } catch (error) {
        if (error instanceof WebSocketError) return refuse(error.code, error.message, requestId);
        return refuse("INTERNAL_ERROR", "Internal error", requestId);
      }
    },

    async stream(request) {
      const prepared = await prepare("stream", request);
      if (prepared instanceof Response) return prepared;
      const { identity, requestId, payload } = prepared;
      const limited = await admitStream(agent, identity.userId);
      if (limited) return refuse(limited.code, limited.message, requestId);
      const sse = createSseStream();
      const controller = new AbortController();
      // Either sign of a departed client aborts upstream: the request's signal, or the body's cancel.
      const abort = () => controller.abort();
      request.signal.addEventListener("abort", abort, { once: true });
      // The client may have left while auth ran, and a past abort fires no event.
      if (request.signal.aborted) abort();
      void sse.closed.then(abort);
      const run = agent
        .stream(payload, identity, sse.writer, { requestId, controller })
        .finally(() => {
          request.signal.removeEventListener("abort", abort);
          sse.writer.close(1000, "");
          running.delete(controller);
        });
      running.set(controller, run);
      return new Response(sse.body, { status: 200, headers: SSE_HEADERS });
    },

    async close(options) {
      closing = true;
      const graceMs = options?.graceMs ?? 0;
      if (graceMs > 0) await settlesWithin(Promise.all(running.values()), graceMs);
      const reason = new WebSocketError(ERRORS.SHUTTING_DOWN.message, { code: "SHUTTING_DOWN" });
      for (const controller of running.keys()) controller.abort(reason);
      await Promise.all(running.values());
    },
  };
}

/** The body's `requestId`, else the `x-request-id` header, else a new one. */
function requestIdOf(body: unknown, request: Request): string {
  const fromBody = (body as { requestId?: unknown } | null)?.requestId;
  if (typeof fromBody === "string" && fromBody.length > 0 && fromBody.length <= MAX_REQUEST_ID)
    return fromBody;
  const header = readHeader(request.headers, "x-request-id");
  return header?.slice(0, MAX_REQUEST_ID) || crypto.randomUUID();
}
