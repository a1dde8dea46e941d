/**
 * Small per-connection pieces of the chat handler: who asks (scope and key of a chat), how a
 * frame is sent, per-connection maps, and how failures are reported.
 */
import type { StreamScope } from "../../stream-store/stream-store.ts";
import { OPEN, type WebSocketConnection } from "../../types.ts";
import type { ChatErrorContext, ChatHandlerOptions } from "./chat-options.ts";

/** The user id of a connection (`undefined` without auth). */
export const userOf = (connection: WebSocketConnection) => connection.user?.id;

/** The store scope of a chat: its id, for this connection's user. */
export function scopeOf(connection: WebSocketConnection, chatId: string): StreamScope {
  const userId = userOf(connection);
  return userId === undefined ? { scope: chatId } : { userId, scope: chatId };
}

/** The key of a chat in this instance's maps: user and chat id. */
export const keyOf = (connection: WebSocketConnection, chatId: string) =>
  `${userOf(connection) ?? ""}\u0000${chatId}`;

/** Sends frames to a connection while it is open. */
export const sender = (connection: WebSocketConnection) => (frame: string) => {
  if (connection.socket.readyState === OPEN) connection.socket.send(frame);
};

/** What an error report says about the connection. */
export const contextOf = (connection: WebSocketConnection, type: string, chatId?: string) => ({
  type,
  ...(chatId === undefined ? {} : { chatId }),
  ...(connection.user ? { userId: connection.user.id } : {}),
});

/** A map per connection, created on first use. */
export function perConnection<V>(): (connection: WebSocketConnection) => Map<string, V> {
  const maps = new WeakMap<WebSocketConnection, Map<string, V>>();
  return (connection) => {
    let map = maps.get(connection);
    if (map === undefined) maps.set(connection, (map = new Map()));
    return map;
  };
}

/** Reports to `onError`, or the console: a client's mistake as one line, a server fault in full. */
export function reporter(onError: ChatHandlerOptions["onError"]) {
  return (error: Error, context: ChatErrorContext) => {
    try {
      if (onError) onError(error, context);
      else if (context.clientError)
        console.warn(`[agentsocket] chat ${context.type}: ${error.message}`);
      else console.error(`[agentsocket] chat ${context.type} failed:`, error);
    } catch {
      // An onError that throws has nowhere left to report to.
    }
  };
}
