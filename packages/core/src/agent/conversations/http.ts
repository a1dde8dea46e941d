/**
 * Conversations over HTTP, as web-standard `(Request) => Promise<Response>` handlers any
 * framework can mount: list the caller's conversations (newest first, paginated), read one with
 * its messages, delete one. Same authentication and origins as the manager's WebSocket
 * endpoints; another user's conversation answers 404 exactly like an unknown one.
 */
import type { WebSocketConnectionManager } from "../../connection-manager.ts";
import { rejectionResponse, jsonResponse } from "../../http-response.ts";
import { requestOriginProblem } from "../../origin-policy.ts";
import { isAgentService, type AgentService } from "../service.ts";
import type { ConversationStore } from "./store.ts";
import { ANONYMOUS_USER } from "./turns.ts";

/** Options of {@link createConversationHttpHandler}. */
export interface ConversationHttpHandlerOptions {
  /** Whose authentication and `allowedOrigins` apply. Without one, every caller is anonymous. */
  manager?: WebSocketConnectionManager;
}

/** The three conversation routes. The id is the last segment of the request's path. */
export interface ConversationHttpHandler {
  /** `GET …/conversations?limit=&cursor=` → `{ conversations, nextCursor? }`. */
  list(request: Request): Promise<Response>;
  /** `GET …/conversations/:id` → `{ id, title?, createdAt, updatedAt, messages: [...] }`. */
  get(request: Request): Promise<Response>;
  /** `DELETE …/conversations/:id` → 204. */
  delete(request: Request): Promise<Response>;
}

/**
 * Creates the conversation routes over a store, or over an agent service's store.
 * @throws {TypeError} for a service with conversations off, or something that is not a store.
 * @example
 * const conversations = createConversationHttpHandler(agent, { manager });
 * app.get("/api/conversations", (c) => conversations.list(c.req.raw)); // Hono
 */
export function createConversationHttpHandler(
  source: AgentService | ConversationStore,
  options: ConversationHttpHandlerOptions = {},
): ConversationHttpHandler {
  const store = isAgentService(source) ? source.options.conversations?.store : source;
  if (typeof store?.list !== "function")
    throw new TypeError("createConversationHttpHandler needs a store (or agent.conversations on)");
  const { manager } = options;
  const notFound = () =>
    rejectionResponse({ code: "NOT_FOUND", message: "Conversation not found" });

  /** The caller's user id, or the refusal to send. */
  const caller = async (request: Request): Promise<string | Response> => {
    const foreign = requestOriginProblem(manager?.config.allowedOrigins, request);
    if (foreign) return rejectionResponse({ code: "ORIGIN_NOT_ALLOWED", message: foreign });
    if (manager === undefined) return ANONYMOUS_USER;
    const auth = await manager.authenticate({ url: request.url, headers: request.headers });
    if (!auth.ok) return rejectionResponse(auth.error);
    return auth.user?.id ?? ANONYMOUS_USER;
  };

  /** Runs `work` for the caller; a store's TypeError (bad limit, cursor) is the client's 400. */
  const serve = async (
    request: Request,
    work: (userId: string, id: string) => Promise<Response>,
  ) => {
    const userId = await caller(request);
    if (userId instanceof Response) return userId;
    const segments = new URL(request.url).pathname.split("/");
    try {
      return await work(userId, decodeURIComponent(segments.at(-1) ?? ""));
    } catch (error) {
      if (error instanceof TypeError)
        return rejectionResponse({ code: "VALIDATION_FAILED", message: error.message });
      if (error instanceof URIError) return notFound();
      throw error;
    }
  };

  return {
    list: (request) =>
      serve(request, async (userId) => {
        const query = new URL(request.url).searchParams;
        const limit = query.get("limit");
        const cursor = query.get("cursor");
        const page = await store.list(userId, {
          ...(limit !== null ? { limit: /^\d{1,4}$/.test(limit) ? Number(limit) : NaN } : {}),
          ...(cursor !== null ? { cursor } : {}),
        });
        return jsonResponse(200, page);
      }),
    get: (request) =>
      serve(request, async (userId, id) => {
        const conversation = await store.get(id, userId);
        const messages = conversation && (await store.messages(id, userId));
        if (!conversation || !messages) return notFound();
        return jsonResponse(200, { ...conversation, messages });
      }),
    delete: (request) =>
      serve(request, async (userId, id) =>
        (await store.delete(id, userId)) ? new Response(null, { status: 204 }) : notFound(),
      ),
  };
}
