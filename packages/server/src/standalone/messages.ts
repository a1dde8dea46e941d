/**
 * The handler the standalone server registers on its path: turns core's connection callbacks into
 * its events, parses JSON frames and dispatches them by `type`, and times each protocol ping so
 * every pong becomes a `heartbeat` event with the round trip.
 */
import type { IncomingMessage } from "node:http";
import type { WebSocket } from "ws";
import type { WebSocketConnection, WebSocketHandler } from "@agentsocket/core";
import type { SafeEmitter } from "./events.ts";
import type { StatsRecorder } from "./stats.ts";

/** What the handler needs from its server. */
export interface MessageHandlerContext {
  events: SafeEmitter;
  stats: StatsRecorder;
  /** The handshake being accepted (set around core's synchronous `onOpen`). */
  opening(): { request: IncomingMessage; ws: WebSocket } | undefined;
  reserved: ReadonlySet<string>;
  forget(connectionId: string): void;
}

const replyError = (connection: WebSocketConnection, code: string, error: string) =>
  connection.socket.send(JSON.stringify({ type: "error", code, error }));

/** Emits `heartbeat` with the round trip of every ping core sends on `ws`. */
function timeHeartbeats(ws: WebSocket, connectionId: string, context: MessageHandlerContext) {
  const ping = ws.ping.bind(ws);
  let sentAt: number | undefined;
  ws.ping = (...args: Parameters<WebSocket["ping"]>) => {
    sentAt = performance.now();
    ping(...args);
  };
  ws.on("pong", () => {
    if (sentAt === undefined) return;
    const latency = Math.round((performance.now() - sentAt) * 100) / 100;
    sentAt = undefined;
    context.stats.heartbeat(connectionId, latency);
    context.events.emit("heartbeat", { connectionId, latency });
  });
}

export function createMessageHandler(context: MessageHandlerContext): WebSocketHandler {
  const { events, stats } = context;
  return {
    onOpen(connection) {
      stats.opened();
      const opening = context.opening();
      if (opening) timeHeartbeats(opening.ws, connection.id, context);
      const headers = opening?.request.headers ?? {};
      events.emit("connection", {
        connectionId: connection.id,
        userAgent: headers["user-agent"],
        remoteAddress: connection.metadata.remoteAddress as string | undefined,
        headers,
        path: connection.metadata.path,
        ...(connection.user ? { user: connection.user } : {}),
      });
    },
    onMessage(connection, message) {
      stats.received();
      if (typeof message.data !== "string") return;
      let frame: unknown;
      try {
        frame = JSON.parse(message.data);
      } catch {
        return replyError(connection, "INVALID_JSON", "Message is not valid JSON");
      }
      const type = (frame as { type?: unknown } | null)?.type;
      if (typeof type !== "string")
        return replyError(connection, "INVALID_MESSAGE", "Invalid message");
      const event = { connectionId: connection.id, message: frame };
      events.emit("message", event);
      const typed = !context.reserved.has(type) && events.has(type);
      if (typed) events.emit(type, event);
      else if (!events.has("message"))
        replyError(connection, "UNKNOWN_TYPE", `Unknown message type "${type}"`);
    },
    onClose(connection, code, reason) {
      stats.closed(connection.id);
      context.forget(connection.id);
      events.emit("disconnect", { connectionId: connection.id, code, reason });
    },
    onError(connection, error) {
      events.emit("error", { connectionId: connection.id, error });
    },
  };
}
