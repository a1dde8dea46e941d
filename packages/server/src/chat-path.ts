/**
 * The AI SDK chat path of `createServer`: `createChatWebSocketHandler` at `config.chat.path`
 * (default `/chat`) on the server's manager, so `useChat` with `ai`'s `WebSocketChatTransport`
 * reaches the same backend, auth, origin check and connection limits as `/ws`.
 */
import type { AgentBackend, AgentOptions, WebSocketConnectionManager } from "@agentsocket/core";
import {
  chatBackendFromAgent,
  createChatWebSocketHandler,
  isChatBackend,
  type ChatHandlerOptions,
  type ChatWebSocketHandler,
} from "@agentsocket/core/agent";

/** `config.chat`: where and how the AI SDK chat protocol is served. */
export interface ChatPathConfig extends ChatHandlerOptions {
  /** The WebSocket path of the chat protocol. @default "/chat" */
  path?: string;
}

/**
 * Registers the chat handler on `manager` unless `config` is `false` or the path already has a
 * handler. Answers are kept in `config.streams`, else `agent.resume.store`, else the broker's
 * stream store (`createRedisBroker()`: resume and abort on any instance), else in memory. A backend with `streamUI` (`fromAISDK(...)`) streams its own UI chunks; any other is
 * served through `chatBackendFromAgent` with the agent's `maxPromptLength` and `requestDefaults`.
 * @throws {TypeError} for an invalid `config.chat`.
 */
export function mountChatPath(
  manager: WebSocketConnectionManager,
  backend: AgentBackend,
  config: ChatPathConfig | false | undefined,
  agent: AgentOptions | undefined,
): ChatWebSocketHandler | undefined {
  if (config === false) return undefined;
  if (config !== undefined && (typeof config !== "object" || config === null)) {
    throw new TypeError('The "config.chat" option must be false or an object');
  }
  const { path = "/chat", ...options } = config ?? {};
  if (typeof path !== "string" || !path.startsWith("/")) {
    throw new TypeError(
      `The "config.chat.path" option must start with "/" (got ${JSON.stringify(path)})`,
    );
  }
  if (manager.hasHandler(path) || path === manager.config.path) return undefined;
  const chat = isChatBackend(backend)
    ? backend
    : chatBackendFromAgent(backend, {
        ...(agent?.maxPromptLength !== undefined ? { maxPromptLength: agent.maxPromptLength } : {}),
        ...(agent?.requestDefaults ? { requestDefaults: agent.requestDefaults } : {}),
      });
  // One log for the cluster: the one given, else agent.resume's, else the broker's (Redis).
  const resume = agent?.resume;
  const streams =
    options.streams ??
    (typeof resume === "object" ? resume.store : undefined) ??
    manager.config.broker?.streamStore?.();
  const handler = createChatWebSocketHandler(chat, {
    ...(streams ? { streams } : {}),
    ...(agent?.onError
      ? {
          onError: (error, context) =>
            agent.onError!(error, { ...context, type: `chat:${context.type}` }),
        }
      : {}),
    ...options,
  });
  manager.registerHandler(path, handler);
  return handler;
}
