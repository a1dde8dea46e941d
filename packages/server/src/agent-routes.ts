/**
 * The agent over HTTP — the twin of the WebSocket protocol: `POST {basePath}/agent/generate`
 * answers JSON, `POST {basePath}/agent/stream` answers Server-Sent Events whose event names and
 * payloads are the WebSocket frames. Same auth, same validation, same streaming channel.
 */
import {
  createSseStream,
  createStreamingChannel,
  describeIssues,
  errorFrame,
  SSE_HEADERS,
  WebSocketError,
  type AgentIdentity,
  type AgentService,
  type WebSocketConnectionManager,
} from "@agentsocket/core";
import type { z } from "zod";
import type { RouteContext, RouteDefinition } from "./routes.ts";

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });

/** The status an agent error code answers with over HTTP. */
const STATUS: Record<string, number> = {
  VALIDATION_FAILED: 400,
  INVALID_MESSAGE: 400,
  PROVIDER_ERROR: 502,
  CANCELLED: 499,
};

function requestIdOf(context: RouteContext): string {
  const fromBody = (context.body as { requestId?: unknown } | undefined)?.requestId;
  if (typeof fromBody === "string" && fromBody.length > 0 && fromBody.length <= 128)
    return fromBody;
  return context.headers["x-request-id"]?.slice(0, 128) || crypto.randomUUID();
}

export function agentRoutes(
  basePath: string,
  manager: WebSocketConnectionManager,
  agent: AgentService,
): RouteDefinition[] {
  /** Authenticates like the WebSocket handshake; a refusal is the Response to send. */
  const identify = async (context: RouteContext): Promise<AgentIdentity | Response> => {
    const query = new URLSearchParams(context.query).toString();
    const auth = await manager.authenticate({
      url: `${context.path}${query ? `?${query}` : ""}`,
      headers: context.headers,
    });
    if (!auth.ok)
      return json(auth.error.status ?? 401, { error: auth.error.message, code: auth.error.code });
    return auth.user ? { userId: auth.user.id } : {};
  };

  const validate = <S extends z.ZodType>(schema: S, context: RouteContext, requestId: string) => {
    const result = schema.safeParse(context.body);
    if (result.success) return result.data as z.output<S>;
    return json(400, errorFrame("VALIDATION_FAILED", describeIssues(result.error), requestId));
  };

  const generate = async (context: RouteContext) => {
    const identity = await identify(context);
    if (identity instanceof Response) return identity;
    const requestId = requestIdOf(context);
    const payload = validate(agent.schemas.generate, context, requestId);
    if (payload instanceof Response) return payload;
    try {
      return { ...(await agent.generate(payload, identity, context.signal, requestId)), requestId };
    } catch (error) {
      const code = error instanceof WebSocketError ? error.code : "INTERNAL_ERROR";
      const message = error instanceof WebSocketError ? error.message : "Internal error";
      return json(STATUS[code] ?? 500, errorFrame(code, message, requestId));
    }
  };

  const stream = async (context: RouteContext) => {
    const identity = await identify(context);
    if (identity instanceof Response) return identity;
    const requestId = requestIdOf(context);
    const payload = validate(agent.schemas.stream, context, requestId);
    if (payload instanceof Response) return payload;

    const sse = createSseStream();
    const controller = new AbortController();
    // Either signal of a departed client aborts upstream: the request's, or the body's cancel.
    const abort = () => controller.abort();
    context.signal.addEventListener("abort", abort, { once: true });
    // The client may have left while auth ran, and a past abort fires no event.
    if (context.signal.aborted) abort();
    void sse.closed.then(abort);
    const channel = createStreamingChannel(sse.writer, { ...agent.settings.streaming, requestId });
    channel.event({ type: "stream_start" });
    void agent
      .stream(payload, identity, controller, channel)
      // stream() ends the channel itself; nothing may escape as an unhandled rejection.
      .catch(() => {})
      .finally(() => {
        context.signal.removeEventListener("abort", abort);
        sse.writer.close(1000, "");
      });
    return new Response(sse.body, { status: 200, headers: SSE_HEADERS });
  };

  return [
    {
      method: "POST",
      path: `${basePath}/agent/generate`,
      handler: generate,
      description: "Generate a response (JSON)",
      tags: ["agent"],
    },
    {
      method: "POST",
      path: `${basePath}/agent/stream`,
      handler: stream,
      description: "Stream a response (Server-Sent Events)",
      tags: ["agent"],
    },
  ];
}
