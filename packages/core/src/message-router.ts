/**
 * Routes `{ type, payload, requestId }` messages to handlers, with optional zod validation.
 */
import type { z } from "zod";
import { WebSocketError, toError } from "./errors.ts";
import { errorFrame, parseEnvelope, type ServerFrame } from "./protocol.ts";
import type { WebSocketConnection, WebSocketMessage } from "./types.ts";

/** What a route handler gets besides the connection and the payload. */
export interface RouteContext {
  /** The request's id: the client's, or one generated for it. */
  requestId: string;
  /** The message type that selected this route. */
  type: string;
  /** Sends a frame to this connection now, stamped with `requestId` (for streaming replies). */
  send(frame: ServerFrame): void;
}

/**
 * Handles one message type. The returned value is the reply: an object with a `type` is sent
 * as is (plus `requestId`); any other value is wrapped as `{type:"result", data}`; `undefined`
 * sends nothing.
 */
export type RouteHandler<P = unknown> = (
  connection: WebSocketConnection,
  payload: P,
  context: RouteContext,
) => unknown;

/** Options for {@link WebSocketMessageRouter}. */
export interface MessageRouterOptions {
  /** Called with errors that are not `WebSocketError`s; the client sees `INTERNAL_ERROR`. */
  onError?: (error: Error, connection: WebSocketConnection, type: string) => void;
}

interface Route {
  handler: RouteHandler<never>;
  schema: z.ZodType | undefined;
}

/**
 * @example
 * const router = new WebSocketMessageRouter();
 * router.route("echo", (conn, payload) => ({ type: "echo", payload }), z.object({ text: z.string() }));
 * const reply = await router.handle(connection, message); // never throws
 */
export class WebSocketMessageRouter {
  readonly #routes = new Map<string, Route>();
  readonly #onError: MessageRouterOptions["onError"];

  constructor(options: MessageRouterOptions = {}) {
    this.#onError = options.onError;
  }

  /** Adds (or replaces) the handler for `type`; with `schema`, payloads are validated first. */
  route<S extends z.ZodType>(type: string, handler: RouteHandler<z.output<S>>, schema: S): this;
  route(type: string, handler: RouteHandler): this;
  route(type: string, handler: RouteHandler<never>, schema?: z.ZodType): this {
    if (typeof type !== "string" || type === "")
      throw new TypeError("route: type must be a non-empty string");
    if (typeof handler !== "function")
      throw new TypeError(`route "${type}": handler must be a function`);
    this.#routes.set(type, { handler, schema });
    return this;
  }

  /** The registered message types. */
  getRoutes(): string[] {
    return [...this.#routes.keys()];
  }

  /**
   * Runs the route for one message and resolves to the reply frame (or `undefined`).
   * Never rejects: every failure becomes an `{type:"error", code, error}` frame.
   */
  async handle(
    connection: WebSocketConnection,
    message: WebSocketMessage | string,
  ): Promise<ServerFrame | undefined> {
    const parsed = parseEnvelope(typeof message === "string" ? message : message.data);
    if (!parsed.ok) return parsed.frame;
    const { type, payload } = parsed.envelope;
    const requestId = parsed.envelope.requestId ?? crypto.randomUUID();
    const route = this.#routes.get(type);
    if (route === undefined)
      return errorFrame("UNKNOWN_TYPE", `Unknown message type "${type}"`, requestId);

    let input: unknown = payload;
    if (route.schema) {
      const result = route.schema.safeParse(payload);
      if (!result.success)
        return errorFrame("VALIDATION_FAILED", describeIssues(result.error), requestId);
      input = result.data;
    }
    const context: RouteContext = {
      requestId,
      type,
      send: (frame) => connection.socket.send(JSON.stringify({ ...frame, requestId })),
    };
    try {
      const value: unknown = await route.handler(connection, input as never, context);
      return toReply(value, requestId);
    } catch (error) {
      return this.errorReply(error, connection, type, requestId);
    }
  }

  /**
   * The reply to a request whose handler failed: a `WebSocketError` answers with its code; any
   * other error goes to `onError` and answers `INTERNAL_ERROR`. For a handler that goes on after
   * it returned (a stream) and fails later. Never throws.
   */
  errorReply(
    error: unknown,
    connection: WebSocketConnection,
    type: string,
    requestId: string,
  ): ServerFrame {
    if (error instanceof WebSocketError) return errorFrame(error.code, error.message, requestId);
    try {
      this.#onError?.(toError(error), connection, type);
    } catch {
      // handle() never rejects, even when the error hook itself fails.
    }
    return errorFrame("INTERNAL_ERROR", "Internal error", requestId);
  }
}

function toReply(value: unknown, requestId: string): ServerFrame | undefined {
  if (value === undefined) return undefined;
  if (
    value !== null &&
    typeof value === "object" &&
    typeof (value as ServerFrame).type === "string"
  ) {
    return { ...(value as ServerFrame), requestId };
  }
  return { type: "result", requestId, data: value };
}

/** A short, safe description of zod issues: `prompt: Required; options.temperature: Too big`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join(".") : "payload"}: ${issue.message}`)
    .join("; ");
}
