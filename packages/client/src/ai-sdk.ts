/**
 * @agentsocket/client/ai-sdk — `WebSocketChatTransport` for the AI SDK's `useChat` (ai@6, ai@7):
 * the frames of ai@7's own WebSocket transport, plus reconnect and resume after a drop.
 */
export { WebSocketChatTransport } from "./ai-sdk/chat-transport.ts";
export type { WebSocketChatTransportOptions } from "./ai-sdk/chat-transport.ts";
export type { ReconnectOptions, WebSocketConstructor, WebSocketLike } from "./options.ts";
